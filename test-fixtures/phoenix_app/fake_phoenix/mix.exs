defmodule Phoenix.MixProject do
  use Mix.Project

  # Test stand-in for the Phoenix package: only `mix phx.server`, which starts the app with the
  # server enabled, as Phoenix's does.
  def project, do: [app: :phoenix, version: "1.7.0", elixir: "~> 1.14", deps: []]
end
