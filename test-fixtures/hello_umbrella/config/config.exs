# This file is responsible for configuring your application
# and its dependencies with the aid of the Config module.
#
# This configuration file is loaded before any dependency and
# is restricted to this project.

# General application configuration
import Config

config :hello_phoenix,
  generators: [timestamp_type: :utc_datetime]

# Configures the endpoint
config :hello_phoenix, HelloPhoenixWeb.Endpoint,
  url: [host: "localhost"],
  adapter: Bandit.PhoenixAdapter,
  render_errors: [
    formats: [html: HelloPhoenixWeb.ErrorHTML, json: HelloPhoenixWeb.ErrorJSON],
    layout: false
  ],
  pubsub_server: HelloPhoenix.PubSub

# Configure esbuild (the version is required). Where esbuild's installer can't fetch the binary
# (it downloads it from the npm registry), point MIX_ESBUILD_PATH at one, as esbuild's docs describe.
config :esbuild,
  version: "0.25.0",
  path: System.get_env("MIX_ESBUILD_PATH"),
  hello_phoenix: [
    args:
      ~w(js/app.js --bundle --target=es2017 --outdir=../priv/static/assets --external:/fonts/* --external:/images/*),
    cd: Path.expand("../apps/hello_phoenix/assets", __DIR__),
    env: %{"NODE_PATH" => Path.expand("../deps", __DIR__)}
  ]

# Configure tailwind (the version is required). Where the tailwind binary can't be downloaded, point
# MIX_TAILWIND_PATH at one, as tailwind's docs describe.
config :tailwind,
  version: "3.4.3",
  path: System.get_env("MIX_TAILWIND_PATH"),
  hello_phoenix: [
    args: ~w(
      --config=tailwind.config.js
      --input=css/app.css
      --output=../priv/static/assets/app.css
    ),
    cd: Path.expand("../apps/hello_phoenix/assets", __DIR__)
  ]

# Configures Elixir's Logger
config :logger, :console,
  format: "$time $metadata[$level] $message\n",
  metadata: [:request_id]

# Use Jason for JSON parsing in Phoenix
config :phoenix, :json_library, Jason

# Import environment specific config. This must remain at the bottom
# of this file so it overrides the configuration defined above.
import_config "#{config_env()}.exs"
