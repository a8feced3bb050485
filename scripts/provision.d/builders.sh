#!/usr/bin/env bash
# Makes the CNB builders the integration tests run on, from Debian's archive alone (no registry is
# reachable): for each suite a debootstrapped rootfs (cached as a tarball), imported as a base image, then a
# build and a run image that follow the CNB platform spec, then a builder from them and the local lifecycle
# that cnb-tools.sh packaged.
#
#   elixir-cnb-test/build:SUITE    elixir-cnb-test/run:SUITE    elixir-cnb-test/builder:SUITE
#
# `builders.sh images` makes the base, build and run images only (they need the engine, not pack), `builders.sh
# builders` the builders from them; no argument does both. ELIXIR_CNB_SUITES (space separated, default
# "bookworm trixie") picks the suites: the demo needs one.
#
# ELIXIR_CNB_TEST_IMAGES replaces `elixir-cnb-test` in those names (one engine shared by worktrees that
# provision different versions of this script can keep one set per worktree; INTEGRATION_TEST_BUILDERS
# then names the builders).
#
# Every image carries an `elixir-cnb-test.inputs` label: a hash of this script and the libraries it sources,
# the suite's rootfs recipe and (for builders) the lifecycle tarball and the images it was made from. A
# matching label means skip.
set -euo pipefail
shopt -s inherit_errexit
me=builders
# shellcheck source=scripts/provision.d/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=scripts/provision.d/builder-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/builder-lib.sh"

LIFECYCLE_VERSION=0.20.12
read -r -a SUITES <<<"${ELIXIR_CNB_SUITES:-bookworm trixie}"
mode="${1:-all}"
case "${mode}" in
images | builders | all) ;;
*)
	echo "usage: builders.sh [images|builders]" >&2
	exit 2
	;;
esac
DEBIAN_MIRROR=http://deb.debian.org/debian

images="${ELIXIR_CNB_TEST_IMAGES:-elixir-cnb-test}"
lifecycle_tgz="${tools}/lifecycle/lifecycle-v${LIFECYCLE_VERSION}+linux.x86-64.tgz"
mkdir -p "${tools}/rootfs" "${tools}/builders"

script_hash="$(script_hash "${BASH_SOURCE[0]}")"
changed=false # set when an image is (re)made

suite_version() {
	case "$1" in
	bookworm) echo 12 ;;
	trixie) echo 13 ;;
	*) return 1 ;;
	esac
}

# What Erlang needs at run time, plus certificates. bash, coreutils, findutils, tar and gzip are
# Essential in Debian, so minbase already has them. The build image adds what Heroku's build images have
# for native code (a C compiler, make and libc headers: NIFs such as bcrypt_elixir's), xz for archives,
# and git for Mix's git dependencies (heroicons in every phx.new 1.7 app).
suite_packages() { # SUITE KIND(build|run)
	local ssl=libssl3
	[[ "$1" == trixie ]] && ssl=libssl3t64
	local packages="ca-certificates,${ssl},libtinfo6,zlib1g,libstdc++6"
	[[ "$2" == build ]] && packages+=",gcc,g++,make,libc6-dev,xz-utils,git"
	echo "${packages}"
}

# CA certificates the host trusts beyond Debian's (a TLS-intercepting proxy in front of the npm registry,
# for example): the build image trusts them too, so that build steps that download (esbuild's installer,
# npm) reach what the host reaches. Their content is part of the build image's key.
extra_ca_certs() {
	find /usr/local/share/ca-certificates -maxdepth 1 -name '*.crt' -type f 2>/dev/null | LC_ALL=C sort
}

base_image() { # SUITE KIND(build|run) -> imports the debootstrapped rootfs, prints the image name
	local suite="$1" kind="$2"
	local include recipe key
	include="$(suite_packages "${suite}" "${kind}")"
	recipe="debootstrap --variant=minbase --include=${include} ${suite} ${DEBIAN_MIRROR}"
	key="$(image_key "${recipe}")"
	# The run image's names predate the build image's own rootfs.
	local name="${suite}"
	[[ "${kind}" == build ]] && name="${suite}-build"
	local image="${images}/base:${name}"
	local tarball="${tools}/rootfs/${name}-${key}.tar"

	if [[ "$(label_of "${image}")" != "${key}" ]]; then
		if [[ ! -s "${tarball}" ]]; then
			local started=$SECONDS dir
			echo "builders: debootstrap ${suite}" >&2
			dir="$(mktemp -d "/tmp/rootfs-${suite}.XXXXXX")"
			if ! (run_logged "${tools}/rootfs/${name}.log" \
				debootstrap --variant=minbase --include="${include}" "${suite}" "${dir}" "${DEBIAN_MIRROR}"); then
				rm -rf "${dir}"
				return 1
			fi
			# Nothing the image needs: package caches, and files the engine provides per container.
			rm -rf "${dir}"/var/cache/apt/archives/*.deb "${dir}"/var/lib/apt/lists/* "${dir}"/var/log/* \
				"${dir}"/tmp/* "${dir}"/etc/hostname "${dir}"/etc/resolv.conf "${dir}"/etc/machine-id
			rm -f "${tools}/rootfs/${name}"-????????????????.tar
			tar -C "${dir}" --numeric-owner -cf "${tarball}.tmp" .
			mv "${tarball}.tmp" "${tarball}"
			rm -rf "${dir}"
			echo "builders: debootstrap ${suite} done in $((SECONDS - started))s" >&2
		fi
		docker import --change "LABEL elixir-cnb-test.inputs=${key}" --change 'CMD ["/bin/bash"]' \
			"${tarball}" "${image}" >/dev/null
	fi
	echo "${image}"
}

cnb_image() { # SUITE KIND(build|run) BASE
	local suite="$1" kind="$2" base="$3"
	local version image key ctx
	version="$(suite_version "${suite}")"
	image="${images}/${kind}:${suite}"
	local certs=()
	[[ "${kind}" == build ]] && mapfile -t certs < <(extra_ca_certs)
	key="$(image_key "${script_hash}" "$(id_of "${base}")" "${kind}" \
		"$(cat /dev/null "${certs[@]}" | sha256sum | cut -d' ' -f1)")"
	if [[ "$(label_of "${image}")" == "${key}" ]]; then
		return 0
	fi
	echo "builders: ${image}" >&2
	changed=true
	ctx="$(mktemp -d)"
	mkdir -p "${ctx}/certs"
	local trust_certs=""
	if [[ ${#certs[@]} -gt 0 ]]; then
		cp "${certs[@]}" "${ctx}/certs/"
		trust_certs="COPY certs/ /usr/local/share/ca-certificates/
RUN update-ca-certificates >/dev/null"
	fi
	cnb_dockerfile "${base}" "${suite}" "${version}" \
		"Debian ${version} (${suite}) minbase ${kind} image for the Elixir buildpack's tests" "${key}" \
		"${trust_certs}" "" >"${ctx}/Dockerfile"
	run_logged "${tools}/builders/${kind}-${suite}.log" docker build --quiet --network none -t "${image}" "${ctx}"
	rm -rf "${ctx}"
}

builder_image() { # SUITE
	local suite="$1"
	local image="${images}/builder:${suite}"
	local build="${images}/build:${suite}" run="${images}/run:${suite}"
	[[ -x "${pack}" && -s "${lifecycle_tgz}" ]] || {
		echo "builders: ${pack} or ${lifecycle_tgz} missing: run cnb-tools.sh first" >&2
		return 1
	}
	local key
	key="$(image_key "${script_hash}" "$(sha256sum "${lifecycle_tgz}" | cut -d' ' -f1)" "$(id_of "${build}")" \
		"$(id_of "${run}")")"
	if [[ "$(label_of "${image}")" == "${key}" ]]; then
		return 0
	fi
	echo "builders: ${image}" >&2
	changed=true
	local dir="${tools}/builders/${suite}"
	mkdir -p "${dir}"
	# Node has its own CA list; make it trust the build image's (which has the host's extra CAs).
	builder_toml \
		"Elixir buildpack test builder: Debian $(suite_version "${suite}") (${suite}), local lifecycle ${LIFECYCLE_VERSION}" \
		"${build}" "${run}" "${lifecycle_tgz}" '[[build.env]]
name = "NODE_EXTRA_CA_CERTS"
value = "/etc/ssl/certs/ca-certificates.crt"
suffix = "default"' >"${dir}/builder.toml"
	builder_create "${dir}/create.log" "${image}" "${dir}/builder.toml" "${key}"
}

for suite in "${SUITES[@]}"; do
	suite_version "${suite}" >/dev/null || {
		echo "builders: unknown suite ${suite} (bookworm or trixie)" >&2
		exit 2
	}
	if [[ "${mode}" != builders ]]; then
		cnb_image "${suite}" build "$(base_image "${suite}" build)"
		cnb_image "${suite}" run "$(base_image "${suite}" run)"
	fi
	[[ "${mode}" == images ]] || builder_image "${suite}"
done
if [[ "${changed}" == true ]]; then
	# The images these replaced, now untagged.
	docker image prune --force --filter label=elixir-cnb-test.inputs >/dev/null
fi
if [[ "${mode}" == images ]]; then
	echo "builders: images ready: $(printf "${images}/{build,run}:%s " "${SUITES[@]}")"
else
	echo "builders: ready: $(printf "${images}/builder:%s " "${SUITES[@]}")"
fi
