#!/usr/bin/env bash
# The toolchain mirror's OTP for a distro and the Elixir built for its major, for scripts that run Mix
# themselves (hex-repo.sh, scripts/check-hex-repo) without installing anything on the host:
#
#   mirror-toolchain.sh names DISTRO        prints "OTP-<v> <sha256> v<elixir>-otp-<major> <sha256>"
#   mirror-toolchain.sh unpack DISTRO DIR   unpacks them into DIR/otp (run through its Install -minimal)
#                                           and DIR/elixir; put DIR/otp/bin and DIR/elixir/bin on PATH
#
# DISTRO is the mirror's label (debian-12, debian-13). Debian 13's OTP runs only where glibc >= 2.38 is,
# e.g. in a trixie container that mounts DIR at the same path (Install writes DIR into the launchers).
set -euo pipefail
me="mirror-toolchain"
# shellcheck source=scripts/provision.d/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

mirror="${ELIXIR_CNB_MIRROR_DIR:-${ELIXIR_CNB_TOOLS:-/var/cache/elixir-cnb}/mirror}"
mode="${1:?usage: $0 names|unpack DISTRO [DIR]}"
distro="${2:?usage: $0 names|unpack DISTRO [DIR]}"

otp_index="${mirror}/builds/otp/amd64/${distro}/builds.txt"
[[ -f "${otp_index}" ]] || die "no ${otp_index} (run scripts/provision first)"
read -r otp_name _ _ otp_sha <"${otp_index}"
major=${otp_name#OTP-}
major=${major%%.*}
read -r elixir_name _ _ elixir_sha < <(grep -E "^v[0-9.]+-otp-${major} " "${mirror}/builds/elixir/builds.txt" | tail -n 1) ||
	die "no Elixir built for OTP ${major} in ${mirror}"

case "${mode}" in
names) echo "${otp_name} ${otp_sha} ${elixir_name} ${elixir_sha}" ;;
unpack)
	dir="$(realpath -m "${3:?usage: $0 unpack DISTRO DIR}")"
	mkdir -p "${dir}/otp" "${dir}/elixir"
	tar -xzf "${mirror}/builds/otp/amd64/${distro}/${otp_name}.tar.gz" -C "${dir}/otp" --strip-components=1
	"${dir}/otp/Install" -minimal "${dir}/otp" >/dev/null
	unzip -q "${mirror}/builds/elixir/${elixir_name}.zip" -d "${dir}/elixir"
	;;
*) die "unknown mode ${mode}" ;;
esac
