#!/usr/bin/env bash
# A real OCI registry on 127.0.0.1 (Debian's docker-registry, the CNCF Distribution registry 2.8) that
# scripts/package publishes the multi-arch buildpack image to and the integration tests pull it from, as
# users pull it from Docker Hub. Plain HTTP on the loopback: Docker, pack and `docker manifest` all treat
# 127.0.0.0/8 registries as insecure ones, so nothing needs a certificate.
#
# The binary is taken out of Debian's package (`apt-get download` + `dpkg-deb -x`) rather than installed,
# so no system service or user is set up: the registry runs only when this script starts it, detached
# (own session, no stdin), so it outlives the CI step, with its storage and log under $ELIXIR_CNB_TOOLS/registry.
# Idempotent: a registry already answering on the address is left alone.
#
#   ELIXIR_CNB_REGISTRY   host:port to listen on (default 127.0.0.1:5000; loopback only)
set -euo pipefail
shopt -s inherit_errexit
me=registry
# shellcheck source=scripts/provision.d/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

address="${ELIXIR_CNB_REGISTRY:-127.0.0.1:5000}"
dir="${tools}/registry"
mkdir -p "${dir}/data"
exec 9>"${dir}/lock"
flock 9

case "${address}" in
127.*:*) ;;
*)
	echo "registry: ${address} is not a loopback address (127.0.0.0/8); refusing to listen there" >&2
	exit 1
	;;
esac

answers() { # a Distribution registry answers GET /v2/ with 200 and this header
	curl --silent --fail --max-time 5 --head "http://${address}/v2/" 2>/dev/null |
		grep -qi '^docker-distribution-api-version: registry/2.0'
}

# The binary, from Debian's archive by package name.
version="$(apt-cache policy docker-registry 2>/dev/null | sed -n 's/^  Candidate: //p')"
if [[ -z "${version}" || "${version}" == "(none)" ]]; then
	apt_get update -qq
	version="$(apt-cache policy docker-registry | sed -n 's/^  Candidate: //p')"
fi
bin="${dir}/docker-registry"
if [[ "$(cat "${dir}/version" 2>/dev/null)" != "${version}" || ! -x "${bin}" ]]; then
	echo "registry: extracting docker-registry ${version} from Debian's package"
	work="$(mktemp -d)"
	trap 'rm -rf "${work}"' EXIT
	(cd "${work}" && apt_get download -qq -o APT::Sandbox::User=root "docker-registry=${version}")
	dpkg-deb -x "${work}"/docker-registry_*.deb "${work}/root"
	mv "${work}/root/usr/bin/docker-registry" "${bin}.tmp"
	mv "${bin}.tmp" "${bin}"
	echo "${version}" >"${dir}/version"
fi

config="${dir}/config.yml"
cat >"${config}.tmp" <<CONFIG
# Written by scripts/provision.d/registry.sh.
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: ${dir}/data
  delete:
    enabled: true
http:
  addr: ${address}
CONFIG
mv "${config}.tmp" "${config}"

if answers; then
	echo "registry: already answering on http://${address}/v2/"
	exit 0
fi

# Our own registry from an earlier run, dead or listening elsewhere: stop it by its recorded pid.
if [[ -f "${dir}/pid" ]]; then
	old="$(cat "${dir}/pid")"
	if kill -0 "${old}" 2>/dev/null && [[ "$(cat "/proc/${old}/comm" 2>/dev/null)" == docker-registry ]]; then
		kill "${old}" 2>/dev/null || true
		sleep 1
	fi
	rm -f "${dir}/pid"
fi

echo "registry: starting docker-registry ${version} on ${address} (storage ${dir}/data, log ${dir}/registry.log)"
# 9>&-: the daemon must not inherit (and so hold) this script's lock.
setsid nohup "${bin}" serve "${config}" </dev/null >>"${dir}/registry.log" 2>&1 9>&- &
echo $! >"${dir}/pid"
for _ in $(seq 1 50); do
	if answers; then
		echo "registry: answering on http://${address}/v2/"
		exit 0
	fi
	kill -0 "$(cat "${dir}/pid")" 2>/dev/null || break
	sleep 0.2
done
echo "registry: docker-registry did not answer on ${address}; last lines of ${dir}/registry.log:" >&2
tail -n 20 "${dir}/registry.log" >&2 || true
exit 1
