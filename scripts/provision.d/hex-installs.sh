#!/usr/bin/env bash
# `mix local.hex` and `mix local.rebar` from the local Hex repository, on both toolchains of the mirror
# (scripts/check-hex-repo --installs: seconds). The toolchains are made from Debian's current Erlang
# packages, which move with security updates; when one stops installing what hex-repo.sh builds, this fails
# provisioning and names the packages, instead of a handful of integration tests failing far from the cause.
set -euo pipefail
me=hex-installs
# shellcheck source=scripts/provision.d/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

check_log="${tools}/logs/hex-installs.check.log"
stamp="${tools}/hex-installs.stamp"
mkdir -p "${tools}/logs"
here="$(dirname "${BASH_SOURCE[0]}")"
# Checked once per repository, toolchains and trixie build image.
key=$(
	{
		cat "${tools}/hex-mirror.stamp" "${tools}/mirror.stamp"
		script_hash "${here}/hex-installs.sh" "${here}/../check-hex-repo"
		docker image inspect --format '{{.Id}}' "${ELIXIR_CNB_TEST_IMAGES:-elixir-cnb-test}/build:trixie"
	} | sha256sum | cut -d' ' -f1
)
if [[ "$(cat "${stamp}" 2>/dev/null)" == "${key}" ]]; then
	log "Hex and rebar3 install on both toolchains (checked before with the same repository and toolchains)"
	exit 0
fi
rm -f "${stamp}"
if ! bash "${here}/../check-hex-repo" --installs >"${check_log}" 2>&1; then
	cat "${check_log}" >&2
	debs=$(cd "${tools}/debs" && find . -name 'erlang-base_*.deb' | sed 's|^\./||' | sort | tr '\n' ' ')
	die "\`mix local.hex\`/\`mix local.rebar\` from the local Hex repository failed (log above) with the" \
		"toolchain mirror's OTP, which is made from Debian's current packages (${debs% }). If Debian updated" \
		"them since the last good run, the new OTP no longer installs what provision.d/hex-repo.sh builds:" \
		"fix it there (provision.d/zip-redate.py is an earlier such drift)."
fi
grep '^  ok' "${check_log}"
echo "${key}" >"${stamp}"
log "Hex and rebar3 install on both toolchains"
