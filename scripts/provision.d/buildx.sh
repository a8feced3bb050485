#!/usr/bin/env bash
# Builds Docker's buildx CLI plugin from the Go module proxy (no release downloads are reachable), for the
# bench's Dockerfile peer (bench/run: `mix phx.gen.release --docker`'s Dockerfile built with BuildKit). The
# docker CLI here (28.x) needs the plugin for DOCKER_BUILDKIT=1; the daemon is Debian's docker.io 20.10
# (API 1.41), whose embedded BuildKit the plugin's `docker` driver uses.
#
# The plugin goes into a Docker config dir of its own, not ~/.docker: with buildx installed the CLI makes
# BuildKit the default for every `docker build`, and the tests and provisioning build with the legacy
# builder. Whoever wants it sets DOCKER_CONFIG for that command:
#
#   DOCKER_CONFIG=$ELIXIR_CNB_TOOLS/buildx/docker-config DOCKER_BUILDKIT=1 docker build ...
#
# Results under $ELIXIR_CNB_TOOLS:
#   buildx/docker-config/cli-plugins/docker-buildx   the plugin
#   go/{cache,mod}                                   the Go caches cnb-tools.sh shares
set -euo pipefail
shopt -s inherit_errexit

# Checked with docker.io 20.10.24 (its BuildKit says v0.8): `docker buildx ls` lists the `docker` driver
# running, and a build FROM a local image works. Cache export (--cache-to) is not a feature of that driver.
BUILDX_VERSION=0.19.3

me=buildx
# shellcheck source=scripts/provision.d/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
plugins="${tools}/buildx/docker-config/cli-plugins"
stamp="${tools}/buildx.stamp"
mkdir -p "${plugins}"

if ! command -v go >/dev/null && [[ -x /usr/local/go/bin/go ]]; then
	export PATH="/usr/local/go/bin:${PATH}"
fi
command -v go >/dev/null || die "no Go toolchain on PATH (buildx ${BUILDX_VERSION} needs Go >= 1.22)"

key="$(printf '%s buildx=%s %s\n' "$(script_hash "${BASH_SOURCE[0]}")" "${BUILDX_VERSION}" "$(go version)" |
	sha256sum | cut -d' ' -f1)"

if [[ "$(cat "${stamp}" 2>/dev/null)" != "${key}" || ! -x "${plugins}/docker-buildx" ]]; then
	export GOCACHE="${tools}/go/cache" GOMODCACHE="${tools}/go/mod"
	export GOFLAGS="${GOFLAGS:+${GOFLAGS} }-modcacherw -trimpath -mod=mod" GOBIN=""
	export CGO_ENABLED=0 GOOS=linux GOARCH=amd64
	work="$(mktemp -d)"
	trap 'rm -rf "${work}"' EXIT
	started=$SECONDS
	log "building buildx v${BUILDX_VERSION}"
	# As cnb-tools.sh does: `go install MODULE@VERSION` asks the proxy for the version list, which it refuses;
	# a throwaway module requiring exactly that version builds the same (buildx's go.mod has no replace).
	printf 'module wrapper\n\ngo %s\n\nrequire github.com/docker/buildx v%s\n' \
		"$(go env GOVERSION | sed 's/^go//')" "${BUILDX_VERSION}" >"${work}/go.mod"
	ldflags="-s -w -X github.com/docker/buildx/version.Version=v${BUILDX_VERSION}"
	ldflags+=" -X github.com/docker/buildx/version.Package=github.com/docker/buildx"
	(cd "${work}" && run_logged "${tools}/logs/buildx-build.log" \
		go build -ldflags "${ldflags}" -o "${work}/docker-buildx" github.com/docker/buildx/cmd/buildx)
	mv "${work}/docker-buildx" "${plugins}/docker-buildx"
	echo "${key}" >"${stamp}"
	log "built in $((SECONDS - started))s"
fi
log "$(DOCKER_CONFIG="${tools}/buildx/docker-config" docker buildx version) in ${plugins}"
