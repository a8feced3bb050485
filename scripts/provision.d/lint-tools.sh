#!/usr/bin/env bash
# Linters for what CI can't run here: actionlint (built from the Go module proxy) checks the GitHub
# Actions workflows in .github/workflows, and runs shellcheck (Debian's) on their `run:` scripts.
#
# Results: $ELIXIR_CNB_TOOLS/bin/actionlint, keyed on this script, lib.sh and the Go version.
set -euo pipefail
shopt -s inherit_errexit

ACTIONLINT_VERSION=1.7.12

me=lint-tools
# shellcheck source=scripts/provision.d/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
stamp="${tools}/lint-tools.stamp"
mkdir -p "${tools}/bin"

apt_install shellcheck

if ! command -v go >/dev/null && [[ -x /usr/local/go/bin/go ]]; then
	export PATH="/usr/local/go/bin:${PATH}"
fi
key="$(
	{
		script_hash "${BASH_SOURCE[0]}"
		go version
	} | sha256sum | cut -d' ' -f1
)"
if [[ "$(cat "${stamp}" 2>/dev/null)" == "${key}" && -x "${tools}/bin/actionlint" ]]; then
	echo "lint-tools: actionlint $("${tools}/bin/actionlint" -version | head -n 1), $(shellcheck --version | sed -n 's/^version: /shellcheck /p')"
	exit 0
fi

started=$SECONDS
export GOCACHE="${tools}/go/cache" GOMODCACHE="${tools}/go/mod"
export GOFLAGS="-modcacherw -trimpath -mod=mod" CGO_ENABLED=0
work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT
# As in cnb-tools.sh: the proxy refuses version lists, so `go install MODULE@VERSION` fails; a throwaway
# module that requires exactly that version builds the same binary.
printf 'module wrapper\n\ngo %s\n\nrequire github.com/rhysd/actionlint v%s\n' \
	"$(go env GOVERSION | sed 's/^go//')" "${ACTIONLINT_VERSION}" >"${work}/go.mod"
if ! (cd "${work}" && GOBIN="${work}/bin" go install \
	-ldflags "-s -w -X github.com/rhysd/actionlint.version=${ACTIONLINT_VERSION}" \
	github.com/rhysd/actionlint/cmd/actionlint) >"${work}/build.log" 2>&1; then
	tail -n 30 "${work}/build.log" >&2
	exit 1
fi
mv "${work}/bin/actionlint" "${tools}/bin/actionlint"
echo "${key}" >"${stamp}"
echo "lint-tools: actionlint ${ACTIONLINT_VERSION} built in $((SECONDS - started))s"
