defmodule HelloWeb.Server do
  @moduledoc "A tiny HTTP/1.1 server on :gen_tcp: answers every request with a greeting."
  use Task, restart: :permanent
  require Logger

  def start_link(port), do: Task.start_link(__MODULE__, :listen, [port])

  def listen(port) do
    {:ok, socket} =
      :gen_tcp.listen(port, [:binary, packet: :http_bin, active: false, reuseaddr: true])

    Logger.info("hello_web listening on port #{port}")
    accept(socket)
  end

  defp accept(socket) do
    {:ok, client} = :gen_tcp.accept(socket)

    pid =
      spawn(fn ->
        receive do
          :go -> serve(client)
        end
      end)

    :ok = :gen_tcp.controlling_process(client, pid)
    send(pid, :go)
    accept(socket)
  end

  defp serve(client) do
    read_headers(client)
    body = HelloWeb.greeting()

    :gen_tcp.send(client, [
      "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: ",
      Integer.to_string(byte_size(body)),
      "\r\nconnection: close\r\n\r\n",
      body
    ])

    :gen_tcp.close(client)
  end

  defp read_headers(client) do
    case :gen_tcp.recv(client, 0, 5_000) do
      {:ok, :http_eoh} -> :ok
      {:ok, _request_line_or_header} -> read_headers(client)
      {:error, _} -> :ok
    end
  end
end
