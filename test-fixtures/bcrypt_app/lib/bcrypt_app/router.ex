defmodule BcryptApp.Router do
  use Plug.Router

  plug :match
  plug :dispatch

  get "/" do
    {prefix, verified} = BcryptApp.check("hunter2")
    send_resp(conn, 200, "bcrypt #{prefix} verified=#{verified}\n")
  end

  match _ do
    send_resp(conn, 404, "not found")
  end
end
