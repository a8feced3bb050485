import Config

# Read at boot, not at build time: the deployment article's "runtime configuration".
if greeting = System.get_env("GREETING") do
  config :article_app, greeting: greeting
end
