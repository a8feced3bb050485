defmodule PlugCowboyApp do
  @moduledoc """
  Documentation for `PlugCowboyApp`.
  """

  @doc """
  The versions of the cowboy stack this app runs on.
  """
  def stack do
    for app <- [:cowboy, :cowlib, :ranch, :plug_cowboy], into: %{} do
      {app, to_string(Application.spec(app, :vsn))}
    end
  end
end
