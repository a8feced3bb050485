defmodule PlugCowboyApp.Application do
  # See https://hexdocs.pm/elixir/Application.html
  # for more information on OTP Applications
  @moduledoc false

  use Application

  @impl true
  def start(_type, _args) do
    port = String.to_integer(System.get_env("PORT") || "4000")

    children = [
      # Starts a worker by calling: PlugCowboyApp.Worker.start_link(arg)
      # {PlugCowboyApp.Worker, arg}
      {Plug.Cowboy, scheme: :http, plug: PlugCowboyApp.Router, options: [port: port]}
    ]

    # See https://hexdocs.pm/elixir/Supervisor.html
    # for other strategies and supported options
    opts = [strategy: :one_for_one, name: PlugCowboyApp.Supervisor]
    Supervisor.start_link(children, opts)
  end
end
