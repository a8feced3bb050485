#!/usr/bin/env bash
# Lets this amd64 machine run arm64 (aarch64) programs, in and out of containers: mounts binfmt_misc,
# installs Debian's qemu-user-static (and binfmt-support, which registers it) and makes sure the
# qemu-aarch64 handler is registered with the F (fix-binary) flag, so the kernel opened the interpreter at
# registration and containers need no qemu inside them. Idempotent: a second run only checks.
#
# Fails with a clear message when the kernel has no binfmt_misc, the mount is refused or the handler
# cannot be registered: the arm64 builder and tests cannot work on such a machine.
set -euo pipefail
shopt -s inherit_errexit

binfmt=/proc/sys/fs/binfmt_misc
entry="${binfmt}/qemu-aarch64"

me=arm64-binfmt
# shellcheck source=scripts/provision.d/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [[ ! -e "${binfmt}/status" ]]; then
	grep -qw binfmt_misc /proc/filesystems 2>/dev/null || modprobe binfmt_misc 2>/dev/null || true
	grep -qw binfmt_misc /proc/filesystems ||
		die "this kernel has no binfmt_misc: arm64 programs cannot be emulated here"
	mount -t binfmt_misc binfmt_misc "${binfmt}" ||
		die "cannot mount binfmt_misc on ${binfmt} (needs root and an unconfined mount namespace)"
	echo "arm64-binfmt: mounted binfmt_misc"
fi

apt_install qemu-user-static binfmt-support

# qemu-user-static's postinst registers the handlers only when binfmt_misc was mounted then; a rebooted
# machine has lost them. update-binfmts registers from /usr/share/binfmts/qemu-aarch64 (fix_binary yes).
if [[ ! -e "${entry}" ]]; then
	update-binfmts --enable qemu-aarch64 >/dev/null 2>&1 || update-binfmts --import qemu-aarch64 >/dev/null ||
		die "update-binfmts could not register qemu-aarch64"
	echo "arm64-binfmt: registered qemu-aarch64"
fi
if [[ "$(head -n1 "${entry}")" != enabled ]]; then
	echo 1 >"${entry}" || die "cannot enable ${entry}"
fi
flags="$(sed -n 's/^flags: //p' "${entry}")"
if [[ "${flags}" != *F* ]]; then
	# Registered by something else without fix-binary: containers would look for the interpreter inside
	# their own root. Re-register Debian's.
	echo -1 >"${entry}"
	update-binfmts --enable qemu-aarch64 >/dev/null 2>&1 || update-binfmts --import qemu-aarch64 >/dev/null
	flags="$(sed -n 's/^flags: //p' "${entry}")"
	[[ "${flags}" == *F* ]] || die "qemu-aarch64 is registered without the F flag (flags: '${flags}')"
fi
echo "arm64-binfmt: qemu-aarch64 ready ($(sed -n 's/^interpreter //p' "${entry}"), flags ${flags})"
