# A Distillery 2.x release config, as in the deployment article. The buildpack reads the release
# names from it as text and never evaluates it.
~w(rel plugins *.exs)
|> Path.join()
|> Path.wildcard()
|> Enum.map(&Code.eval_file(&1))

use Distillery.Releases.Config,
  default_release: :default,
  default_environment: Mix.env()

environment :prod do
  set include_erts: true
  set include_src: false
  set cookie: :"hard-coded-in-rel-config"
end

release :distillery_app do
  set version: current_version(:distillery_app)
  set applications: [:runtime_tools]
end
