import Config

config :article_app, greeting: "Hello (compile-time default)"
