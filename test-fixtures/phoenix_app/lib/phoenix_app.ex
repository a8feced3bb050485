defmodule PhoenixApp do
  @moduledoc """
  Serves HTTP only when PHX_SERVER is set, like a Phoenix endpoint in a `mix phx.gen.release` app
  (`mix phx.server` sets it too).
  """
  use Application

  @impl true
  def start(_type, _args) do
    children =
      if System.get_env("PHX_SERVER") in ~w(true 1) do
        port = String.to_integer(System.get_env("PORT", "4000"))
        [{Task, fn -> listen(port) end}]
      else
        []
      end

    Supervisor.start_link(children, strategy: :one_for_one)
  end

  defp listen(port) do
    {:ok, socket} = :gen_tcp.listen(port, [:binary, packet: :http_bin, active: false, reuseaddr: true])
    accept(socket)
  end

  defp accept(socket) do
    {:ok, client} = :gen_tcp.accept(socket)
    drain(client)
    body = "Hello from a Phoenix-style app (PHX_SERVER=#{System.get_env("PHX_SERVER")})\n"
    :gen_tcp.send(client, "HTTP/1.1 200 OK\r\ncontent-length: #{byte_size(body)}\r\nconnection: close\r\n\r\n#{body}")
    :gen_tcp.close(client)
    accept(socket)
  end

  defp drain(client) do
    case :gen_tcp.recv(client, 0, 5_000) do
      {:ok, :http_eoh} -> :ok
      {:ok, _} -> drain(client)
      {:error, _} -> :ok
    end
  end
end
