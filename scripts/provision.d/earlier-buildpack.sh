#!/usr/bin/env bash
# An earlier version of this buildpack, for the upgrade test (tests/integration/upgrade.rs): the commit of
# main that test names in `EARLIER_COMMIT`, packaged the quick glibc way (`scripts/package
# x86_64-unknown-linux-gnu` of that commit: its buildpack.toml and its binary as bin/build and bin/detect).
# The tree comes from this clone's history (`git archive`, so the clone's worktrees stay as they are).
#
# Result: $ELIXIR_CNB_TOOLS/earlier-buildpack/<commit>/elixir-cnb_elixir, with a `commit` file beside it,
# keyed on the commit, this script and rustc's version. A dev build, as the tests build HEAD (it compiles
# in about half the time of a release build), in a target dir of its own: Cargo names a path package's
# build after its name and version, not its path, so in the tests' target dir one crate's build could
# pass for the other's.
set -euo pipefail
shopt -s inherit_errexit
me=earlier-buildpack
# shellcheck source=scripts/provision.d/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
test_file="${repo}/tests/integration/upgrade.rs"
commit="$(sed -n 's/^const EARLIER_COMMIT: &str = "\([0-9a-f]\{40\}\)";$/\1/p' "${test_file}")"
[[ -n "${commit}" ]] || die "no \`const EARLIER_COMMIT: &str = \"<40 hex digits>\";\` line in ${test_file}"
git -C "${repo}" cat-file -e "${commit}^{commit}" 2>/dev/null ||
	die "commit ${commit} (EARLIER_COMMIT in ${test_file}) is not in this clone's history: clone without --depth"

target=x86_64-unknown-linux-gnu
root="${tools}/earlier-buildpack"
out="${root}/${commit}"
key="$(printf '%s %s %s\n' "$(script_hash "${BASH_SOURCE[0]}")" "${commit}" "$(rustc --version)" | sha256sum | cut -d' ' -f1)"
if [[ "$(cat "${out}/key" 2>/dev/null)" == "${key}" && -x "${out}/elixir-cnb_elixir/bin/build" ]]; then
	log "buildpack of ${commit:0:12} in ${out}/elixir-cnb_elixir"
	exit 0
fi

started=$SECONDS
rm -rf "${root}"
mkdir -p "${root}/src" "${out}"
git -C "${repo}" archive "${commit}" | tar -x -C "${root}/src"
log "building ${commit:0:12} (dev, ${target})"
target_dir="${root}/target"
run_logged "${root}/build.log" env CARGO_TARGET_DIR="${target_dir}" \
	cargo build --manifest-path "${root}/src/Cargo.toml" --locked --target "${target}"
buildpack="${out}/elixir-cnb_elixir"
mkdir -p "${buildpack}/bin"
cp "${root}/src/buildpack.toml" "${buildpack}/"
cp "${target_dir}/${target}/debug/elixir-cnb" "${buildpack}/bin/build"
ln -s build "${buildpack}/bin/detect"
echo "${commit}" >"${out}/commit"
rm -rf "${root}/src" "${target_dir}"
echo "${key}" >"${out}/key"
log "built ${commit:0:12} in $((SECONDS - started)) s: ${buildpack}"
