defmodule ArticleApp.MixProject do
  use Mix.Project

  def project do
    [
      app: :article_app,
      version: "0.1.0",
      elixir: "~> 1.14",
      start_permanent: Mix.env() == :prod,
      deps: [],
      # A hard-coded cookie, as many apps have: the build warns about it.
      releases: [article_app: [include_executables_for: [:unix], cookie: "not-so-secret"]]
    ]
  end

  def application do
    [extra_applications: [:logger], mod: {ArticleApp.Application, []}]
  end
end
