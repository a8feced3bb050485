defmodule OrgApp.MixProject do
  use Mix.Project

  def project do
    [
      app: :org_app,
      version: "0.1.0",
      elixir: "~> 1.14",
      start_permanent: Mix.env() == :prod,
      deps: deps()
    ]
  end

  # Run "mix help compile.app" to learn about applications.
  def application do
    [
      extra_applications: [:logger]
    ]
  end

  # Run "mix help deps" to learn about dependencies.
  defp deps do
    [
      # A private package of the `acme` Hex organization.
      {:acme_hello, "~> 0.1", organization: "acme"}
    ]
  end
end
