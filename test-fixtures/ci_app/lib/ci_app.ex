defmodule CiApp do
  @moduledoc "Something to test in Heroku CI."

  def add(a, b), do: a + b
end
