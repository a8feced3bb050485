#!/usr/bin/env bash
# The toolchain for the static release binaries (x86_64- and aarch64-unknown-linux-musl), which
# scripts/build-static drives through `cargo libcnb package`:
#
#   Rust    rustup's own musl targets when both are installed (GitHub runners: `rustup target add`);
#           else Debian's rustc-web/cargo-web with rust-web-src, whose std is rebuilt for the target
#           (-Zbuild-std, allowed on a stable compiler by RUSTC_BOOTSTRAP=1). rustup can't add targets on
#           this project's machines, and Debian ships no musl std, so this is the one way here.
#   linker  zig (PyPI `ziglang`) through cargo-zigbuild's `zig cc` wrapper, which fixes up the arguments
#           rustc and the cc crate pass: it brings musl's libc and crt objects for both architectures,
#           so no cross gcc is needed (`-C link-self-contained=no` makes rustc leave the crt objects to zig).
#   packager libcnb-cargo (`cargo libcnb package`), as Heroku packages its Rust buildpacks.
#
# Results under $ELIXIR_CNB_TOOLS/musl, keyed on this script, lib.sh, the pinned versions and the compiler:
#   venv/                 ziglang + cargo-zigbuild
#   libcnb-cargo/bin/     cargo-libcnb, built with the host's rustup toolchain
#   bin/                  cargo-libcnb, zig wrappers (and cargo/rustc/rustdoc -> Debian's, in Debian mode)
#   toolchain.env         what scripts/build-static sources: PATH and the Cargo variables per target
set -euo pipefail
shopt -s inherit_errexit
me=musl-toolchain
# shellcheck source=scripts/provision.d/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ZIGLANG_VERSION=0.17.0
CARGO_ZIGBUILD_VERSION=0.24.0
LIBCNB_CARGO_VERSION=0.30.4 # the same as the libcnb in Cargo.toml
TRIPLES=(x86_64-unknown-linux-musl aarch64-unknown-linux-musl)

dir="${tools}/musl"
stamp="${dir}/toolchain.stamp"
mkdir -p "${dir}"
exec 9>"${dir}/toolchain.lock"
flock 9


# rustup mode when rustup has both musl targets (and the std for them); else Debian mode.
mode=debian
if command -v rustup >/dev/null; then
	installed="$(rustup target list --installed 2>/dev/null || true)"
	if grep -qx x86_64-unknown-linux-musl <<<"${installed}" && grep -qx aarch64-unknown-linux-musl <<<"${installed}"; then
		mode=rustup
	fi
fi
mode="${ELIXIR_CNB_MUSL_RUST:-${mode}}"

if [[ "${mode}" == debian ]]; then
	# The crate's rust-version is the oldest rustc-web that builds it (bookworm-security carries 1.96).
	need="$(sed -n 's/^rust-version = "\(.*\)"$/\1/p' "$(dirname "${BASH_SOURCE[0]}")/../../Cargo.toml")"
	have() { # every package installed, and rustc-web new enough
		local pkg
		for pkg in rustc-web cargo-web rust-web-src; do
			dpkg-query -W -f='${Status}' "${pkg}" 2>/dev/null | grep -q '^install ok installed$' || return 1
		done
		dpkg --compare-versions "$(dpkg-query -W -f='${Version}' rustc-web)" ge "${need:-0}"
	}
	if ! have; then
		log "installing rustc-web cargo-web rust-web-src (Debian's Rust with its std source, >= ${need})"
		apt_install rustc-web cargo-web rust-web-src
		have || {
			echo "musl-toolchain: Debian's rustc-web is $(dpkg-query -W -f='${Version}' rustc-web 2>/dev/null || echo missing), older than ${need}" >&2
			exit 1
		}
	fi
	rust_rustc=/usr/bin/rustc
else
	rust_rustc="$(rustup which rustc)"
fi
# The host toolchain (rustup's) builds libcnb-cargo; it needs no musl target.
if command -v rustup >/dev/null; then host_cargo="$(rustup which cargo)"; else host_cargo="$(command -v cargo)"; fi

python="$(command -v python3)"
key="$(
	{
		script_hash "${BASH_SOURCE[0]}"
		echo "mode=${mode} zig=${ZIGLANG_VERSION} zigbuild=${CARGO_ZIGBUILD_VERSION} libcnb-cargo=${LIBCNB_CARGO_VERSION}"
		"${rust_rustc}" -vV
		"${host_cargo}" -V
		"${python}" -VV
		if [[ "${mode}" == debian ]]; then dpkg-query -W -f='${Version}\n' rust-web-src; fi
	} | sha256sum | cut -d' ' -f1
)"

if [[ "$(cat "${stamp}" 2>/dev/null)" == "${key}" && -s "${dir}/toolchain.env" ]]; then
	log "up to date (${mode}: $("${rust_rustc}" -V), zig ${ZIGLANG_VERSION}, cargo-zigbuild ${CARGO_ZIGBUILD_VERSION}, libcnb-cargo ${LIBCNB_CARGO_VERSION})"
	exit 0
fi
started=$SECONDS

# zig and cargo-zigbuild from PyPI, in a venv of their own (never the system's site-packages).
want_pip="ziglang==${ZIGLANG_VERSION} cargo-zigbuild==${CARGO_ZIGBUILD_VERSION}"
if [[ "$(cat "${dir}/venv/.pins" 2>/dev/null)" != "${want_pip} $("${python}" -V)" ]]; then
	log "installing ${want_pip} into ${dir}/venv"
	# .pins is written last: a run cut short leaves none, and the next run starts the venv over.
	rm -rf "${dir}/venv"
	"${python}" -m venv "${dir}/venv"
	"${dir}/venv/bin/pip" install --quiet --disable-pip-version-check "ziglang==${ZIGLANG_VERSION}" \
		"cargo-zigbuild==${CARGO_ZIGBUILD_VERSION}"
	echo "${want_pip} $("${python}" -V)" >"${dir}/venv/.pins"
fi
zig_version="$("${dir}/venv/bin/python3" -m ziglang version)"
[[ "${zig_version}" == "${ZIGLANG_VERSION}" ]] || {
	echo "musl-toolchain: zig says ${zig_version}, expected ${ZIGLANG_VERSION}" >&2
	exit 1
}

# libcnb-cargo, built once per version with the host toolchain.
libcnb_cargo="${dir}/libcnb-cargo/bin/cargo-libcnb"
if [[ "$(cat "${dir}/libcnb-cargo/.version" 2>/dev/null)" != "${LIBCNB_CARGO_VERSION}" || ! -x "${libcnb_cargo}" ]]; then
	log "building libcnb-cargo ${LIBCNB_CARGO_VERSION}"
	rm -rf "${dir}/libcnb-cargo.tmp"
	if ! CARGO_TARGET_DIR="${dir}/libcnb-cargo-target" "${host_cargo}" install --quiet --locked \
		--root "${dir}/libcnb-cargo.tmp" libcnb-cargo --version "${LIBCNB_CARGO_VERSION}" >"${dir}/libcnb-cargo.log" 2>&1; then
		tail -n 30 "${dir}/libcnb-cargo.log" >&2
		exit 1
	fi
	echo "${LIBCNB_CARGO_VERSION}" >"${dir}/libcnb-cargo.tmp/.version"
	rm -rf "${dir}/libcnb-cargo" "${dir}/libcnb-cargo-target"
	mv "${dir}/libcnb-cargo.tmp" "${dir}/libcnb-cargo"
fi

# bin/: what `cargo libcnb package` finds on PATH. It runs `cargo build --target T` by name, so in
# Debian mode cargo and rustc here are Debian's (rustup's proxies come first on PATH otherwise).
bin="${dir}/bin.tmp"
rm -rf "${bin}"
mkdir -p "${bin}"
ln -s "${libcnb_cargo}" "${bin}/cargo-libcnb"
if [[ "${mode}" == debian ]]; then
	ln -s /usr/bin/cargo "${bin}/cargo"
	ln -s /usr/bin/rustc "${bin}/rustc"
	ln -s /usr/bin/rustdoc "${bin}/rustdoc"
fi
# The variables cargo-zigbuild's own wrappers set: where zig is and its version (saves a `zig version` per call).
zig_env="export CARGO_ZIGBUILD_ZIG_COMMAND='${dir}/venv/bin/python3' CARGO_ZIGBUILD_ZIG_COMMAND_ARGS='-m ziglang' CARGO_ZIGBUILD_ZIG_VERSION='${zig_version}'"
for tool in ar ranlib; do
	printf '#!/bin/sh\n%s\nexec "%s" zig %s -- "$@"\n' "${zig_env}" "${dir}/venv/bin/cargo-zigbuild" "${tool}" >"${bin}/zig${tool}"
done
{
	echo "# Written by scripts/provision.d/musl-toolchain.sh (${mode} mode). Sourced by scripts/build-static."
	echo "export PATH='${dir}/bin':\"\${PATH}\""
	if [[ "${mode}" == debian ]]; then
		echo "export RUSTC_BOOTSTRAP=1 CARGO_UNSTABLE_BUILD_STD=std,panic_abort"
	fi
	for triple in "${TRIPLES[@]}"; do
		upper="$(tr '[:lower:]-' '[:upper:]_' <<<"${triple}")"
		lower="${triple//-/_}"
		zig_target="${triple%%-*}-linux-musl"
		printf '#!/bin/sh\n%s\nexec "%s" zig cc -- -g -fno-sanitize=all -target %s "$@"\n' \
			"${zig_env}" "${dir}/venv/bin/cargo-zigbuild" "${zig_target}" >"${bin}/zigcc-${triple}"
		echo "export CARGO_TARGET_${upper}_LINKER='${dir}/bin/zigcc-${triple}'"
		echo "export CC_${lower}='${dir}/bin/zigcc-${triple}' AR_${lower}='${dir}/bin/zigar' RANLIB_${lower}='${dir}/bin/zigranlib'"
		if [[ "${mode}" == debian ]]; then
			echo "export CARGO_TARGET_${upper}_RUSTFLAGS='-C link-self-contained=no'"
		fi
	done
} >"${dir}/toolchain.env.tmp"
chmod +x "${bin}"/*
rm -rf "${dir:?}/bin"
mv "${bin}" "${dir}/bin"
mv "${dir}/toolchain.env.tmp" "${dir}/toolchain.env"
echo "${key}" >"${stamp}"
log "ready in $((SECONDS - started))s (${mode}: $("${rust_rustc}" -V), zig ${zig_version}, libcnb-cargo ${LIBCNB_CARGO_VERSION})"
