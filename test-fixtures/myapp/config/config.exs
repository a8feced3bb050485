import Config

config :myapp, greeting: "Hello from myapp"
