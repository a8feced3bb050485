#!/usr/bin/env bash
# Makes the arm64 CNB builder the arm64 integration test runs on, the way builders.sh makes the amd64 ones
# (same users, labels and builder.toml), from the bookworm arm64 rootfs arm64-rootfs.sh cached and the
# arm64 lifecycle arm64-lifecycle.sh packaged:
#
#   elixir-cnb-test/base:bookworm-arm64    elixir-cnb-test/build:bookworm-arm64
#   elixir-cnb-test/run:bookworm-arm64     elixir-cnb-test/builder:bookworm-arm64
#
# All are linux/arm64 images; the engine runs them through qemu-user-static (arm64-binfmt.sh). Every image
# carries an `elixir-cnb-test.inputs` label: a hash of this script and the libraries it sources, the
# rootfs recipe and (for the builder) the lifecycle tarball and the images it was made from. A matching
# label means skip. Kept apart from builders.sh so the amd64 images' keys (which hash builders.sh) do not
# move when only arm64 changes.
set -euo pipefail
shopt -s inherit_errexit
me=arm64-builder
# shellcheck source=scripts/provision.d/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=scripts/provision.d/builder-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/builder-lib.sh"

LIFECYCLE_VERSION=0.20.12
SUITE=bookworm
VERSION=12
PLATFORM=linux/arm64
TAG="${SUITE}-arm64"
# OTP 25's arm64 JIT maps its code twice (RW and RX); qemu-user misses writes through the RW alias and the
# VM segfaults at boot. `+JPperf map` makes the JIT use one RWX mapping (OTP 26 has `+JMsingle true` for
# just that), at the cost of a /tmp/perf-<pid>.map per VM. Real arm64 hardware needs none of this: it is a
# property of these emulated images, set for apps in the run image and for buildpacks in the builder.
ERL_AFLAGS="+JPperf map"

lifecycle_tgz="${tools}/lifecycle/lifecycle-v${LIFECYCLE_VERSION}+linux.arm64.tgz"
logs="${tools}/builders/${TAG}"
mkdir -p "${logs}"

script_hash="$(script_hash "${BASH_SOURCE[0]}")"
replaced=() # image IDs this run untagged

arch_of() { docker image inspect --format '{{.Os}}/{{.Architecture}}' "$1" 2>/dev/null || true; }

remember() { # IMAGE: about to be replaced
	local id
	id="$(id_of "$1")"
	[[ -z "${id}" ]] || replaced+=("${id}")
}

[[ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]] || die "no qemu-aarch64 binfmt handler: run arm64-binfmt.sh first"
[[ -x "${pack}" ]] || die "${pack} missing: run cnb-tools.sh first"
[[ -s "${lifecycle_tgz}" ]] || die "${lifecycle_tgz} missing: run arm64-lifecycle.sh first"

# --- base: the cached rootfs tarball, imported as a linux/arm64 image -----------------------------------------
tarballs=("${tools}/rootfs-arm64/${SUITE}"-*.tar)
[[ ${#tarballs[@]} -eq 1 && -s "${tarballs[0]}" ]] || die "no ${SUITE} arm64 rootfs tarball: run arm64-rootfs.sh first"
base_key="$(basename "${tarballs[0]}" .tar)"
base_key="${base_key#"${SUITE}"-}"
base="elixir-cnb-test/base:${TAG}"
if [[ "$(label_of "${base}")" != "${base_key}" || "$(arch_of "${base}")" != "${PLATFORM}" ]]; then
	echo "arm64-builder: ${base}"
	remember "${base}"
	# `docker import --platform` is ignored by this engine (20.10 records the daemon's own platform), so
	# the tarball goes in through a FROM-scratch build, which records the platform it is given.
	ctx="$(mktemp -d "${tools}/rootfs-arm64/ctx.XXXXXX")"
	ln "${tarballs[0]}" "${ctx}/rootfs.tar" 2>/dev/null || cp "${tarballs[0]}" "${ctx}/rootfs.tar"
	printf 'FROM scratch\nADD rootfs.tar /\nLABEL elixir-cnb-test.inputs=%s\nCMD ["/bin/bash"]\n' "${base_key}" \
		>"${ctx}/Dockerfile"
	(run_logged "${logs}/base.log" docker build --quiet --platform "${PLATFORM}" --network none -t "${base}" "${ctx}") ||
		{
			rm -rf "${ctx}"
			exit 1
		}
	rm -rf "${ctx}"
fi
[[ "$(arch_of "${base}")" == "${PLATFORM}" ]] || die "${base} is $(arch_of "${base}"), not ${PLATFORM}"

# Emulation works in containers (cheap; catches a machine whose binfmt handler went away since).
machine="$(docker run --rm --platform "${PLATFORM}" --network none "${base}" uname -m 2>&1)" ||
	die "cannot run an arm64 container: ${machine}"
[[ "${machine}" == aarch64 ]] || die "an arm64 container reports machine '${machine}', not aarch64"

# --- build and run images, with builders.sh's Dockerfile (builder-lib.sh) ----------------------------------------
cnb_image() { # KIND(build|run)
	local kind="$1"
	local image="elixir-cnb-test/${kind}:${TAG}" key ctx
	key="$(image_key "${script_hash}" "$(id_of "${base}")" "${kind}")"
	if [[ "$(label_of "${image}")" == "${key}" ]]; then
		return 0
	fi
	echo "arm64-builder: ${image}"
	remember "${image}"
	ctx="$(mktemp -d)"
	cnb_dockerfile "${base}" "${TAG}" "${VERSION}" \
		"Debian ${VERSION} (${SUITE}) arm64 minbase ${kind} image for the Elixir buildpack's tests" "${key}" \
		"" "ERL_AFLAGS=\"${ERL_AFLAGS}\"" >"${ctx}/Dockerfile"
	run_logged "${logs}/${kind}.log" docker build --quiet --platform "${PLATFORM}" --network none -t "${image}" "${ctx}"
	rm -rf "${ctx}"
	[[ "$(arch_of "${image}")" == "${PLATFORM}" ]] || die "${image} came out $(arch_of "${image}")"
}
cnb_image build
cnb_image run

# --- builder, with builders.sh's builder.toml and `pack builder create` (builder-lib.sh) -------------------------
build="elixir-cnb-test/build:${TAG}" run="elixir-cnb-test/run:${TAG}" builder="elixir-cnb-test/builder:${TAG}"
key="$(image_key "${script_hash}" "$(sha256sum "${lifecycle_tgz}" | cut -d' ' -f1)" "$(id_of "${build}")" \
	"$(id_of "${run}")")"
if [[ "$(label_of "${builder}")" != "${key}" ]]; then
	echo "arm64-builder: ${builder}"
	remember "${builder}"
	# Emulation only (see ERL_AFLAGS above): every Erlang VM a buildpack starts needs it.
	builder_toml "Elixir buildpack test builder: Debian ${VERSION} (${SUITE}) arm64, local lifecycle ${LIFECYCLE_VERSION}" \
		"${build}" "${run}" "${lifecycle_tgz}" "[[build.env]]
name = \"ERL_AFLAGS\"
value = \"${ERL_AFLAGS}\"
suffix = \"default\"" >"${logs}/builder.toml"
	# No --target / [[targets]]: for a daemon builder pack 0.38 only accepts the daemon's own platform;
	# without them it takes the build image's (linux/arm64).
	builder_create "${logs}/create.log" "${builder}" "${logs}/builder.toml" "${key}"
	[[ "$(arch_of "${builder}")" == "${PLATFORM}" ]] || die "${builder} came out $(arch_of "${builder}")"
	lifecycle_arch="$(docker run --rm --platform "${PLATFORM}" --network none --entrypoint /cnb/lifecycle/lifecycle \
		"${builder}" -version 2>&1)" || die "the builder's arm64 lifecycle does not run: ${lifecycle_arch}"
fi

# pack's own config: trust this builder too (cnb-tools.sh trusts the amd64 ones).
config="${PACK_HOME:-${HOME}/.pack}/config.toml"
if ! grep -q "name = \"${builder}\"" "${config}" 2>/dev/null; then
	"${pack}" config trusted-builders add "${builder}" >/dev/null
fi

# The images this run replaced, if nothing else uses them now (never anything else).
for id in "${replaced[@]}"; do
	docker rmi "${id}" >/dev/null 2>&1 || true
done
echo "arm64-builder: ready: ${builder} (${PLATFORM})"
