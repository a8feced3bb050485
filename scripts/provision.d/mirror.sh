#!/usr/bin/env bash
# Builds a builds.hex.pm-shaped toolchain mirror for the integration tests from Debian's own Erlang/OTP and
# Elixir packages (builds.hex.pm itself is out of reach here):
#
#   $ELIXIR_CNB_TOOLS/mirror/builds/otp/amd64/debian-12/{builds.txt,OTP-25.2.3.tar.gz}     (bookworm)
#   $ELIXIR_CNB_TOOLS/mirror/builds/otp/amd64/debian-13/{builds.txt,OTP-27.3.4.x.tar.gz}   (trixie)
#   $ELIXIR_CNB_TOOLS/mirror/builds/elixir/{builds.txt,v1.14.0-otp-25.zip,v1.14.0.zip,v1.18.3-otp-27.zip,v1.18.3.zip}
#
# Packages come from Debian's archive with `apt-get download` (bookworm through the host's apt lists, trixie
# through a private apt state under $ELIXIR_CNB_TOOLS/apt so the host's stays untouched) and are unpacked with
# `dpkg-deb -x` into scratch roots; nothing is installed on the host. Each OTP tarball is Debian's
# /usr/lib/erlang as an upstream pre-install tree (see shared/notes/toolchain-mirror.md) plus our `Install`
# (otp-install.sh beside this file). The result is keyed on this script, the libraries it sources,
# otp-install.sh and the exact package versions: when those are unchanged a rerun is a quick no-op. The
# mirror is built in a temporary dir and renamed into place, so a reader never sees a half-written one.
# Outputs are deterministic (sorted archive entries, fixed mtimes), so their sha256 only moves when the
# packages do.
set -euo pipefail
me=mirror
# shellcheck source=scripts/provision.d/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=scripts/provision.d/mirror-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/mirror-lib.sh"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${tools}/mirror"
stamp="${tools}/mirror.stamp"
debs="${tools}/debs"
arch=amd64
layout=1         # bump to force a rebuild when the layout changes in a way the script hash misses

# suite -> builds.hex.pm distro label
declare -A distro=([bookworm]=debian-12 [trixie]=debian-13)
suites=(bookworm trixie)
# Besides erlang-nox's dependencies: mirror-lib.sh's otp_pkgs, and Elixir.
extra_pkgs=("${otp_pkgs[@]}" elixir)


started=$SECONDS
need apt-get apt-cache dpkg-deb tar gzip sha256sum sha1sum flock
mkdir -p "${tools}" "${debs}"
exec 9>"${tools}/mirror.lock"
flock 9
rm -rf "${tools}"/mirror.build.* # left by a killed run (we hold the lock, so no run is using them)
apt_install zip

# --- apt state per suite --------------------------------------------------------------------------------------
trixie_apt="${tools}/apt/trixie"
host_apt="${tools}/apt/host"
mkdir -p "${host_apt}"
mapfile -t apt_opts_trixie < <(mirror_apt_state_opts "${trixie_apt}")

apt_opts() { # apt_opts <suite>: sets the array `opts` (declared local by the caller)
	opts=(-o APT::Sandbox::User=root)
	if [[ "$1" == trixie ]]; then
		opts+=("${apt_opts_trixie[@]}")
	else
		# The host's lists, but our own binary cache of them (the host may disable its own, as Docker's
		# Debian images do; rebuilding it costs a second per apt-cache call).
		opts+=(-o "Dir::Cache::pkgcache=${host_apt}/pkgcache.bin" -o "Dir::Cache::srcpkgcache=${host_apt}/srcpkgcache.bin")
	fi
}

refresh_lists() { # refresh_lists <suite>
	local opts
	apt_opts "$1"
	if [[ "$1" == trixie ]]; then
		mkdir -p "${trixie_apt}"/{lists/partial,cache/archives/partial,sources.list.d}
		touch "${trixie_apt}/status"
		cat >"${trixie_apt}/sources.list" <<-EOF
			deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main
			deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie-updates main
			deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian-security trixie-security main
		EOF
		log "apt-get update (trixie, private apt state ${trixie_apt})"
		apt-get "${opts[@]}" -qq update
	else
		# The host's lists: other sources on the host may be unreachable, which must not stop us.
		log "apt-get update (host, for bookworm)"
		apt_get -qq update || log "apt-get update reported errors (ignored; checking the lists next)"
	fi
}

candidate_ok() { # candidate_ok <suite>: the suite's lists know erlang-nox and elixir
	local opts
	apt_opts "$1"
	apt-cache "${opts[@]}" show --no-all-versions erlang-nox elixir >/dev/null 2>&1
}

resolve() { # resolve <suite>: prints "package=version" lines, sorted
	local opts
	apt_opts "$1"
	mirror_resolve "$1" "${extra_pkgs[@]}"
}

# Quick no-op: same scripts and same apt lists as the last successful run.
inputs_stamp="${tools}/mirror.inputs"
inputs_key() {
	{
		echo "layout=${layout}"
		script_hash "${here}/mirror.sh" "${mirror_otp_install}"
		stat -c '%n %s %Y' /var/lib/apt/lists/*Packages* "${trixie_apt}"/lists/*Packages* 2>/dev/null || true
	} | sha256sum | cut -d' ' -f1
}
if [[ -d "${out}/builds" && -f "${stamp}" && -f "${inputs_stamp}" && "$(cat "${inputs_stamp}")" == "$(inputs_key)" ]]; then
	log "up to date (same scripts and apt lists as the last run); nothing to do ($((SECONDS - started))s)"
	exit 0
fi

declare -A pkgs
for suite in "${suites[@]}"; do
	if [[ "${suite}" == trixie && ! -f "${trixie_apt}/sources.list" ]] || ! candidate_ok "${suite}"; then
		refresh_lists "${suite}"
	fi
	candidate_ok "${suite}" || die "erlang-nox/elixir not found in ${suite}'s apt lists"
	pkgs[${suite}]=$(resolve "${suite}")
done

compute_key() {
	{
		echo "layout=${layout} arch=${arch} date=${build_date}"
		script_hash "${here}/mirror.sh" "${mirror_otp_install}"
		for suite in "${suites[@]}"; do
			echo "[${suite}]"
			echo "${pkgs[${suite}]}"
		done
	} | sha256sum | cut -d' ' -f1
}
key=$(compute_key)

if [[ -d "${out}/builds" && -f "${stamp}" && "$(cat "${stamp}")" == "${key}" ]]; then
	inputs_key >"${inputs_stamp}"
	log "up to date (key ${key:0:12}); nothing to do ($((SECONDS - started))s)"
	exit 0
fi
log "building (key ${key:0:12})"

# --- download ------------------------------------------------------------------------------------------------
download() { # download <suite>: fetches the pinned package versions into $debs/<suite>
	local opts
	apt_opts "$1"
	mirror_download "${debs}/$1" "${pkgs[$1]}"
}
for suite in "${suites[@]}"; do
	log "downloading ${suite}: $(grep -c . <<<"${pkgs[${suite}]}") packages," \
		"$(grep -E '^(erlang-base|elixir)=' <<<"${pkgs[${suite}]}" | tr '\n' ' ')"
	if ! download "${suite}"; then
		# Stale lists point at versions the archive has since dropped: refresh and resolve again.
		log "download failed; refreshing ${suite}'s lists and retrying"
		refresh_lists "${suite}"
		pkgs[${suite}]=$(resolve "${suite}")
		download "${suite}" || die "could not download ${suite}'s packages"
		key=$(compute_key)
	fi
done

# --- build -----------------------------------------------------------------------------------------------------
scratch=$(mktemp -d "${tools}/mirror.build.XXXXXX")
trap 'rm -rf "${scratch}"' EXIT
new="${scratch}/mirror"
mkdir -p "${new}/builds/elixir"

deterministic_zip() { # deterministic_zip <dir> <output>: zip of <dir>'s contents, sorted, fixed mtimes
	find "$1" -exec touch -h -d "@${epoch}" {} +
	(cd "$1" && find . -mindepth 1 | sed 's|^\./||' | LC_ALL=C sort |
		TZ=UTC zip -X -y -q -9 -@ "$2")
}

elixir_index="${new}/builds/elixir/builds.txt"
: >"${elixir_index}"

for suite in "${suites[@]}"; do
	root="${scratch}/root-${suite}"
	mkdir -p "${root}"
	log "unpacking ${suite}"
	while IFS= read -r pv; do
		dpkg-deb -x "$(mirror_deb_file "${debs}/${suite}" "${pv}")" "${root}"
	done <<<"${pkgs[${suite}]}"

	stage="${scratch}/stage-${suite}"
	mirror_pack_otp "${root}" "${stage}" "${new}" "${arch}" "${distro[${suite}]}"
	otp_major=${otp_version%%.*}

	# Elixir: bin/ and lib/ of /usr/lib/elixir at the zip root.
	elixir_version=$(sed -n 's/^ELIXIR_VERSION=//p' "${root}/usr/lib/elixir/bin/elixir" | head -n1)
	[[ "${elixir_version}" =~ ^[0-9]+\.[0-9]+\.[0-9]+ ]] || die "${suite}: cannot read the Elixir version"
	ex_stage="${scratch}/elixir-${suite}"
	mkdir -p "${ex_stage}"
	cp -a "${root}/usr/lib/elixir/bin" "${root}/usr/lib/elixir/lib" "${ex_stage}/"
	[[ -z "$(find "${ex_stage}" -type l)" ]] || die "${suite}: unexpected symlinks in /usr/lib/elixir"
	log "packing Elixir v${elixir_version} for OTP ${otp_major}"
	zip_otp="${new}/builds/elixir/v${elixir_version}-otp-${otp_major}.zip"
	deterministic_zip "${ex_stage}" "${zip_otp}"
	cp "${zip_otp}" "${new}/builds/elixir/v${elixir_version}.zip"
	for name in "v${elixir_version}-otp-${otp_major}" "v${elixir_version}"; do
		printf '%s %s %s %s \n' "${name}" "$(fake_commit "${name}")" "${build_date}" \
			"$(sha "${new}/builds/elixir/${name}.zip")" >>"${elixir_index}"
	done
	rm -rf "${root}" "${stage}" "${ex_stage}"
done

# --- check the indexes -----------------------------------------------------------------------------------------
mirror_check_indexes "${new}"

# --- swap into place -------------------------------------------------------------------------------------------
old="${scratch}/old"
if [[ -e "${out}" ]]; then
	mv "${out}" "${old}"
fi
mv "${new}" "${out}"
echo "${key}" >"${stamp}"
inputs_key >"${inputs_stamp}" # after any list refresh this run did

# Keep only the .debs of the current versions.
for suite in "${suites[@]}"; do
	mirror_prune_debs "${debs}/${suite}" "${pkgs[${suite}]}"
done

for index in "${out}"/builds/otp/"${arch}"/*/builds.txt "${out}/builds/elixir/builds.txt"; do
	echo "== ${index#"${out}/"}"
	cat "${index}"
done
log "done in $((SECONDS - started))s: ${out}"
