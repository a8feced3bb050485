defmodule Mix.Tasks.Phx.Server do
  @moduledoc "Stand-in for Phoenix's task: sets PHX_SERVER and runs the app without halting."
  use Mix.Task

  @impl true
  def run(args) do
    System.put_env("PHX_SERVER", "true")
    Mix.Tasks.Run.run(["--no-halt" | args])
  end
end
