defmodule DistilleryApp.MixProject do
  use Mix.Project

  def project do
    [
      app: :distillery_app,
      version: "0.1.0",
      elixir: "~> 1.14",
      start_permanent: Mix.env() == :prod,
      # A stand-in for the Distillery Hex package (no Hex here): see fake_distillery/.
      deps: [{:distillery, path: "fake_distillery", runtime: false}]
    ]
  end

  def application do
    [extra_applications: [:logger], mod: {DistilleryApp, []}]
  end
end
