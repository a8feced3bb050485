defmodule MyApp.ReleaseTasks do
  @moduledoc "The article's release tasks: the release phase runs `migrate`, a review app's postdeploy `seed`."

  def migrate do
    if System.get_env("FAIL_MIGRATION") == "1" do
      IO.puts("migration failed on purpose")
      System.halt(1)
    end

    IO.puts("Running migrations for myapp")
  end

  def seed, do: IO.puts("Running seed script for myapp")
end
