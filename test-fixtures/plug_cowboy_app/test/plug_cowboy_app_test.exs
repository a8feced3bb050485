defmodule PlugCowboyAppTest do
  use ExUnit.Case
  doctest PlugCowboyApp

  test "runs on cowboy" do
    assert %{cowboy: _} = PlugCowboyApp.stack()
  end
end
