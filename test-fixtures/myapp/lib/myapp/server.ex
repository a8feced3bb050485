defmodule MyApp.Server do
  @moduledoc "A tiny HTTP/1.1 server: answers with the runtime greeting."
  use Task, restart: :permanent

  def start_link(port), do: Task.start_link(__MODULE__, :listen, [port])

  def listen(port) do
    {:ok, socket} =
      :gen_tcp.listen(port, [:binary, packet: :http_bin, active: false, reuseaddr: true])

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
    body = "#{Application.fetch_env!(:myapp, :greeting)}\n"

    :gen_tcp.send(client, [
      "HTTP/1.1 200 OK\r\ncontent-length: ",
      Integer.to_string(byte_size(body)),
      "\r\nconnection: close\r\n\r\n",
      body
    ])

    :gen_tcp.close(client)
  end

  defp read_headers(client) do
    case :gen_tcp.recv(client, 0, 5_000) do
      {:ok, :http_eoh} -> :ok
      {:ok, _} -> read_headers(client)
      {:error, _} -> :ok
    end
  end
end
