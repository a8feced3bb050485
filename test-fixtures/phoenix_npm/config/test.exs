import Config

# We don't run a server during test. If one is required,
# you can enable the server option below.
config :phoenix_npm, PhoenixNpmWeb.Endpoint,
  http: [ip: {127, 0, 0, 1}, port: 4002],
  secret_key_base: "Yw3c2rX0dQ7hN4mV9kZpL6tB1sF8gJ5aE2uC7xR0nM3qW6yT9vK4oH1iD8bG5lS2",
  server: false

# Print only warnings and errors during test
config :logger, level: :warning

# Initialize plugs at runtime for faster test compilation
config :phoenix, :plug_init_mode, :runtime
