defmodule BcryptApp do
  @moduledoc """
  Documentation for `BcryptApp`.
  """

  @doc """
  Hashes `password` with bcrypt (a C NIF) and checks it.
  """
  def check(password) do
    hash = Bcrypt.hash_pwd_salt(password, log_rounds: 4)
    {String.slice(hash, 0, 7), Bcrypt.verify_pass(password, hash)}
  end
end
