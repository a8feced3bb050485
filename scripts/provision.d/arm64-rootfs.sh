#!/usr/bin/env bash
# Debootstraps a Debian 12 (bookworm) arm64 minbase root for the arm64 test builder and caches it as a
# tarball, $ELIXIR_CNB_TOOLS/rootfs-arm64/bookworm-<key>.tar, keyed on the debootstrap recipe (the same
# packages builders.sh puts in the amd64 images). Needs no engine, only arm64 emulation (arm64-binfmt.sh):
# debootstrap's second stage runs the arm64 maintainer scripts under qemu, which takes minutes, so
# scripts/provision runs this alongside the amd64 steps and arm64-builder.sh imports the result.
#
# The tarballs live in their own directory: builders.sh removes stale `rootfs/bookworm-*.tar` files.
set -euo pipefail
shopt -s inherit_errexit

SUITE=bookworm
ARCH=arm64
DEBIAN_MIRROR=http://deb.debian.org/debian
# What Erlang needs at run time, plus certificates (as builders.sh's suite_packages for bookworm).
INCLUDE=ca-certificates,libssl3,libtinfo6,zlib1g,libstdc++6

tools="${ELIXIR_CNB_TOOLS:-/var/cache/elixir-cnb}"
dir_out="${tools}/rootfs-arm64"
mkdir -p "${dir_out}"

recipe="debootstrap --arch=${ARCH} --variant=minbase --include=${INCLUDE} ${SUITE} ${DEBIAN_MIRROR}"
key="$(printf '%s\n' "${recipe}" | sha256sum | cut -c1-16)"
tarball="${dir_out}/${SUITE}-${key}.tar"

exec 9>"${dir_out}/.lock"
flock 9
if [[ -s "${tarball}" ]]; then
	echo "arm64-rootfs: up to date (${tarball##*/})"
	exit 0
fi

[[ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]] ||
	{
		echo "arm64-rootfs: no qemu-aarch64 binfmt handler: run arm64-binfmt.sh first" >&2
		exit 1
	}

started=$SECONDS
echo "arm64-rootfs: debootstrap ${SUITE} ${ARCH} (second stage under emulation, takes minutes)"
work="$(mktemp -d "/tmp/rootfs-${SUITE}-${ARCH}.XXXXXX")"
trap 'rm -rf "${work}"' EXIT
log="${dir_out}/${SUITE}.log"
if ! debootstrap --arch="${ARCH}" --variant=minbase --include="${INCLUDE}" "${SUITE}" "${work}" "${DEBIAN_MIRROR}" \
	>"${log}" 2>&1; then
	echo "arm64-rootfs: debootstrap failed; last lines of ${log}:" >&2
	tail -n 40 "${log}" >&2
	exit 1
fi
# Nothing the image needs: package caches, and files the engine provides per container.
rm -rf "${work}"/var/cache/apt/archives/*.deb "${work}"/var/lib/apt/lists/* "${work}"/var/log/* \
	"${work}"/tmp/* "${work}"/etc/hostname "${work}"/etc/resolv.conf "${work}"/etc/machine-id
[[ "$(cat "${work}/var/lib/dpkg/arch" 2>/dev/null || echo "${ARCH}")" == "${ARCH}" ]] || {
	echo "arm64-rootfs: the root's dpkg architecture is not ${ARCH}" >&2
	exit 1
}
tar -C "${work}" --numeric-owner -cf "${tarball}.tmp" .
rm -f "${dir_out}/${SUITE}"-*.tar
mv "${tarball}.tmp" "${tarball}"
echo "arm64-rootfs: ${tarball##*/} done in $((SECONDS - started))s"
