# Builds the Hex package tarball of a non-Mix package (rebar3 or erlang.mk project) for the local Hex
# repository (scripts/provision.d/hex-repo.sh), the way its own publishing tool would:
#
#   elixir -pa <hex ebin> hex-tarball.exs SRC_DIR OUT_TAR NAME VERSION LICENSE REQUIREMENTS
#
# NAME, VERSION, LICENSE and REQUIREMENTS come from shared/hex-sources/PROVENANCE.tsv (REQUIREMENTS as
# there: "telemetry ~> 1.0; cowboy ~> 2.7", or "(none)"). The rest is read from the source tree:
# - erlang.mk projects (an erlang.mk file): erlang.mk's hex-tarball-create rules: build_tools
#   [make, rebar3], description = PROJECT_DESCRIPTION, files = its HEX_TARBALL_FILES default plus the
#   Makefile's `HEX_TARBALL_FILES +=` lines;
# - rebar3 projects: rebar3_hex's rules: build_tools [rebar3], description from src/NAME.app.src, files =
#   its default list plus the app.src's include_files.
# Mix-based packages do not come here: `mix hex.build` packs them.
[src, out, name, version, license, requirements] = System.argv()

# rebar3_hex writes the real version into the packaged `.app.src` where it says `{vsn, "git"}` (the version
# of a git checkout); unpacked from Hex, with no git around it, rebar3 would make it "0.0.0" and Mix
# rejects the dependency (telemetry_poller does this).
app_src = Path.join([src, "src", "#{name}.app.src"])

if File.exists?(app_src) do
  File.write!(app_src, String.replace(File.read!(app_src), ~r/\{vsn,\s*"git"\}/, ~s({vsn, "#{version}"})))
end

read = fn path -> File.read!(Path.join(src, path)) end
exists? = fn path -> File.exists?(Path.join(src, path)) end

# Regular files under `dir` (relative to src), sorted; `pattern` filters basenames.
files_under = fn dir, pattern ->
  Path.join([src, dir, "**"])
  |> Path.wildcard(match_dot: true)
  |> Enum.filter(&File.regular?/1)
  |> Enum.map(&Path.relative_to(&1, src))
  |> Enum.filter(&String.match?(Path.basename(&1), pattern))
  |> Enum.sort()
end

wildcard = fn pattern ->
  Path.join(src, pattern)
  |> Path.wildcard()
  |> Enum.filter(&File.regular?/1)
  |> Enum.map(&Path.relative_to(&1, src))
  |> Enum.sort()
end

requirements =
  case String.trim(requirements) do
    "(none)" ->
      %{}

    reqs ->
      reqs
      |> String.split(";", trim: true)
      |> Map.new(fn req ->
        [dep, requirement] = req |> String.trim() |> String.split(" ", parts: 2)

        if String.contains?(requirement, "optional"),
          do: raise("optional requirement in #{inspect(req)}")

        {dep, %{"app" => dep, "optional" => false, "requirement" => String.trim(requirement)}}
      end)
  end

license = license |> String.split(" ", parts: 2) |> hd()

{build_tools, description, files} =
  if exists?.("erlang.mk") do
    makefile = read.("Makefile")
    [_, description] = Regex.run(~r/^PROJECT_DESCRIPTION\s*=\s*(.*)$/m, makefile)

    # `HEX_TARBALL_FILES += a \` + continuation lines.
    extra =
      case Regex.run(~r/^HEX_TARBALL_FILES\s*\+=((?:.*\\\n)*.*)$/m, makefile) do
        [_, list] -> list |> String.replace("\\\n", " ") |> String.split()
        nil -> []
      end

    files =
      wildcard.("early-plugins.mk") ++
        wildcard.("ebin/#{name}.app") ++
        wildcard.("ebin/#{name}.appup") ++
        wildcard.("erlang.mk") ++
        files_under.("include", ~r/\.hrl$/) ++
        wildcard.("LICENSE*") ++
        wildcard.("Makefile") ++
        wildcard.("plugins.mk") ++
        files_under.("priv", ~r//) ++
        wildcard.("README*") ++
        wildcard.("rebar.config") ++
        files_under.("src", ~r//) ++
        extra

    {["make", "rebar3"], String.trim(description), files}
  else
    app_src = "src/#{name}.app.src"
    {:ok, [{:application, _, props}]} = :file.consult(Path.join(src, app_src))
    include = for file <- Keyword.get(props, :include_files, []), do: to_string(file)

    files =
      (Enum.flat_map(~w(src c_src include priv), &files_under.(&1, ~r//)) ++
         Enum.flat_map(
           ~w(rebar.config.script rebar.config rebar.lock CHANGELOG* changelog* README* readme* LICENSE* license* NOTICE),
           wildcard
         ) ++ include)
      |> Enum.uniq()

    {["rebar3"], to_string(Keyword.fetch!(props, :description)), files}
  end

for file <- files, not exists?.(file), do: raise("#{name}: listed file #{file} is missing")

metadata = %{
  "name" => name,
  "app" => name,
  "version" => version,
  "description" => description,
  "licenses" => [license],
  "links" => %{},
  "build_tools" => build_tools,
  "requirements" => requirements,
  "files" => files
}

tar_files = for file <- files, do: {String.to_charlist(file), File.read!(Path.join(src, file))}
{:ok, %{tarball: tarball}} = :mix_hex_tarball.create(metadata, tar_files)
File.write!(out, tarball)
