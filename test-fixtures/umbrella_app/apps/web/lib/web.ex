defmodule Web do
  @moduledoc "Answers every HTTP request with Greeter.hello/0."

  def listen(port) do
    {:ok, socket} = :gen_tcp.listen(port, [:binary, packet: :http_bin, active: false, reuseaddr: true])
    accept(socket)
  end

  defp accept(socket) do
    {:ok, client} = :gen_tcp.accept(socket)
    read_headers(client)
    body = Greeter.hello()

    :gen_tcp.send(client, [
      "HTTP/1.1 200 OK\r\ncontent-length: #{byte_size(body)}\r\nconnection: close\r\n\r\n",
      body
    ])

    :gen_tcp.close(client)
    accept(socket)
  end

  defp read_headers(client) do
    case :gen_tcp.recv(client, 0, 5_000) do
      {:ok, :http_eoh} -> :ok
      {:ok, _} -> read_headers(client)
      {:error, _} -> :ok
    end
  end
end
