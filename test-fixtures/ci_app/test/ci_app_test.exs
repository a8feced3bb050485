defmodule CiAppTest do
  use ExUnit.Case

  test "adds" do
    assert CiApp.add(1, 2) == 3
  end

  test "fails when the CI run is told to" do
    refute System.get_env("CI_SHOULD_FAIL") == "1", "failing on purpose: CI_SHOULD_FAIL=1"
  end

  # Excluded by `test_args` in elixir_buildpack.config: it runs only if bin/test ignores them.
  @tag :slow
  test "is excluded by test_args" do
    flunk("test_args were not passed to mix test")
  end
end
