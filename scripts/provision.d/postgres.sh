#!/usr/bin/env bash
# PostgreSQL for the tests that deploy apps with a database (tests/integration/postgres.rs): Debian's
# `postgresql` package, its binaries only. Each test run makes and drops clusters of its own on
# 127.0.0.1, so the package's own cluster (which its install may start) is stopped and left unused.
# Checked end to end: a throwaway cluster is made, started, queried and removed, so a package that moved
# under us fails here with its cause named, not in the tests.
set -euo pipefail
me=postgres
# shellcheck source=scripts/provision.d/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PG_MAJOR=15 # bookworm's
bin="/usr/lib/postgresql/${PG_MAJOR}/bin"

apt_install "postgresql-${PG_MAJOR}" postgresql-client-common
[[ -x "${bin}/postgres" ]] || die "postgresql-${PG_MAJOR} is installed, but ${bin}/postgres is missing"
if command -v pg_lsclusters >/dev/null && pg_lsclusters -h 2>/dev/null | grep -q online; then
	pg_lsclusters -h | awk '$4 == "online" {print $1, $2}' | while read -r version cluster; do
		pg_ctlcluster "${version}" "${cluster}" stop || true
	done
fi

check="$(mktemp -d /tmp/elixir-cnb-pg-check.XXXXXX)"
cleanup() {
	runuser -u postgres -- "${bin}/pg_ctl" -D "${check}/data" -m immediate stop >/dev/null 2>&1 || true
	rm -rf "${check}"
}
trap cleanup EXIT
chown postgres:postgres "${check}"
cd /
run_logged "${check}/initdb.log" runuser -u postgres -- "${bin}/initdb" -D "${check}/data" -U postgres \
	--auth=trust --no-sync -E UTF8 --locale=C
port=$((20000 + RANDOM % 20000))
run_logged "${check}/start.log" runuser -u postgres -- "${bin}/pg_ctl" -D "${check}/data" -l "${check}/server.log" \
	-o "-p ${port} -h 127.0.0.1 -k ${check}" -w start
answer="$(runuser -u postgres -- "${bin}/psql" -h 127.0.0.1 -p "${port}" -U postgres -tA -c 'SELECT 40 + 2')"
[[ "${answer}" == 42 ]] || die "a test cluster did not answer a query (it said: ${answer})"
log "PostgreSQL $("${bin}/postgres" --version | awk '{print $3}') in ${bin}: a throwaway cluster answered"
