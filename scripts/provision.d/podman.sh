#!/usr/bin/env bash
# Podman for tests/integration/podman.rs (`pack build` against podman instead of Docker, as users without
# a Docker daemon run it): Debian's `podman` (rootful), its Docker-compatible API on a socket of its own,
# and the test builders and run images in its storage (copied from the Docker engine, under the names
# the builders' metadata uses).
# Checked end to end: a container of the run image starts and answers, so a package that moved under us
# fails here with its cause named, not in the tests.
set -euo pipefail
me=podman
# shellcheck source=scripts/provision.d/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PODMAN_MAJOR=4 # bookworm's 4.3
socket=/run/podman/podman.sock

apt_install podman
version="$(podman --version | awk '{print $3}')"
[[ "${version%%.*}" == "${PODMAN_MAJOR}" ]] || die "podman ${version} is installed; these steps know podman ${PODMAN_MAJOR}.x"

# Podman raises a container's open-files limit to 1048576; this machine's sandbox refuses to raise a
# limit past its own (runc: "error setting rlimit type 7: operation not permitted"), and refuses large
# process limits too. Containers get the host's open-files limit, as Docker's do, and a process limit
# the sandbox allows.
conf=/etc/containers/containers.conf.d/elixir-cnb.conf
mkdir -p "$(dirname "${conf}")"
cat >"${conf}.new" <<CONF
# Written by elixir-cnb's scripts/provision.d/podman.sh.
[containers]
default_ulimits = ["nofile=$(ulimit -Hn):$(ulimit -Hn)", "nproc=32768:32768"]
CONF
restart=false
if ! cmp -s "${conf}.new" "${conf}"; then
	mv "${conf}.new" "${conf}"
	restart=true
else
	rm -f "${conf}.new"
fi

answers() { curl -fsS --max-time 5 --unix-socket "${socket}" http://d/_ping >/dev/null 2>&1; }
start_service() {
	pkill -f "podman system service" 2>/dev/null || true
	mkdir -p "$(dirname "${socket}")"
	rm -f "${socket}"
	log "starting podman's API service on ${socket} (log: ${tools}/podman-service.log)"
	# From /: conmon starts every container in the service's working directory, and a clone that
	# provisioned it may be gone by the next run ("[conmon:e] Failed to get working directory", and pack
	# gets "unable to upgrade to tcp, received 409").
	(cd / && exec setsid nohup podman system service --time=0 "unix://${socket}") </dev/null >>"${tools}/podman-service.log" 2>&1 &
	for _ in $(seq 60); do
		answers && break
		sleep 1
	done
	answers || die "podman's API service did not answer on ${socket} within 60 s; see ${tools}/podman-service.log"
}
if [[ "${restart}" == true ]] || ! answers; then
	start_service
fi

# The images, copied when podman's copy is not the engine's (same image IDs in both).
copied=()
for suite in ${ELIXIR_CNB_SUITES:-bookworm trixie}; do
	for kind in builder run; do
		image="elixir-cnb-test/${kind}:${suite}"
		want="$(docker image inspect -f '{{.Id}}' "${image}")"
		have="$(podman image inspect -f '{{.Id}}' "docker.io/${image}" 2>/dev/null || true)"
		[[ "sha256:${have#sha256:}" == "${want}" ]] && continue
		run_logged "${tools}/logs/podman-load.log" bash -c "docker save '${image}' | podman load"
		podman tag "localhost/${image}" "docker.io/${image}"
		copied+=("${image}")
	done
done

suites="${ELIXIR_CNB_SUITES:-bookworm trixie}"
suite="${suites##* }"
answer="$(podman run --rm "docker.io/elixir-cnb-test/run:${suite}" sh -c 'echo 42')" ||
	die "a container of elixir-cnb-test/run:${suite} did not start under podman"
[[ "${answer}" == 42 ]] || die "a podman container said ${answer}, not 42"
# And through the API service, as pack runs them: a service that answers pings may still fail to start
# containers (an earlier one started where a removed clone was); it is started again, once.
runs_through_service() {
	[[ "$(podman --url "unix://${socket}" run --rm "docker.io/elixir-cnb-test/run:${suite}" sh -c 'echo 42' 2>/dev/null)" == 42 ]]
}
if ! runs_through_service; then
	log "a container did not run through the API service: starting it again"
	start_service
	runs_through_service || die "a container did not run through podman's API service; see ${tools}/podman-service.log"
fi
log "podman ${version} answering on ${socket}; images ${copied[*]:-already there}; a container ran"
