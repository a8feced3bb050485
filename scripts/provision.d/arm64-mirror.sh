#!/usr/bin/env bash
# Adds arm64 Erlang/OTP, from Debian bookworm's arm64 packages, to a builds.hex.pm-shaped mirror for the
# arm64 integration test. The amd64 mirror (mirror.sh) is renamed into place whole on every rebuild and its
# key hashes mirror.sh, so the arm64 files live in a tree of their own that is a superset of it:
#
#   $ELIXIR_CNB_TOOLS/mirror-arm64/builds/otp/arm64/debian-12/{builds.txt,OTP-25.2.3.tar.gz}   (made here)
#   $ELIXIR_CNB_TOOLS/mirror-arm64/builds/otp/amd64  -> ../../../mirror/builds/otp/amd64           (symlink)
#   $ELIXIR_CNB_TOOLS/mirror-arm64/builds/elixir     -> ../../mirror/builds/elixir                 (symlink)
#
# Elixir is `Architecture: all` in Debian (the arm64 and amd64 archives carry the same .deb), so its zips are
# the amd64 mirror's. The OTP tarball is made by the same code as mirror.sh's (mirror-lib.sh): Debian's
# /usr/lib/erlang as an upstream pre-install tree plus otp-install.sh as `Install`, packed
# deterministically, so it relocates the same way. Packages come from a private apt state for bookworm
# arm64 ($ELIXIR_CNB_TOOLS/apt/bookworm-arm64; the host's apt state is untouched) and are only unpacked
# with `dpkg-deb -x`: nothing arm64 runs here. Keyed on this script, the libraries it sources,
# otp-install.sh and the exact package versions; a rerun with the same inputs is a quick no-op. Built in a
# scratch dir and renamed into place.
set -euo pipefail
me=arm64-mirror
# shellcheck source=scripts/provision.d/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=scripts/provision.d/mirror-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/mirror-lib.sh"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${tools}/mirror-arm64"
stamp="${tools}/mirror-arm64.stamp"
inputs_stamp="${tools}/mirror-arm64.inputs"
debs="${tools}/debs/bookworm-arm64"
apt_dir="${tools}/apt/bookworm-arm64"
arch=arm64
distro=debian-12

started=$SECONDS
need apt-get apt-cache dpkg-deb tar gzip sha256sum sha1sum flock
mkdir -p "${tools}" "${debs}" "${apt_dir}"/{lists/partial,cache/archives/partial,sources.list.d}
exec 9>"${tools}/mirror-arm64.lock"
flock 9
rm -rf "${tools}"/mirror-arm64.build.* # left by a killed run

mapfile -t opts < <(mirror_apt_state_opts "${apt_dir}")
opts=(-o APT::Sandbox::User=root -o APT::Architecture=arm64 -o APT::Architectures=arm64 "${opts[@]}")

# The same suites the host's bookworm lists come from, so the arm64 OTP is the same Debian version.
write_sources() {
	touch "${apt_dir}/status"
	cat >"${apt_dir}/sources.list.tmp" <<-EOF
		deb [arch=arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main
		deb [arch=arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm-updates main
		deb [arch=arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian-security bookworm-security main
	EOF
	if ! cmp -s "${apt_dir}/sources.list.tmp" "${apt_dir}/sources.list"; then
		mv "${apt_dir}/sources.list.tmp" "${apt_dir}/sources.list"
		rm -rf "${apt_dir}"/lists/*Packages* # lists of other sources would linger
	else
		rm -f "${apt_dir}/sources.list.tmp"
	fi
}

refresh_lists() {
	log "apt-get update (bookworm arm64, private apt state ${apt_dir})"
	apt-get "${opts[@]}" -qq update
}

candidate_ok() { apt-cache "${opts[@]}" show --no-all-versions erlang-nox erlang-base >/dev/null 2>&1; }

# Elixir is taken from the amd64 mirror (see above).
resolve() { mirror_resolve "bookworm arm64" "${otp_pkgs[@]}"; }

inputs_key() {
	{
		script_hash "${here}/arm64-mirror.sh" "${mirror_otp_install}"
		stat -c '%n %s %Y' "${apt_dir}"/lists/*Packages* 2>/dev/null || true
	} | sha256sum | cut -d' ' -f1
}

write_sources
if [[ -d "${out}/builds" && -f "${stamp}" && -f "${inputs_stamp}" && "$(cat "${inputs_stamp}")" == "$(inputs_key)" ]]; then
	log "up to date (same scripts and apt lists as the last run); nothing to do ($((SECONDS - started))s)"
	exit 0
fi

candidate_ok || refresh_lists
candidate_ok || die "erlang-nox not found in bookworm's arm64 lists"
pkgs=$(resolve)

compute_key() {
	{
		echo "arch=${arch} distro=${distro} date=${build_date}"
		script_hash "${here}/arm64-mirror.sh" "${mirror_otp_install}"
		echo "${pkgs}"
	} | sha256sum | cut -d' ' -f1
}
key=$(compute_key)
if [[ -d "${out}/builds" && -f "${stamp}" && "$(cat "${stamp}")" == "${key}" ]]; then
	inputs_key >"${inputs_stamp}"
	log "up to date (key ${key:0:12}); nothing to do ($((SECONDS - started))s)"
	exit 0
fi
log "building (key ${key:0:12})"

download() { mirror_download "${debs}" "${pkgs}"; }
log "downloading $(grep -c . <<<"${pkgs}") packages, $(grep -E '^erlang-base=' <<<"${pkgs}")"
if ! download; then
	log "download failed; refreshing the lists and retrying"
	refresh_lists
	pkgs=$(resolve)
	download || die "could not download the arm64 packages"
	key=$(compute_key)
fi

scratch=$(mktemp -d "${tools}/mirror-arm64.build.XXXXXX")
trap 'rm -rf "${scratch}"' EXIT
root="${scratch}/root"
new="${scratch}/mirror-arm64"
mkdir -p "${root}" "${new}/builds/otp"

log "unpacking"
while IFS= read -r pv; do
	deb="$(mirror_deb_file "${debs}" "${pv}")"
	case "${deb}" in
	*_arm64.deb | *_all.deb) ;;
	*) die "${deb##*/} is neither arm64 nor arch-independent" ;;
	esac
	dpkg-deb -x "${deb}" "${root}"
done <<<"${pkgs}"

stage="${scratch}/stage"
mirror_pack_otp "${root}" "${stage}" "${new}" "${arch}" "${distro}"
# The emulator must be an aarch64 ELF (e_machine 0xb7 at offset 18), or the wrong packages were fetched.
beam=("${stage}/OTP-${otp_version}"/erts-*/bin/beam.smp)
[[ "$(od -An -tx1 -j18 -N2 "${beam[0]}" | tr -d ' ')" == b700 ]] ||
	die "${beam[0]#"${stage}/"} is not an aarch64 binary"
mirror_check_indexes "${new}"

# The rest of the mirror: the amd64 tree's, through relative links (valid across its rename-into-place).
ln -s ../../../mirror/builds/otp/amd64 "${new}/builds/otp/amd64"
ln -s ../../mirror/builds/elixir "${new}/builds/elixir"

if [[ -e "${out}" ]]; then
	mv "${out}" "${scratch}/old"
fi
mv "${new}" "${out}"
echo "${key}" >"${stamp}"
inputs_key >"${inputs_stamp}"

# Keep only the .debs of the current versions.
mirror_prune_debs "${debs}" "${pkgs}"
echo "== builds/otp/${arch}/${distro}/builds.txt"
cat "${out}/builds/otp/${arch}/${distro}/builds.txt"
log "done in $((SECONDS - started))s: ${out}"
