defmodule MyApp.MixProject do
  use Mix.Project

  def project do
    [
      app: :myapp,
      version: "0.1.0",
      elixir: "~> 1.14",
      start_permanent: Mix.env() == :prod,
      deps: [],
      releases: [myapp: [include_executables_for: [:unix], steps: [:assemble, :tar]]]
    ]
  end

  def application do
    [extra_applications: [:logger], mod: {MyApp.Application, []}]
  end
end
