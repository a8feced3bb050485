# This file is responsible for configuring your application
# and its dependencies with the aid of the Config module.
#
# This configuration file is loaded before any dependency and
# is restricted to this project.

# General application configuration
import Config

config :phoenix_npm,
  generators: [timestamp_type: :utc_datetime]

# Configures the endpoint
config :phoenix_npm, PhoenixNpmWeb.Endpoint,
  url: [host: "localhost"],
  adapter: Bandit.PhoenixAdapter,
  render_errors: [
    formats: [html: PhoenixNpmWeb.ErrorHTML, json: PhoenixNpmWeb.ErrorJSON],
    layout: false
  ],
  pubsub_server: PhoenixNpm.PubSub

# Configure esbuild (the version is required). This app installs esbuild and tailwind with npm
# (assets/package.json), and points the Elixir packages at those binaries, as their docs describe.
config :esbuild,
  version: "0.25.0",
  path: Path.expand("../assets/node_modules/.bin/esbuild", __DIR__),
  phoenix_npm: [
    args:
      ~w(js/app.js --bundle --target=es2017 --outdir=../priv/static/assets --external:/fonts/* --external:/images/*),
    cd: Path.expand("../assets", __DIR__),
    env: %{"NODE_PATH" => Path.expand("../deps", __DIR__)}
  ]

config :tailwind,
  version: "3.4.17",
  path: Path.expand("../assets/node_modules/.bin/tailwindcss", __DIR__),
  phoenix_npm: [
    args: ~w(
      --config=tailwind.config.js
      --input=css/app.css
      --output=../priv/static/assets/app.css
    ),
    cd: Path.expand("../assets", __DIR__)
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
