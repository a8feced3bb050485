#!/usr/bin/env bash
# Builds pack and the CNB lifecycle from the Go module proxy (no release downloads are reachable), packages
# the lifecycle the way its official release tarball is laid out (lifecycle.toml + lifecycle/ with the
# binaries), writes a pack shim for the tests and configures pack to never touch a registry.
#
# Results under $ELIXIR_CNB_TOOLS:
#   bin/pack                                     the real pack
#   shim/pack                                    pack + `--network host --pull-policy never` for `pack build`
#                                                (if-not-present for a buildpack in the loopback registry)
#   lifecycle/lifecycle-v<ver>+linux.x86-64.tgz  local lifecycle for builder.toml's [lifecycle] uri
#   go/{cache,mod}                               Go build and module caches, so a rebuild is quick
set -euo pipefail
shopt -s inherit_errexit

PACK_VERSION=0.38.2
LIFECYCLE_VERSION=0.20.12

tools="${ELIXIR_CNB_TOOLS:-/var/cache/elixir-cnb}"
lifecycle_tgz="${tools}/lifecycle/lifecycle-v${LIFECYCLE_VERSION}+linux.x86-64.tgz"
stamp="${tools}/cnb-tools.stamp"
mkdir -p "${tools}/bin" "${tools}/shim" "${tools}/lifecycle"

if ! command -v go >/dev/null && [[ -x /usr/local/go/bin/go ]]; then
	export PATH="/usr/local/go/bin:${PATH}"
fi
command -v go >/dev/null || {
	echo "cnb-tools: no Go toolchain on PATH (pack ${PACK_VERSION} needs Go >= 1.24)" >&2
	exit 1
}

key="$(
	{
		cat "${BASH_SOURCE[0]}"
		echo "pack=${PACK_VERSION} lifecycle=${LIFECYCLE_VERSION}"
		go version
	} | sha256sum | cut -d' ' -f1
)"

if [[ "$(cat "${stamp}" 2>/dev/null)" != "${key}" || ! -x "${tools}/bin/pack" || ! -s "${lifecycle_tgz}" ]]; then
	export GOCACHE="${tools}/go/cache" GOMODCACHE="${tools}/go/mod"
	export GOFLAGS="${GOFLAGS:+${GOFLAGS} }-modcacherw -trimpath -mod=mod" GOBIN=""
	export CGO_ENABLED=0 GOOS=linux GOARCH=amd64
	build_log="${tools}/cnb-tools-build.log"
	: >"${build_log}"
	work="$(mktemp -d)"
	trap 'rm -rf "${work}"' EXIT

	# `go install MODULE@VERSION` asks the proxy for the module's version list (for deprecation notices),
	# which the proxy here refuses (403). A throwaway module that requires exactly that version builds the
	# same thing: its build list is the dependency's own go.mod graph.
	build_in_wrapper() { # MODULE VERSION GOBIN LDFLAGS PACKAGE...
		local module="$1" version="$2" gobin="$3" ldflags="$4"
		shift 4
		local dir="${work}/wrap-${module##*/}"
		mkdir -p "${dir}"
		printf 'module wrapper\n\ngo %s\n\nrequire %s %s\n' \
			"$(go env GOVERSION | sed 's/^go//')" "${module}" "${version}" >"${dir}/go.mod"
		if ! (cd "${dir}" && GOBIN="${gobin}" go install -ldflags "${ldflags}" "$@") >>"${build_log}" 2>&1; then
			echo "cnb-tools: go install $* failed; last lines of ${build_log}:" >&2
			tail -n 30 "${build_log}" >&2
			exit 1
		fi
	}

	started=$SECONDS
	echo "cnb-tools: building pack v${PACK_VERSION}"
	build_in_wrapper github.com/buildpacks/pack "v${PACK_VERSION}" "${tools}/bin" \
		"-s -w -X 'github.com/buildpacks/pack/pkg/client.Version=${PACK_VERSION}'" \
		github.com/buildpacks/pack

	echo "cnb-tools: building lifecycle v${LIFECYCLE_VERSION}"
	mkdir -p "${work}/lifecycle" "${work}/tools"
	# Same flags as the lifecycle's Makefile (CGO_ENABLED=0, so the launcher is static).
	build_in_wrapper github.com/buildpacks/lifecycle "v${LIFECYCLE_VERSION}" "${work}/lifecycle" \
		"-s -w -X 'github.com/buildpacks/lifecycle/cmd.Version=${LIFECYCLE_VERSION}' -X 'github.com/buildpacks/lifecycle/cmd.SCMRepository=github.com/buildpacks/lifecycle'" \
		github.com/buildpacks/lifecycle/cmd/lifecycle github.com/buildpacks/lifecycle/cmd/launcher
	for phase in detector analyzer restorer builder exporter rebaser creator extender; do
		ln -sf lifecycle "${work}/lifecycle/${phase}"
	done
	# The lifecycle's own packager renders lifecycle.toml (API lists and SBOM formats from its source at
	# this version) and writes the tarball in the official release layout, with normalized tar headers.
	build_in_wrapper github.com/buildpacks/lifecycle "v${LIFECYCLE_VERSION}" "${work}/tools" "-s -w" \
		github.com/buildpacks/lifecycle/tools/packager
	src="$(cd "${work}/wrap-lifecycle" && go mod download -json "github.com/buildpacks/lifecycle@v${LIFECYCLE_VERSION}" |
		sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')"
	[[ -f "${src}/lifecycle.toml" ]] || {
		echo "cnb-tools: lifecycle source not found in the module cache (got '${src}')" >&2
		exit 1
	}
	"${work}/tools/packager" -inputDir "${work}/lifecycle" -archivePath "${work}/lifecycle.tgz" \
		-descriptorPath "${src}/lifecycle.toml" -version "${LIFECYCLE_VERSION}" >/dev/null
	mv "${work}/lifecycle.tgz" "${lifecycle_tgz}"
	echo "${key}" >"${stamp}"
	echo "cnb-tools: built in $((SECONDS - started))s"
fi

# The shim is cheap to write: always (re)write it so it matches this script.
cat >"${tools}/shim/pack.tmp" <<SHIM
#!/usr/bin/env bash
# Written by scripts/provision.d/cnb-tools.sh. For \`pack build\` adds host networking (the build reaches a
# toolchain mirror on the host's 127.0.0.1; libcnb-test passes no --network), forbids pulling (no registry is
# reachable; the later --pull-policy wins over libcnb-test's if-not-present), and trusts extra buildpacks so
# the trusted builder's single creator container runs instead of the lifecycle-image flow.
# One exception to "never": a build naming an image in a registry on the loopback (the local registry that
# scripts/package publishes to) pulls what the engine lacks (if-not-present), so the buildpack really comes
# from that registry; the builder and run images are local, so nothing else is pulled.
# A test that passes \`--env ELIXIR_CNB_TEST_WORKSPACE=<dir>\` gets \`--workspace <dir>\`: the app dir a platform
# chooses (libcnb-test has no option for it).
pull_policy=never
workspace=()
for arg in "\$@"; do
	case "\${arg}" in
	127.*:[0-9]*/* | --buildpack=127.*:[0-9]*/*) pull_policy=if-not-present ;;
	ELIXIR_CNB_TEST_WORKSPACE=/*) workspace=(--workspace "\${arg#ELIXIR_CNB_TEST_WORKSPACE=}") ;;
	esac
done
for arg in "\$@"; do
	case "\${arg}" in
	-*) continue ;; # pack's global flags are all booleans, so the first other word is the subcommand
	build) exec "${tools}/bin/pack" "\$@" --network host --pull-policy "\${pull_policy}" --trust-extra-buildpacks "\${workspace[@]}" ;;
	*) break ;;
	esac
done
exec "${tools}/bin/pack" "\$@"
SHIM
chmod +x "${tools}/shim/pack.tmp"
mv "${tools}/shim/pack.tmp" "${tools}/shim/pack"

# pack's own config ($PACK_HOME, default ~/.pack): never pull, trust the local builders, nothing experimental.
pack="${tools}/bin/pack"
config="${PACK_HOME:-${HOME}/.pack}/config.toml"
want_builders=(elixir-cnb-test/builder:bookworm elixir-cnb-test/builder:trixie)
configured=true
grep -q '^pull-policy = "never"' "${config}" 2>/dev/null || configured=false
for b in "${want_builders[@]}"; do
	grep -q "name = \"${b}\"" "${config}" 2>/dev/null || configured=false
done
if [[ "${configured}" != true ]]; then
	"${pack}" config pull-policy never >/dev/null
	"${pack}" config experimental false >/dev/null
	for b in "${want_builders[@]}"; do
		"${pack}" config trusted-builders add "${b}" >/dev/null
	done
	echo "cnb-tools: pack configured (${config})"
fi
echo "cnb-tools: pack $("${pack}" --version), lifecycle ${LIFECYCLE_VERSION} at ${lifecycle_tgz}"
