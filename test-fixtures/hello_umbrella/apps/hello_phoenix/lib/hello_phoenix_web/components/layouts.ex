defmodule HelloPhoenixWeb.Layouts do
  @moduledoc """
  This module holds different layouts used by your application.

  See the `layouts` directory for all templates available.
  The "root" layout is a skeleton rendered as part of the
  application router.
  """
  use HelloPhoenixWeb, :html
  embed_templates "layouts/*"
end
