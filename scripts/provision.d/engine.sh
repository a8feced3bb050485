#!/usr/bin/env bash
# Brings up a Docker engine (Debian's docker.io) on /var/run/docker.sock, plus debootstrap for the
# builder images. Idempotent: installs only what is missing and leaves a running daemon alone.
# The daemon is started detached (own session, no stdin, log in $ELIXIR_CNB_TOOLS/dockerd.log) so it
# outlives this script and the CI step that ran it.
set -euo pipefail
shopt -s inherit_errexit

me=engine
# shellcheck source=scripts/provision.d/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
log="${tools}/dockerd.log"

apt_install docker.io debootstrap ca-certificates

engine_up() { timeout 10 docker info >/dev/null 2>&1; }

if engine_up; then
	echo "engine: docker already answers"
	exit 0
fi

# A stale socket or pid file from a dead daemon would make dockerd refuse to start.
if [[ -f /var/run/docker.pid ]] && ! kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
	rm -f /var/run/docker.pid
fi

echo "engine: starting dockerd (log: ${log})"
setsid nohup dockerd --host unix:///var/run/docker.sock --exec-opt native.cgroupdriver=cgroupfs \
	</dev/null >>"${log}" 2>&1 &
daemon_pid=$!

for _ in $(seq 1 60); do
	if engine_up; then
		echo "engine: docker answers ($(docker version --format '{{.Server.Version}}' 2>/dev/null))"
		exit 0
	fi
	kill -0 "${daemon_pid}" 2>/dev/null || break # it exited: the log says why
	sleep 1
done

echo "engine: dockerd did not answer within 60s; last lines of ${log}:" >&2
tail -n 30 "${log}" >&2 || true
exit 1
