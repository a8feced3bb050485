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
# the amd64 mirror's. The OTP tarball is made exactly as mirror.sh makes the amd64 ones: Debian's
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

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${tools}/mirror-arm64"
stamp="${tools}/mirror-arm64.stamp"
inputs_stamp="${tools}/mirror-arm64.inputs"
debs="${tools}/debs/bookworm-arm64"
apt_dir="${tools}/apt/bookworm-arm64"
arch=arm64
distro=debian-12
build_date="2024-01-01T00:00:00Z" # as mirror.sh
epoch=1704067200                  # = build_date
# As mirror.sh's extra_pkgs, without elixir (taken from the amd64 mirror, see above).
extra_pkgs=(erlang-dev erlang-src erlang-dialyzer erlang-common-test libjs-jquery libjs-jquery-tablesorter)

started=$SECONDS
need apt-get apt-cache dpkg-deb tar gzip sha256sum sha1sum flock
mkdir -p "${tools}" "${debs}" "${apt_dir}"/{lists/partial,cache/archives/partial,sources.list.d}
exec 9>"${tools}/mirror-arm64.lock"
flock 9
rm -rf "${tools}"/mirror-arm64.build.* # left by a killed run

opts=(
	-o APT::Sandbox::User=root
	-o APT::Architecture=arm64
	-o APT::Architectures=arm64
	-o "Dir::State::Lists=${apt_dir}/lists"
	-o "Dir::Etc::SourceList=${apt_dir}/sources.list"
	-o "Dir::Etc::SourceParts=${apt_dir}/sources.list.d"
	-o "Dir::Cache=${apt_dir}/cache"
	-o "Dir::State::status=${apt_dir}/status"
	-o "Dir::Cache::pkgcache=pkgcache.bin"
	-o "Dir::Cache::srcpkgcache=srcpkgcache.bin"
	-o "Acquire::IndexTargets::deb::DEP-11::DefaultEnabled=false"
	-o "Acquire::IndexTargets::deb::DEP-11-icons::DefaultEnabled=false"
	-o "Acquire::IndexTargets::deb::DEP-11-icons-small::DefaultEnabled=false"
	-o "Acquire::IndexTargets::deb::Contents-deb::DefaultEnabled=false"
)

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

resolve() { # prints "package=version" lines, sorted
	local deps
	deps=$(apt-cache "${opts[@]}" show --no-all-versions erlang-nox | sed -n 's/^Depends: //p' |
		tr ',' '\n' | sed -E 's/^ *//; s/[ :(|].*//' | sed '/^$/d')
	[[ -n "${deps}" ]] || die "no erlang-nox dependencies found"
	# shellcheck disable=SC2086
	apt-cache "${opts[@]}" show --no-all-versions ${deps} "${extra_pkgs[@]}" |
		awk '/^Package: /{p=$2} /^Version: /{print p "=" $2}' | LC_ALL=C sort -u
}

inputs_key() {
	{
		script_hash "${here}/arm64-mirror.sh" "${here}/otp-install.sh"
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
		script_hash "${here}/arm64-mirror.sh" "${here}/otp-install.sh"
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

download() {
	local -a list
	mapfile -t list <<<"${pkgs}"
	(cd "${debs}" && apt-get "${opts[@]}" -qq download "${list[@]}")
}
log "downloading $(grep -c . <<<"${pkgs}") packages, $(grep -E '^erlang-base=' <<<"${pkgs}")"
if ! download; then
	log "download failed; refreshing the lists and retrying"
	refresh_lists
	pkgs=$(resolve)
	download || die "could not download the arm64 packages"
	key=$(compute_key)
fi

deb_file() { # deb_file <package=version>: the .deb apt-get download wrote for it
	local p="${1%%=*}" v="${1#*=}" f
	for f in "${debs}/${p}_${v/:/%3a}_"*.deb; do
		[[ -f "$f" ]] && {
			echo "$f"
			return
		}
	done
	die "no .deb for $1 in ${debs}"
}

scratch=$(mktemp -d "${tools}/mirror-arm64.build.XXXXXX")
trap 'rm -rf "${scratch}"' EXIT
root="${scratch}/root"
new="${scratch}/mirror-arm64"
mkdir -p "${root}" "${new}/builds/otp"

log "unpacking"
while IFS= read -r pv; do
	deb="$(deb_file "${pv}")"
	case "${deb}" in
	*_arm64.deb | *_all.deb) ;;
	*) die "${deb##*/} is neither arm64 nor arch-independent" ;;
	esac
	dpkg-deb -x "${deb}" "${root}"
done <<<"${pkgs}"

# The rest is mirror.sh's recipe for one suite (keep them in step).
inline_outside_links() { # inline_outside_links <root> <tree>
	local root="$1" tree="$2" link target resolved
	while IFS= read -r -d '' link; do
		target=$(readlink "${link}")
		if [[ "${target}" == /* ]]; then
			resolved=$(readlink -m "${root}${target}")
		else
			resolved=$(readlink -m "$(dirname "${link}")/${target}")
		fi
		resolved=$(readlink -f "${resolved}") || true
		case "${resolved}" in
		"${tree}"/*) continue ;;
		"${root}"/*) [[ -f "${resolved}" ]] || die "${link#"${root}"} -> ${target}: target not in the packages" ;;
		*) die "${link#"${root}"} -> ${target} leaves the scratch root" ;;
		esac
		rm -f "${link}"
		cp "${resolved}" "${link}"
	done < <(find "${tree}" -type l -print0)
}
sha() { sha256sum "$1" | cut -d' ' -f1; }
fake_commit() { printf '%s' "$1" | sha1sum | cut -d' ' -f1; }

erl_tree="${root}/usr/lib/erlang"
otp_version_files=("${erl_tree}"/releases/*/OTP_VERSION)
[[ ${#otp_version_files[@]} -eq 1 && -f "${otp_version_files[0]}" ]] ||
	die "expected one releases/*/OTP_VERSION, found: ${otp_version_files[*]}"
otp_version=$(tr -d '[:space:]' <"${otp_version_files[0]}")
erts_dirs=("${erl_tree}"/erts-*)
[[ ${#erts_dirs[@]} -eq 1 && -d "${erts_dirs[0]}/bin" ]] || die "expected one erts-* dir"
for tpl in erl.src start.src start_erl.src; do
	[[ -f "${erts_dirs[0]}/bin/${tpl}" ]] || die "erts bin/${tpl} missing (erlang-src not unpacked?)"
done
[[ -f "${erl_tree}/releases/RELEASES.src" ]] || die "releases/RELEASES.src missing"
# The emulator must be an aarch64 ELF (e_machine 0xb7 at offset 18), or the wrong packages were fetched.
[[ "$(od -An -tx1 -j18 -N2 "${erts_dirs[0]}/bin/beam.smp" | tr -d ' ')" == b700 ]] ||
	die "${erts_dirs[0]##*/}/bin/beam.smp is not an aarch64 binary"

rm -rf "${erl_tree:?}/man" "${erl_tree:?}/bin"
rm -f "${erts_dirs[0]}"/bin/{erl,start,start_erl} "${erl_tree}"/releases/{RELEASES,start_erl.data}
inline_outside_links "${root}" "${erl_tree}"

stage="${scratch}/stage"
mkdir -p "${stage}"
mv "${erl_tree}" "${stage}/OTP-${otp_version}"
install -m 0755 "${here}/otp-install.sh" "${stage}/OTP-${otp_version}/Install"

otp_dir="${new}/builds/otp/${arch}/${distro}"
mkdir -p "${otp_dir}"
log "packing OTP-${otp_version} for ${arch}/${distro}"
tar -C "${stage}" --sort=name --mtime="@${epoch}" --owner=0 --group=0 --numeric-owner \
	--format=gnu -cf - "OTP-${otp_version}" | gzip -n -6 >"${otp_dir}/OTP-${otp_version}.tar.gz"
printf 'OTP-%s %s %s %s\n' "${otp_version}" "$(fake_commit "OTP-${otp_version}")" "${build_date}" \
	"$(sha "${otp_dir}/OTP-${otp_version}.tar.gz")" >"${otp_dir}/builds.txt"
# The same index line format as mirror.sh checks.
line="$(cat "${otp_dir}/builds.txt")"
[[ "${line}" =~ ^OTP-[0-9][0-9.]*\ [0-9a-f]{40}\ [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z\ [0-9a-f]{64}$ ]] ||
	die "bad index line: '${line}'"

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
keep=$(while IFS= read -r pv; do deb_file "${pv}"; done <<<"${pkgs}")
for f in "${debs}"/*.deb; do
	grep -qxF "$f" <<<"${keep}" || rm -f "$f"
done
echo "== builds/otp/${arch}/${distro}/builds.txt"
cat "${out}/builds/otp/${arch}/${distro}/builds.txt"
log "done in $((SECONDS - started))s: ${out}"
