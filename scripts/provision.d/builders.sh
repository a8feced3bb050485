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
CNB_USER_ID=1002
CNB_GROUP_ID=1000

images="${ELIXIR_CNB_TEST_IMAGES:-elixir-cnb-test}"
pack="${tools}/bin/pack"
lifecycle_tgz="${tools}/lifecycle/lifecycle-v${LIFECYCLE_VERSION}+linux.x86-64.tgz"
mkdir -p "${tools}/rootfs" "${tools}/builders"
export DOCKER_BUILDKIT=0

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

label_of() { # IMAGE -> its inputs label, empty if the image is missing
	docker image inspect --format '{{index .Config.Labels "elixir-cnb-test.inputs"}}' "$1" 2>/dev/null || true
}

base_image() { # SUITE KIND(build|run) -> imports the debootstrapped rootfs, prints the image name
	local suite="$1" kind="$2"
	local include recipe key
	include="$(suite_packages "${suite}" "${kind}")"
	recipe="debootstrap --variant=minbase --include=${include} ${suite} ${DEBIAN_MIRROR}"
	key="$(printf '%s\n' "${recipe}" | sha256sum | cut -c1-16)"
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
	key="$(printf '%s %s %s %s\n' "${script_hash}" "$(docker image inspect --format '{{.Id}}' "${base}")" "${kind}" \
		"$(cat /dev/null "${certs[@]}" | sha256sum | cut -d' ' -f1)" | sha256sum | cut -c1-16)"
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
	cat >"${ctx}/Dockerfile" <<DOCKERFILE
FROM ${base}
${trust_certs}
RUN groupadd --gid ${CNB_GROUP_ID} cnb \\
 && useradd --uid ${CNB_USER_ID} --gid ${CNB_GROUP_ID} --create-home --shell /bin/bash cnb
ENV CNB_USER_ID=${CNB_USER_ID} CNB_GROUP_ID=${CNB_GROUP_ID} CNB_STACK_ID=elixir-cnb-test.${suite} LANG=C.UTF-8
LABEL io.buildpacks.base.distro.name=debian \\
      io.buildpacks.base.distro.version=${version} \\
      io.buildpacks.base.id=elixir-cnb-test.${suite} \\
      io.buildpacks.base.description="Debian ${version} (${suite}) minbase ${kind} image for the Elixir buildpack's tests" \\
      io.buildpacks.stack.id=elixir-cnb-test.${suite} \\
      io.buildpacks.stack.distro.name=debian \\
      io.buildpacks.stack.distro.version=${version} \\
      elixir-cnb-test.inputs=${key}
USER ${CNB_USER_ID}:${CNB_GROUP_ID}
DOCKERFILE
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
	key="$(printf '%s %s %s %s\n' "${script_hash}" "$(sha256sum "${lifecycle_tgz}" | cut -d' ' -f1)" \
		"$(docker image inspect --format '{{.Id}}' "${build}")" \
		"$(docker image inspect --format '{{.Id}}' "${run}")" | sha256sum | cut -c1-16)"
	if [[ "$(label_of "${image}")" == "${key}" ]]; then
		return 0
	fi
	echo "builders: ${image}" >&2
	changed=true
	local dir="${tools}/builders/${suite}"
	mkdir -p "${dir}"
	cat >"${dir}/builder.toml" <<TOML
description = "Elixir buildpack test builder: Debian $(suite_version "${suite}") (${suite}), local lifecycle ${LIFECYCLE_VERSION}"

[build]
image = "${build}"

[[run.images]]
image = "${run}"

[lifecycle]
uri = "${lifecycle_tgz}"

# The lifecycle passes only a short allowlist of the build image's env to buildpacks; this reaches them
# through /cnb/build-config/env (a default: buildpacks and --env may override it).
[[build.env]]
name = "LANG"
value = "C.UTF-8"
suffix = "default"

# Node has its own CA list; make it trust the build image's (which has the host's extra CAs).
[[build.env]]
name = "NODE_EXTRA_CA_CERTS"
value = "/etc/ssl/certs/ca-certificates.crt"
suffix = "default"
TOML
	run_logged "${dir}/create.log" "${pack}" builder create "${image}" --config "${dir}/builder.toml" \
		--pull-policy never --label "elixir-cnb-test.inputs=${key}"
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
