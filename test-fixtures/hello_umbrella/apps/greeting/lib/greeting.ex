defmodule Greeting do
  @moduledoc "The umbrella's domain app: what the web app says."

  def hello, do: "Hello from the greeting app of the umbrella!"
end
