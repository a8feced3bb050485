defmodule ArticleApp.Release do
  @moduledoc "Release tasks, run with `article_app eval`, as the release phase and review-app scripts do."

  def migrate do
    if System.get_env("FAIL_MIGRATION") == "1" do
      IO.puts("migration failed on purpose")
      System.halt(1)
    end

    File.write!("/tmp/migrated", "ok")
    IO.puts("migrated: marker written")
  end

  def seed, do: IO.puts("seeded")
end
