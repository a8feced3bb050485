#!/usr/bin/env bash
# Builds the CNB lifecycle for linux/arm64 from the Go module proxy and packages it like the amd64 one
# cnb-tools.sh makes (the official release layout: lifecycle.toml + lifecycle/ with the binaries):
#
#   $ELIXIR_CNB_TOOLS/lifecycle/lifecycle-v<ver>+linux.arm64.tgz   for the arm64 builder's [lifecycle] uri
#
# Same version, flags and Go caches as cnb-tools.sh (so the module downloads are shared), GOARCH=arm64 for
# the lifecycle and launcher; the packager runs on the host and is built for it. Keyed on this script, the
# version and `go version`: a rerun with the same inputs is a no-op. Left out of cnb-tools.sh on purpose:
# its key hashes its own text, and the amd64 lifecycle must not be rebuilt because arm64 was added.
set -euo pipefail
shopt -s inherit_errexit

LIFECYCLE_VERSION=0.20.12 # keep in step with cnb-tools.sh

tools="${ELIXIR_CNB_TOOLS:-/var/cache/elixir-cnb}"
lifecycle_tgz="${tools}/lifecycle/lifecycle-v${LIFECYCLE_VERSION}+linux.arm64.tgz"
stamp="${tools}/lifecycle/arm64.stamp"
mkdir -p "${tools}/lifecycle"

if ! command -v go >/dev/null && [[ -x /usr/local/go/bin/go ]]; then
	export PATH="/usr/local/go/bin:${PATH}"
fi
command -v go >/dev/null || {
	echo "arm64-lifecycle: no Go toolchain on PATH" >&2
	exit 1
}

key="$(
	{
		cat "${BASH_SOURCE[0]}"
		echo "lifecycle=${LIFECYCLE_VERSION}"
		go version
	} | sha256sum | cut -d' ' -f1
)"
if [[ "$(cat "${stamp}" 2>/dev/null)" == "${key}" && -s "${lifecycle_tgz}" ]]; then
	echo "arm64-lifecycle: up to date (${lifecycle_tgz##*/})"
	exit 0
fi

export GOCACHE="${tools}/go/cache" GOMODCACHE="${tools}/go/mod"
export GOFLAGS="${GOFLAGS:+${GOFLAGS} }-modcacherw -trimpath -mod=mod" GOBIN=""
export CGO_ENABLED=0 GOOS=linux
build_log="${tools}/lifecycle/arm64-build.log"
: >"${build_log}"
work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT

# `go install MODULE@VERSION` asks the proxy for a version list, which it refuses here: build inside a
# throwaway module that requires exactly that version (as cnb-tools.sh does).
wrapper="${work}/wrap-lifecycle"
mkdir -p "${wrapper}"
printf 'module wrapper\n\ngo %s\n\nrequire github.com/buildpacks/lifecycle v%s\n' \
	"$(go env GOVERSION | sed 's/^go//')" "${LIFECYCLE_VERSION}" >"${wrapper}/go.mod"
go_install() { # GOARCH GOBIN LDFLAGS PACKAGE...
	local arch="$1" gobin="$2" ldflags="$3"
	shift 3
	if ! (cd "${wrapper}" && GOARCH="${arch}" GOBIN="${gobin}" go install -ldflags "${ldflags}" "$@") \
		>>"${build_log}" 2>&1; then
		echo "arm64-lifecycle: go install $* failed; last lines of ${build_log}:" >&2
		tail -n 30 "${build_log}" >&2
		exit 1
	fi
}

started=$SECONDS
echo "arm64-lifecycle: building lifecycle v${LIFECYCLE_VERSION} for linux/arm64"
mkdir -p "${work}/lifecycle" "${work}/tools"
# `go install` refuses GOBIN for a cross build; build into a dir instead.
(
	cd "${wrapper}" && GOARCH=arm64 go build -o "${work}/lifecycle/" -ldflags \
		"-s -w -X 'github.com/buildpacks/lifecycle/cmd.Version=${LIFECYCLE_VERSION}' -X 'github.com/buildpacks/lifecycle/cmd.SCMRepository=github.com/buildpacks/lifecycle'" \
		github.com/buildpacks/lifecycle/cmd/lifecycle github.com/buildpacks/lifecycle/cmd/launcher
) >>"${build_log}" 2>&1 || {
	echo "arm64-lifecycle: go build failed; last lines of ${build_log}:" >&2
	tail -n 30 "${build_log}" >&2
	exit 1
}
for binary in lifecycle launcher; do
	# ELF e_machine (2 bytes at offset 18) is 0xb7 for aarch64.
	[[ "$(od -An -tx1 -j18 -N2 "${work}/lifecycle/${binary}" | tr -d ' ')" == b700 ]] || {
		echo "arm64-lifecycle: ${binary} is not an aarch64 binary" >&2
		exit 1
	}
done
for phase in detector analyzer restorer builder exporter rebaser creator extender; do
	ln -sf lifecycle "${work}/lifecycle/${phase}"
done
go_install "$(go env GOHOSTARCH)" "${work}/tools" "-s -w" github.com/buildpacks/lifecycle/tools/packager
src="$(cd "${wrapper}" && go mod download -json "github.com/buildpacks/lifecycle@v${LIFECYCLE_VERSION}" |
	sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')"
[[ -f "${src}/lifecycle.toml" ]] || {
	echo "arm64-lifecycle: lifecycle source not found in the module cache (got '${src}')" >&2
	exit 1
}
"${work}/tools/packager" -inputDir "${work}/lifecycle" -archivePath "${work}/lifecycle.tgz" \
	-descriptorPath "${src}/lifecycle.toml" -version "${LIFECYCLE_VERSION}" >/dev/null
mv "${work}/lifecycle.tgz" "${lifecycle_tgz}"
echo "${key}" >"${stamp}"
echo "arm64-lifecycle: built in $((SECONDS - started))s"
