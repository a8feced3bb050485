defmodule Web.MixProject do
  use Mix.Project

  def project do
    [
      app: :web,
      version: "0.1.0",
      build_path: "../../_build",
      config_path: "../../config/config.exs",
      deps_path: "../../deps",
      lockfile: "../../mix.lock",
      elixir: "~> 1.14",
      deps: [{:greeter, in_umbrella: true}]
    ]
  end

  def application, do: [extra_applications: [:logger], mod: {Web.Application, []}]
end
