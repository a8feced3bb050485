defmodule Greeter do
  @moduledoc "Lives in its own umbrella app."
  def hello, do: "Hello from an umbrella release!\n"
end
