defmodule BcryptAppTest do
  use ExUnit.Case
  doctest BcryptApp

  test "hashes and verifies" do
    assert {"$2b$04$", true} = BcryptApp.check("hunter2")
  end
end
