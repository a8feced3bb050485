#!/usr/bin/env bash
# Builds a local Hex repository for the integration tests from ../shared/hex-sources (hex.pm, repo.hex.pm
# and builds.hex.pm are out of reach here), laid out so that one static HTTP server rooted at
# $ELIXIR_CNB_TOOLS/hex-mirror serves all of it:
#
#   public_key, names, versions, packages/NAME, tarballs/NAME-VERSION.tar   repository `hexpm`: every package
#                                                                           of hex-sources and hex-sources/
#                                                                           liveview, and jason 1.4.4 too (a
#                                                                           version for a bump)
#   repos/acme/{public_key,names,versions,packages/,tarballs/}               organization `acme`: a private
#                                                                           acme_hello (needs jason from hexpm)
#                                                                           and jason; serve it only to
#                                                                           requests with `authorization: KEY`
#   installs/hex-1.x.csv{,.signed}, installs/1.14.0/hex-2.5.1.ez            what `mix local.hex` fetches
#   installs/rebar3-1.x.csv{,.signed}, installs/1.14.0/rebar3-3.19.0        what `mix local.rebar` fetches
#   installs/public_key.pem                                                 the key the .signed files verify with
#
# Keys are made once and kept outside the served tree and the repo, in $ELIXIR_CNB_TOOLS/hex-keys (0700):
# repo.pem signs both registries, installs.pem signs the install lists (as Elixir's key does upstream),
# acme.key is the organization's auth key. They are test keys, for this machine's tests only.
#
# Everything is built with the toolchain mirror's Debian 12 OTP and Elixir (run from a scratch dir, nothing
# is installed on the host), so this runs after mirror.sh. The Hex archive is built once, with Elixir 1.14,
# and listed for Elixir >= 1.14.0: upstream does the same (an archive serves newer Elixirs), and it was
# checked on Elixir 1.18.3/OTP 27. rebar3 is Debian bookworm's escript, which also runs on OTP 27.
# The result is keyed on this script, its helpers and lib.sh, every hex-sources file, the toolchain's
# checksums, the rebar3 package and the keys: when those are unchanged a rerun is a quick no-op. It is built
# in a temporary dir and renamed into place. Quiet unless it fails; scripts/check-hex-repo proves it works.
set -euo pipefail
me=hex-repo
# shellcheck source=scripts/provision.d/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
sources="$(realpath -m "${ELIXIR_CNB_HEX_SOURCES:-${here}/../../../shared/hex-sources}")"
mirror="${tools}/mirror"
out="${tools}/hex-mirror"
keys="${tools}/hex-keys"
stamp="${tools}/hex-mirror.stamp"
org=acme
epoch=1704067200 # fixed mtimes for the tarballs (the registry's updated_at), as mirror.sh uses
layout=1         # bump to force a rebuild when the layout changes in a way the hashes miss


started=$SECONDS
need openssl tar unzip dpkg-deb apt-get apt-cache sha256sum sha512sum base64 flock xargs
[[ -f "${sources}/PROVENANCE.tsv" && -f "${sources}/liveview/PROVENANCE.tsv" ]] ||
	die "no hex-sources at ${sources} (set ELIXIR_CNB_HEX_SOURCES)"
mkdir -p "${tools}"
exec 9>"${tools}/hex-mirror.lock"
flock 9
rm -rf "${tools}"/hex-mirror.build.* # left by a killed run (we hold the lock, so no run is using them)

# --- inputs ------------------------------------------------------------------------------------------------
# The build toolchain: the mirror's Debian 12 OTP and the Elixir built for its major.
toolchain() { ELIXIR_CNB_MIRROR_DIR="${mirror}" bash "${here}/mirror-toolchain.sh" "$@"; }
toolchain_names=$(toolchain names debian-12) || die "no toolchain in ${mirror} (run mirror.sh first)"
read -r otp_name _ elixir_name _ <<<"${toolchain_names}"
elixir_version=${elixir_name#v}
elixir_version=${elixir_version%-otp-*}
installs_elixir="${elixir_version%.*}.0" # the `saved_elixir_version` upstream lists an archive under

# rebar3: Debian's package (a self-contained escript), pinned by version and checksum.
rebar_fields() { apt-cache show --no-all-versions rebar3 2>/dev/null | awk '/^Version: /{v=$2} /^SHA256: /{s=$2} END{if (v && s) print v, s}'; }
rebar_info=$(rebar_fields)
if [[ -z "${rebar_info}" ]]; then
	apt_get -qq update || log "apt-get update reported errors (ignored; checking the lists next)"
	rebar_info=$(rebar_fields)
fi
[[ -n "${rebar_info}" ]] || die "no rebar3 package in the host's apt lists"
read -r rebar_deb_version rebar_deb_sha <<<"${rebar_info}"
rebar_version=${rebar_deb_version#*:}
rebar_version=${rebar_version%-*}

# Keys, made once. A new key means a new repository (the key is part of the cache key).
mkdir -p "${keys}"
chmod 0700 "${keys}"
for pem in repo installs; do
	if [[ ! -s "${keys}/${pem}.pem" ]]; then
		log "generating the test signing key ${keys}/${pem}.pem"
		openssl genrsa -out "${keys}/${pem}.pem.tmp" 2048 2>/dev/null
		mv "${keys}/${pem}.pem.tmp" "${keys}/${pem}.pem"
	fi
done
if [[ ! -s "${keys}/${org}.key" ]]; then
	(umask 077 && openssl rand -hex 32 >"${keys}/${org}.key.tmp")
	mv "${keys}/${org}.key.tmp" "${keys}/${org}.key"
fi

hex_version=$(awk -F'\t' '$1 == "hex" {print $2}' "${sources}/PROVENANCE.tsv")
[[ -n "${hex_version}" ]] || die "no hex row in PROVENANCE.tsv"

key=$(
	{
		echo "layout=${layout} org=${org} epoch=${epoch}"
		script_hash "${here}"/{hex-repo.sh,hex-tarball.exs,hex-verify.exs,mirror-toolchain.sh,zip-redate.py}
		(cd "${sources}" && sha256sum PROVENANCE.tsv ./*.tar.gz liveview/PROVENANCE.tsv liveview/*.tar.gz)
		echo "${toolchain_names} rebar3=${rebar_deb_version} ${rebar_deb_sha}"
		for pem in repo installs; do openssl rsa -in "${keys}/${pem}.pem" -pubout 2>/dev/null; done
		sha256sum <"${keys}/${org}.key"
	} | sha256sum | cut -d' ' -f1
)
if [[ -d "${out}" && -f "${stamp}" && "$(cat "${stamp}")" == "${key}" ]]; then
	log "up to date (key ${key:0:12}); nothing to do ($((SECONDS - started))s)"
	exit 0
fi
log "building (key ${key:0:12}) with ${otp_name} and Elixir ${elixir_version}"

scratch=$(mktemp -d "${tools}/hex-mirror.build.XXXXXX")
trap 'rm -rf "${scratch}"' EXIT
new="${scratch}/hex-mirror"
mkdir -p "${new}/tarballs" "${new}/installs/${installs_elixir}" "${new}/repos/${org}/tarballs"

# --- toolchain -----------------------------------------------------------------------------------------------
toolchain unpack debian-12 "${scratch}"
export PATH="${scratch}/otp/bin:${scratch}/elixir/bin:${PATH}"
export LANG=C.UTF-8 MIX_ENV=prod HEX_OFFLINE=1 MIX_HOME="${scratch}/mix" HEX_HOME="${scratch}/hex"
# Nothing from the caller's environment steers the build (plug reads PLUG_CRYPTO_2_0 at load time).
unset HEX_MIRROR HEX_BUILDS_URL HEX_UNSAFE_REGISTRY HEX_NO_VERIFY_REPO_ORIGIN MIX_EXS MIX_DEPS_PATH \
	MIX_BUILD_PATH MIX_BUILD_ROOT PLUG_CRYPTO_2_0 MIX_REBAR3 MIX_XDG

# --- the Hex archive -----------------------------------------------------------------------------------------
mkdir -p "${scratch}/src"
tar -xzf "${sources}/hex-${hex_version}.tar.gz" -C "${scratch}/src"
hex_ez="${new}/installs/${installs_elixir}/hex-${hex_version}.ez"
(cd "${scratch}/src/hex-${hex_version}" && run_logged "${scratch}/hex-archive.log" mix archive.build -o "${hex_ez}")
# OTP 25's :zip dates entries with invalid DOS times one second in thirty, which trixie's OTP 27 refuses to
# extract (`mix local.hex` then fails with {:error, :badarg}): the same entries, dated the epoch's day.
# zip-redate.py says more; the installs check at the end of scripts/provision proves it on both toolchains.
python3 "${here}/zip-redate.py" "${hex_ez}" "$(date -u -d "@${epoch}" +%F)" || die "re-dating ${hex_ez} failed"
run_logged "${scratch}/hex-install.log" mix archive.install "${hex_ez}" --force
hex_ebin="${MIX_HOME}/archives/hex-${hex_version}/hex-${hex_version}/ebin"
[[ -d "${hex_ebin}" ]] || die "the Hex archive did not install to ${hex_ebin}"

# --- package tarballs ----------------------------------------------------------------------------------------
# Mix packages with `mix hex.build`; Erlang ones (no `elixir:` requirement) with hex-tarball.exs, which writes
# the metadata their own tools would from PROVENANCE.tsv and the source tree. Two at a time (two cores).
# phoenix_live_view (liveview/, see its README) builds in MIX_ENV=dev: its config/config.exs imports
# config/#{config_env()}.exs and upstream ships no prod.exs; the Hex file list leaves config/ out anyway.
build_package() { # build_package <source dir>\t<PROVENANCE row>
	local from name version license elixir_req deps dir env=prod
	IFS=$'\t' read -r from name version _ _ _ license elixir_req deps _ <<<"$1"
	dir="${scratch}/src/${name}-${version}"
	[[ "${name}" == phoenix_live_view ]] && env=dev
	tar -xzf "${from}/${name}-${version}.tar.gz" -C "${scratch}/src"
	if [[ "${elixir_req}" == n/a* ]]; then
		run_logged "${scratch}/${name}-${version}.log" elixir -pa "${hex_ebin}" "${here}/hex-tarball.exs" \
			"${dir}" "${new}/tarballs/${name}-${version}.tar" "${name}" "${version}" "${license}" "${deps}"
	else
		(cd "${dir}" && MIX_ENV="${env}" run_logged "${scratch}/${name}-${version}.log" \
			mix hex.build -o "${new}/tarballs/${name}-${version}.tar")
	fi
	rm -rf "${dir}"
}
export -f build_package run_logged die
export scratch sources new hex_ebin here me
{
	awk -F'\t' -v from="${sources}" 'NR > 1 && $1 != "hex" {print from "\t" $0}' "${sources}/PROVENANCE.tsv"
	awk -F'\t' -v from="${sources}/liveview" 'NR > 1 {print from "\t" $0}' "${sources}/liveview/PROVENANCE.tsv"
} >"${scratch}/packages.tsv"
# shellcheck disable=SC2016 # $0 is for the inner bash
tr '\n' '\0' <"${scratch}/packages.tsv" | xargs -0 -n 1 -P 2 bash -c 'build_package "$0"' ||
	die "building the package tarballs failed"
count=$(find "${new}/tarballs" -name '*.tar' | wc -l)
expected=$(wc -l <"${scratch}/packages.tsv")
[[ "${count}" -eq "${expected}" ]] || die "built ${count} tarballs, expected ${expected}"

# One package in two versions, so a dependency bump can be measured (bench/run): jason's own source
# packed once more as 1.4.4, a version of this test repository only. Fixtures lock 1.4.5, the newest.
bump_src="${scratch}/src/jason-bump"
mkdir -p "${bump_src}"
tar -xzf "${sources}/jason-1.4.5.tar.gz" -C "${bump_src}" --strip-components 1
sed -i 's/^  @version "1.4.5"$/  @version "1.4.4"/' "${bump_src}/mix.exs"
grep -q '^  @version "1.4.4"$' "${bump_src}/mix.exs" || die "jason's mix.exs has no @version to change"
(cd "${bump_src}" && run_logged "${scratch}/jason-bump.log" mix hex.build -o "${new}/tarballs/jason-1.4.4.tar")

# The organization's private package: generated here (not from hex-sources), it depends on jason from hexpm.
acme_src="${scratch}/src/${org}_hello"
mkdir -p "${acme_src}/lib"
cat >"${acme_src}/mix.exs" <<EOF
defmodule AcmeHello.MixProject do
  use Mix.Project

  def project do
    [
      app: :${org}_hello,
      version: "0.1.0",
      elixir: "~> 1.14",
      description: "A private package of the ${org} organization (elixir-cnb test data)",
      package: [licenses: ["BSD-3-Clause"], links: %{}],
      deps: [{:jason, "~> 1.4"}]
    ]
  end
end
EOF
cat >"${acme_src}/lib/${org}_hello.ex" <<'EOF'
defmodule AcmeHello do
  @moduledoc "Says hello in JSON."
  def hello(name), do: Jason.encode!(%{hello: name})
end
EOF
(cd "${acme_src}" && run_logged "${scratch}/${org}_hello.log" mix hex.build -o "${new}/repos/${org}/tarballs/${org}_hello-0.1.0.tar")
cp "${new}"/tarballs/jason-*.tar "${new}/repos/${org}/tarballs/"

# --- registries ----------------------------------------------------------------------------------------------
find "${new}" -name '*.tar' -exec touch -d "@${epoch}" {} +
run_logged "${scratch}/registry.log" mix hex.registry build "${new}" --name=hexpm --private-key="${keys}/repo.pem"
run_logged "${scratch}/registry-${org}.log" mix hex.registry build "${new}/repos/${org}" --name="${org}" \
	--private-key="${keys}/repo.pem"

# --- installs ------------------------------------------------------------------------------------------------
debs="${tools}/debs/hex"
mkdir -p "${debs}"
rebar_deb="${debs}/rebar3_${rebar_deb_version/:/%3a}_all.deb"
if [[ ! -f "${rebar_deb}" ]] || ! sha256sum "${rebar_deb}" | grep -q "^${rebar_deb_sha} "; then
	rm -f "${debs}"/rebar3_*.deb
	(cd "${debs}" && apt_get -qq -o APT::Sandbox::User=root download "rebar3=${rebar_deb_version}")
fi
sha256sum "${rebar_deb}" | grep -q "^${rebar_deb_sha} " || die "${rebar_deb}: checksum differs from apt's"
dpkg-deb -x "${rebar_deb}" "${scratch}/rebar3"
head -n 2 "${scratch}/rebar3/usr/bin/rebar3" | grep -q "Rebar3 ${rebar_version}" ||
	die "the rebar3 package's /usr/bin/rebar3 is not the rebar3 ${rebar_version} escript"
rebar_file="${new}/installs/${installs_elixir}/rebar3-${rebar_version}"
install -m 0755 "${scratch}/rebar3/usr/bin/rebar3" "${rebar_file}"

# CSV rows: <version>,<sha512 of the file>,<oldest Elixir it is for>; the .signed file is the base64 of an
# RSA/SHA-512 signature of the CSV (what Mix's local.hex/local.rebar verify).
printf '%s,%s,%s\n' "${hex_version}" "$(sha512sum "${hex_ez}" | cut -d' ' -f1)" "${installs_elixir}" \
	>"${new}/installs/hex-1.x.csv"
printf '%s,%s,%s\n' "${rebar_version}" "$(sha512sum "${rebar_file}" | cut -d' ' -f1)" "${installs_elixir}" \
	>"${new}/installs/rebar3-1.x.csv"
openssl rsa -in "${keys}/installs.pem" -pubout -out "${new}/installs/public_key.pem" 2>/dev/null
for csv in hex-1.x.csv rebar3-1.x.csv; do
	openssl dgst -sha512 -sign "${keys}/installs.pem" "${new}/installs/${csv}" | base64 -w0 >"${new}/installs/${csv}.signed"
	openssl dgst -sha512 -verify "${new}/installs/public_key.pem" \
		-signature <(base64 -d "${new}/installs/${csv}.signed") "${new}/installs/${csv}" >/dev/null ||
		die "installs/${csv}: signature does not verify"
done

# --- check and swap into place -------------------------------------------------------------------------------
run_logged "${scratch}/verify.log" elixir -pa "${hex_ebin}" "${here}/hex-verify.exs" "${new}" hexpm "${new}/public_key"
run_logged "${scratch}/verify-${org}.log" elixir -pa "${hex_ebin}" "${here}/hex-verify.exs" "${new}/repos/${org}" \
	"${org}" "${new}/public_key"
chmod -R a+rX "${new}"
if [[ -e "${out}" ]]; then
	mv "${out}" "${scratch}/old"
fi
mv "${new}" "${out}"
echo "${key}" >"${stamp}"
log "done in $((SECONDS - started))s: ${out} ($(find "${out}" -name '*.tar' | wc -l) tarballs," \
	"Hex ${hex_version} and rebar3 ${rebar_version} for Elixir >= ${installs_elixir})"
