# shellcheck shell=bash
# The CNB test images as builders.sh (amd64) and arm64-builder.sh (arm64) both make them: the inputs label
# that says an image is up to date, the build and run images' Dockerfile (the cnb user, the stack's env
# and labels) and the builder's builder.toml and `pack builder create` (with $tools/bin/pack). Source
# lib.sh first, then this. Part of both scripts' keys (script_hash): a change here remakes both sets.

provision_libs+=("$(realpath "${BASH_SOURCE[0]}")")

# shellcheck disable=SC2154 # tools: lib.sh's
pack="${tools}/bin/pack"
CNB_USER_ID=1002
CNB_GROUP_ID=1000
export DOCKER_BUILDKIT=0

label_of() { # IMAGE -> its inputs label, empty if the image is missing
	docker image inspect --format '{{index .Config.Labels "elixir-cnb-test.inputs"}}' "$1" 2>/dev/null || true
}
id_of() { docker image inspect --format '{{.Id}}' "$1" 2>/dev/null || true; }

image_key() { # PART... -> the inputs label of an image made from these
	printf '%s\n' "$*" | sha256sum | cut -c1-16
}

# A build or run image's Dockerfile: FROM BASE, PRE (Dockerfile lines, may be empty), the cnb user and
# group, the stack's env (and ENV: more NAME="value" pairs, may be empty), labels and the inputs KEY.
cnb_dockerfile() { # BASE STACK VERSION DESCRIPTION KEY PRE ENV
	local base="$1" stack="$2" version="$3" description="$4" key="$5" pre="$6" env="$7"
	echo "FROM ${base}"
	[[ -z "${pre}" ]] || echo "${pre}"
	cat <<DOCKERFILE
RUN groupadd --gid ${CNB_GROUP_ID} cnb \\
 && useradd --uid ${CNB_USER_ID} --gid ${CNB_GROUP_ID} --create-home --shell /bin/bash cnb
ENV CNB_USER_ID=${CNB_USER_ID} CNB_GROUP_ID=${CNB_GROUP_ID} CNB_STACK_ID=elixir-cnb-test.${stack} LANG=C.UTF-8${env:+ \\
    ${env}}
LABEL io.buildpacks.base.distro.name=debian \\
      io.buildpacks.base.distro.version=${version} \\
      io.buildpacks.base.id=elixir-cnb-test.${stack} \\
      io.buildpacks.base.description="${description}" \\
      io.buildpacks.stack.id=elixir-cnb-test.${stack} \\
      io.buildpacks.stack.distro.name=debian \\
      io.buildpacks.stack.distro.version=${version} \\
      elixir-cnb-test.inputs=${key}
USER ${CNB_USER_ID}:${CNB_GROUP_ID}
DOCKERFILE
}

# A builder's builder.toml: BUILD and RUN images, the local LIFECYCLE tarball, LANG for buildpacks, then
# EXTRA (more TOML, may be empty).
builder_toml() { # DESCRIPTION BUILD RUN LIFECYCLE EXTRA
	cat <<TOML
description = "$1"

[build]
image = "$2"

[[run.images]]
image = "$3"

[lifecycle]
uri = "$4"

# The lifecycle passes only a short allowlist of the build image's env to buildpacks; this reaches them
# through /cnb/build-config/env (a default: buildpacks and --env may override it).
[[build.env]]
name = "LANG"
value = "C.UTF-8"
suffix = "default"
TOML
	[[ -z "$5" ]] || printf '\n%s\n' "$5"
}

builder_create() { # LOG IMAGE TOML KEY: `pack builder create` from TOML, labelled with the inputs KEY
	run_logged "$1" "${pack}" builder create "$2" --config "$3" --pull-policy never \
		--label "elixir-cnb-test.inputs=$4"
}
