defmodule PhoenixApp.MixProject do
  use Mix.Project

  def project do
    [
      app: :phoenix_app,
      version: "0.1.0",
      elixir: "~> 1.14",
      start_permanent: Mix.env() == :prod,
      # A stand-in for the Phoenix Hex package (no Hex here): see fake_phoenix/.
      deps: [{:phoenix, path: "fake_phoenix"}]
    ]
  end

  def application do
    [extra_applications: [:logger], mod: {PhoenixApp, []}]
  end
end
