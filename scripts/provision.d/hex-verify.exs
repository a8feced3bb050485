# Checks a Hex registry the way Hex reads it, with Hex's own decoder (mix_hex_registry from the Hex archive):
#
#   elixir -pa <hex ebin> hex-verify.exs REPO_DIR REPO_NAME PUBLIC_KEY_PEM
#
# - `names`, `versions` and every `packages/NAME` verify against PUBLIC_KEY_PEM and name REPO_NAME as
#   their repository (what Hex checks unless told not to);
# - every release in `packages/*` has its tarball in `tarballs/`, whose outer checksum (sha256 of the file,
#   what mix.lock records) is the one the registry signed;
# - every tarball in `tarballs/` is in the registry.
# Prints one line per repository; raises on the first problem.
[dir, repo, key_file] = System.argv()
key = File.read!(key_file)
read = fn path -> File.read!(Path.join(dir, path)) end

{:ok, %{packages: names}} = :mix_hex_registry.unpack_names(read.("names"), repo, key)
{:ok, %{packages: versions}} = :mix_hex_registry.unpack_versions(read.("versions"), repo, key)
names = Enum.map(names, & &1.name) |> Enum.sort()
^names = Enum.map(versions, & &1.name) |> Enum.sort()

tarballs =
  for name <- names, reduce: [] do
    acc ->
      {:ok, %{releases: releases}} =
        case :mix_hex_registry.unpack_package(read.("packages/#{name}"), repo, name, key) do
          {:ok, _} = ok -> ok
          other -> raise "packages/#{name}: #{inspect(other)}"
        end

      for %{version: version, outer_checksum: checksum} <- releases, reduce: acc do
        acc ->
          tarball = "#{name}-#{version}.tar"

          if :crypto.hash(:sha256, read.("tarballs/#{tarball}")) != checksum do
            raise "tarballs/#{tarball}: checksum differs from the registry's"
          end

          [tarball | acc]
      end
  end

on_disk = dir |> Path.join("tarballs/*.tar") |> Path.wildcard() |> Enum.map(&Path.basename/1)

case on_disk -- tarballs do
  [] -> :ok
  extra -> raise "tarballs not in the registry: #{Enum.join(extra, ", ")}"
end

IO.puts(
  "registry #{repo} at #{dir}: #{length(names)} packages, #{length(tarballs)} releases, signatures and checksums ok"
)
