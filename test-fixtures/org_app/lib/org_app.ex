defmodule OrgApp do
  @moduledoc """
  Documentation for `OrgApp`.
  """

  @doc """
  Greets through the organization's private package.
  """
  def hello, do: AcmeHello.hello("org_app")
end
