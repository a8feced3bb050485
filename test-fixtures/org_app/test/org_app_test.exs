defmodule OrgAppTest do
  use ExUnit.Case
  doctest OrgApp

  test "greets" do
    assert OrgApp.hello() == ~s({"hello":"org_app"})
  end
end
