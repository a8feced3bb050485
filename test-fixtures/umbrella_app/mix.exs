defmodule UmbrellaApp.MixProject do
  use Mix.Project

  def project do
    [
      apps_path: "apps",
      version: "0.1.0",
      start_permanent: Mix.env() == :prod,
      deps: [],
      releases: [
        web: [applications: [web: :permanent]],
        worker: [applications: [greeter: :permanent], steps: [:assemble, :tar]]
      ]
    ]
  end
end
