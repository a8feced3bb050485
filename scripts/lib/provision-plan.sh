# shellcheck shell=bash
# The provisioning plan (see scripts/provision), for scripts that run it with steps of their own
# (scripts/demo builds the buildpack alongside). Source scripts/lib/jobs.sh first.
#
#   provision_plan TARGET...   adds the steps of these targets (demo, tests, packaging, arm64, all, bench;
#                              none means all) to the plan and writes $ELIXIR_CNB_TOOLS/env.sh

provision_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

provision_add() { # NAME "DEPS" [SCRIPT [ARGS...]]: provision.d/SCRIPT.sh (default NAME), unless planned
	jobs_has "$1" || jobs_add "$1" "$2" bash "${provision_dir}/provision.d/${3:-$1}.sh" "${@:4}"
}

provision_plan() {
	local target demo=false tests=false packaging=false arm64=false bench=false
	export ELIXIR_CNB_TOOLS="${ELIXIR_CNB_TOOLS:-/var/cache/elixir-cnb}"
	mkdir -p "${ELIXIR_CNB_TOOLS}"
	(($#)) || set -- all
	for target in "$@"; do
		case "${target}" in
		demo) demo=true ;;
		tests) tests=true ;;
		packaging) packaging=true ;;
		arm64) arm64=true ;;
		bench) bench=true ;; # not in all: only bench/run's Dockerfile peer needs it
		all) tests=true packaging=true arm64=true ;;
		*)
			echo "usage: scripts/provision [demo|tests|packaging|arm64|all|bench ...]" >&2
			return 2
			;;
		esac
	done
	# The demo builds on one suite (ELIXIR_CNB_SUITES, default trixie); the tests on both.
	if [[ "${tests}" == true ]]; then
		export ELIXIR_CNB_SUITES="bookworm trixie"
	else
		export ELIXIR_CNB_SUITES="${ELIXIR_CNB_SUITES:-trixie}"
	fi

	if [[ "${demo}" == true || "${tests}" == true ]]; then
		provision_add engine ""
		provision_add mirror ""
		provision_add cnb-tools ""
		provision_add builder-images "engine" builders images
		provision_add builders "builder-images cnb-tools" builders builders
	fi
	if [[ "${tests}" == true ]]; then
		provision_add hex-repo "mirror"
		provision_add node-mirror ""
		provision_add registry ""
		provision_add lint-tools ""
		provision_add postgres ""
		provision_add browser ""
		provision_add podman "builders"
		provision_add earlier-buildpack ""
		# Last: Hex and rebar3 from the local repository on both toolchains, end to end (trixie's in its
		# build image). The toolchains come from Debian's current packages, which move with security updates.
		provision_add hex-installs "hex-repo builder-images"
	fi
	if [[ "${packaging}" == true ]]; then
		provision_add engine ""
		provision_add registry ""
		provision_add cnb-tools ""
		provision_add musl-toolchain ""
	fi
	if [[ "${arm64}" == true ]]; then
		provision_add engine ""
		provision_add mirror ""
		provision_add cnb-tools ""
		provision_add arm64-binfmt ""
		provision_add arm64-mirror "mirror"
		provision_add arm64-rootfs "engine arm64-binfmt"
		provision_add arm64-lifecycle ""
		provision_add arm64-builder "engine cnb-tools arm64-rootfs arm64-lifecycle"
	fi
	if [[ "${bench}" == true ]]; then
		provision_add engine ""
		provision_add buildx "engine"
	fi
	provision_write_env
}

provision_write_env() {
	cat >"${ELIXIR_CNB_TOOLS}/env.sh" <<ENV
# Written by scripts/provision. Source it before running pack or the integration tests.
export ELIXIR_CNB_TOOLS="${ELIXIR_CNB_TOOLS}"
export PATH="${ELIXIR_CNB_TOOLS}/shim:${ELIXIR_CNB_TOOLS}/bin:\${PATH}"
export ELIXIR_CNB_MIRROR_DIR="${ELIXIR_CNB_TOOLS}/mirror"
# The local Hex repository (provision.d/hex-repo.sh): serve the dir at the root of the same base URL as the
# mirror; /repos/\${ELIXIR_CNB_HEX_ORG}/ only to requests with \`authorization: <contents of the key file>\`.
export ELIXIR_CNB_HEX_MIRROR_DIR="${ELIXIR_CNB_TOOLS}/hex-mirror"
export ELIXIR_CNB_HEX_REPO_PUBLIC_KEY="${ELIXIR_CNB_TOOLS}/hex-mirror/public_key"
export ELIXIR_CNB_HEX_INSTALLS_PUBLIC_KEY="${ELIXIR_CNB_TOOLS}/hex-mirror/installs/public_key.pem"
export ELIXIR_CNB_HEX_ORG=acme
export ELIXIR_CNB_HEX_ORG_KEY_FILE="${ELIXIR_CNB_TOOLS}/hex-keys/acme.key"
export ELIXIR_CNB_ARM64_MIRROR_DIR="${ELIXIR_CNB_TOOLS}/mirror-arm64"
export ELIXIR_CNB_ARM64_BUILDER="elixir-cnb-test/builder:bookworm-arm64"
export ELIXIR_CNB_REGISTRY="\${ELIXIR_CNB_REGISTRY:-127.0.0.1:5000}"
# Node.js in a nodejs.org/dist layout (node/dist/) and esbuild's binary (tools/), from the npm registry
# (provision.d/node-mirror.sh): served by the tests' mirror under the same base URL.
export ELIXIR_CNB_NODE_MIRROR_DIR="${ELIXIR_CNB_TOOLS}/node-mirror"
# PostgreSQL's binaries (provision.d/postgres.sh), for the tests' own clusters (tests/integration/postgres.rs).
export ELIXIR_CNB_PG_BIN="/usr/lib/postgresql/15/bin"
# Headless Chromium and playwright-core (provision.d/browser.sh), for tests/support/browser.mjs.
export ELIXIR_CNB_CHROMIUM="/usr/bin/chromium"
export ELIXIR_CNB_PLAYWRIGHT="${ELIXIR_CNB_TOOLS}/browser/node_modules/playwright-core"
# Podman's Docker-compatible API (provision.d/podman.sh), with the test builders in its storage.
export ELIXIR_CNB_PODMAN_SOCKET="/run/podman/podman.sock"
export INTEGRATION_TEST_BUILDERS="\${INTEGRATION_TEST_BUILDERS:-elixir-cnb-test/builder:bookworm elixir-cnb-test/builder:trixie}"
ENV
}
