defmodule HelloWeb do
  @moduledoc false

  def greeting do
    "Hello from hello_web! Elixir #{System.version()} on Erlang/OTP #{:erlang.system_info(:otp_release)}\n"
  end
end
