import Config

if greeting = System.get_env("GREETING") do
  config :myapp, greeting: greeting
end
