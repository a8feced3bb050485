import Config

# For development, we disable any cache and enable
# debugging and code reloading.
config :hello_phoenix, HelloPhoenixWeb.Endpoint,
  # Binding to loopback ipv4 address prevents access from other machines.
  # Change to `ip: {0, 0, 0, 0}` to allow access from other machines.
  http: [ip: {127, 0, 0, 1}, port: 4000],
  check_origin: false,
  code_reloader: true,
  debug_errors: true,
  secret_key_base: "l0m8U7kUZ1YQm6Dr7vVtQF9xk1pH3aJxq0cYwQm5nF3cJ8wYbW2tR6dK9sL4vE1h",
  watchers: [
    esbuild: {Esbuild, :install_and_run, [:hello_phoenix, ~w(--sourcemap=inline --watch)]},
    tailwind: {Tailwind, :install_and_run, [:hello_phoenix, ~w(--watch)]}
  ]

# Enable dev routes for dashboard and mailbox
config :hello_phoenix, dev_routes: true

# Do not include metadata nor timestamps in development logs
config :logger, :console, format: "[$level] $message\n"

# Set a higher stacktrace during development. Avoid configuring such
# in production as building large stacktraces may be expensive.
config :phoenix, :stacktrace_depth, 20

# Initialize plugs at runtime for faster development compilation
config :phoenix, :plug_init_mode, :runtime
