defmodule Mix.Tasks.Distillery.Release do
  @moduledoc "Stand-in for Distillery's task: assembles with `mix release`, Distillery's way."
  use Mix.Task

  @impl true
  def run(args) do
    {opts, _argv, _invalid} = OptionParser.parse(args, switches: [env: :string, name: :string])
    name = Keyword.fetch!(opts, :name)
    path = Path.join([Mix.Project.build_path(), "rel", name])
    Mix.shell().info("fake distillery: assembling #{name} for env #{opts[:env]}")
    Mix.Task.run("release", ["--overwrite", "--path", path])

    script = Path.join([path, "bin", name])
    File.rename!(script, script <> "_elixir")

    File.write!(script, """
    #!/bin/sh
    set -e
    here="$(cd "$(dirname "$0")" && pwd -P)"
    case "$1" in
      foreground) shift; exec "$here/#{name}_elixir" start "$@" ;;
      *) exec "$here/#{name}_elixir" "$@" ;;
    esac
    """)

    File.chmod!(script, 0o755)
  end
end
