defmodule MyApp.Application do
  @moduledoc false
  use Application

  @impl true
  def start(_type, _args) do
    port = String.to_integer(System.get_env("PORT", "4000"))
    Supervisor.start_link([{MyApp.Server, port}], strategy: :one_for_one)
  end
end
