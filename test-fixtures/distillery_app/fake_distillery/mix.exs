defmodule Distillery.MixProject do
  use Mix.Project

  # Test stand-in for the Distillery package: only its `mix distillery.release` task, and only the part
  # of its contract the buildpack relies on (an assembled release in _build/<env>/rel/<name> whose
  # bin/<name> script has a `foreground` command).
  def project, do: [app: :distillery, version: "2.1.1", elixir: "~> 1.14", deps: []]
end
