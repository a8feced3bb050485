# shellcheck shell=bash
# The builds.hex.pm-shaped toolchain mirror as mirror.sh (amd64, bookworm and trixie) and arm64-mirror.sh
# (arm64, bookworm) both make it: the fixed index metadata, the OTP packages, a private apt state's
# options, resolving, fetching and pruning the pinned .debs, the OTP tarball made from Debian's
# /usr/lib/erlang with its builds.txt, and the check of the indexes. Source lib.sh first, then this; the
# apt functions use the caller's apt options, the array `opts`. Part of both scripts' keys (script_hash).

provision_libs+=("$(realpath "${BASH_SOURCE[0]}")")
mirror_otp_install="$(dirname "$(realpath "${BASH_SOURCE[0]}")")/otp-install.sh"

# Fixed metadata: any stable values do; builds.hex.pm's second column is a git commit, not a checksum.
build_date="2024-01-01T00:00:00Z"
epoch=1704067200 # = build_date
# Besides erlang-nox's dependencies (all of OTP minus GUI and java): headers + libei (erlang-dev), the
# erts-*/bin/*.src launch templates (erlang-src), dialyzer/typer and common_test/ct_run (no GUI code; their
# wx-based dependencies are deliberately left out) and the two JS files common_test's priv links to.
# shellcheck disable=SC2034 # used by the scripts that source this
otp_pkgs=(erlang-dev erlang-src erlang-dialyzer erlang-common-test libjs-jquery libjs-jquery-tablesorter)

sha() { sha256sum "$1" | cut -d' ' -f1; }
fake_commit() { printf '%s' "$1" | sha1sum | cut -d' ' -f1; }

mirror_apt_state_opts() { # DIR -> the apt options, one a line, of a private apt state in DIR
	printf '%s\n' \
		-o "Dir::State::Lists=$1/lists" \
		-o "Dir::Etc::SourceList=$1/sources.list" \
		-o "Dir::Etc::SourceParts=$1/sources.list.d" \
		-o "Dir::Cache=$1/cache" \
		-o "Dir::State::status=$1/status" \
		-o "Dir::Cache::pkgcache=pkgcache.bin" \
		-o "Dir::Cache::srcpkgcache=srcpkgcache.bin" \
		-o "Acquire::IndexTargets::deb::DEP-11::DefaultEnabled=false" \
		-o "Acquire::IndexTargets::deb::DEP-11-icons::DefaultEnabled=false" \
		-o "Acquire::IndexTargets::deb::DEP-11-icons-small::DefaultEnabled=false" \
		-o "Acquire::IndexTargets::deb::Contents-deb::DefaultEnabled=false"
}

# shellcheck disable=SC2154 # opts: the caller's apt options
mirror_resolve() { # WHAT PACKAGE... -> "package=version" lines, sorted: erlang-nox's dependencies and these
	local deps
	deps=$(apt-cache "${opts[@]}" show --no-all-versions erlang-nox | sed -n 's/^Depends: //p' |
		tr ',' '\n' | sed -E 's/^ *//; s/[ :(|].*//' | sed '/^$/d')
	[[ -n "${deps}" ]] || die "no erlang-nox dependencies found for $1"
	shift
	# shellcheck disable=SC2086
	apt-cache "${opts[@]}" show --no-all-versions ${deps} "$@" |
		awk '/^Package: /{p=$2} /^Version: /{print p "=" $2}' | LC_ALL=C sort -u
}

mirror_download() { # DIR PKGS: fetches PKGS' "package=version" lines into DIR
	local -a list
	mapfile -t list <<<"$2"
	mkdir -p "$1"
	(cd "$1" && apt-get "${opts[@]}" -qq download "${list[@]}")
}

mirror_deb_file() { # DIR PACKAGE=VERSION: the .deb apt-get download wrote for it
	local p="${2%%=*}" v="${2#*=}" f
	for f in "$1/${p}_${v/:/%3a}_"*.deb; do
		[[ -f "$f" ]] && {
			echo "$f"
			return
		}
	done
	die "no .deb for $2 in $1"
}

mirror_prune_debs() { # DIR PKGS: keeps only the .debs of PKGS' versions
	local keep f pv
	keep=$(while IFS= read -r pv; do mirror_deb_file "$1" "${pv}"; done <<<"$2")
	for f in "$1"/*.deb; do
		grep -qxF "$f" <<<"${keep}" || rm -f "$f"
	done
}

# Replaces every symlink under <tree> that points outside <tree> with a copy of its target, resolved inside
# <root> (the scratch root all packages were unpacked into).
mirror_inline_outside_links() { # ROOT TREE
	local root="$1" tree="$2" link target resolved
	while IFS= read -r -d '' link; do
		target=$(readlink "${link}")
		if [[ "${target}" == /* ]]; then
			resolved=$(readlink -m "${root}${target}")
		else
			resolved=$(readlink -m "$(dirname "${link}")/${target}")
		fi
		# Follow link chains inside the root (e.g. jquery.tablesorter.min.js -> js/...).
		resolved=$(readlink -f "${resolved}") || true
		case "${resolved}" in
		"${tree}"/*) continue ;;
		"${root}"/*) [[ -f "${resolved}" ]] || die "${link#"${root}"} -> ${target}: target not in the packages" ;;
		*) die "${link#"${root}"} -> ${target} leaves the scratch root" ;;
		esac
		rm -f "${link}"
		cp "${resolved}" "${link}"
	done < <(find "${tree}" -type l -print0)
}

mirror_tgz() { # PARENT TOP OUTPUT: PARENT/TOP as a deterministic .tar.gz (sorted, fixed mtimes and owners)
	tar -C "$1" --sort=name --mtime="@${epoch}" --owner=0 --group=0 --numeric-owner \
		--format=gnu -cf - "$2" | gzip -n -6 >"$3"
}

# Debian's ROOT/usr/lib/erlang as upstream's pre-install tree, otp-install.sh as its `Install`, moved to
# STAGE/OTP-<version> and packed as MIRROR/builds/otp/ARCH/DISTRO/OTP-<version>.tar.gz with its builds.txt.
# Sets otp_version.
mirror_pack_otp() { # ROOT STAGE MIRROR ARCH DISTRO
	local root="$1" stage="$2" what="$4/$5"
	local erl_tree="${root}/usr/lib/erlang" otp_dir="$3/builds/otp/$4/$5" otp_version_files erts_dirs tpl
	otp_version_files=("${erl_tree}"/releases/*/OTP_VERSION)
	[[ ${#otp_version_files[@]} -eq 1 && -f "${otp_version_files[0]}" ]] ||
		die "${what}: expected one releases/*/OTP_VERSION, found: ${otp_version_files[*]}"
	otp_version=$(tr -d '[:space:]' <"${otp_version_files[0]}")
	erts_dirs=("${erl_tree}"/erts-*)
	[[ ${#erts_dirs[@]} -eq 1 && -d "${erts_dirs[0]}/bin" ]] || die "${what}: expected one erts-* dir"
	for tpl in erl.src start.src start_erl.src; do
		[[ -f "${erts_dirs[0]}/bin/${tpl}" ]] || die "${what}: erts bin/${tpl} missing (erlang-src not unpacked?)"
	done
	[[ -f "${erl_tree}/releases/RELEASES.src" ]] || die "${what}: releases/RELEASES.src missing"

	# Upstream's pre-install tree: drop man (a link into /usr/share/man) and all that Install regenerates.
	rm -rf "${erl_tree:?}/man" "${erl_tree:?}/bin"
	rm -f "${erts_dirs[0]}"/bin/{erl,start,start_erl} "${erl_tree}"/releases/{RELEASES,start_erl.data}
	mirror_inline_outside_links "${root}" "${erl_tree}"

	mkdir -p "${stage}" "${otp_dir}"
	mv "${erl_tree}" "${stage}/OTP-${otp_version}"
	install -m 0755 "${mirror_otp_install}" "${stage}/OTP-${otp_version}/Install"
	log "packing OTP-${otp_version} for ${what}"
	mirror_tgz "${stage}" "OTP-${otp_version}" "${otp_dir}/OTP-${otp_version}.tar.gz"
	printf 'OTP-%s %s %s %s\n' "${otp_version}" "$(fake_commit "OTP-${otp_version}")" "${build_date}" \
		"$(sha "${otp_dir}/OTP-${otp_version}.tar.gz")" >"${otp_dir}/builds.txt"
}

mirror_check_indexes() { # MIRROR: every builds.txt line's format, and the checksum of the file it names
	local index line name sum ext file
	while IFS= read -r index; do
		while IFS= read -r line; do
			[[ "${line}" =~ ^(OTP-[0-9][0-9.]*|v[0-9][0-9.]*(-otp-[0-9]+)?)\ [0-9a-f]{40}\ [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z\ [0-9a-f]{64}\ ?$ ]] ||
				die "bad line in ${index#"$1/"}: '${line}'"
			name=${line%% *}
			sum=$(awk '{print $4}' <<<"${line}")
			ext=.zip
			[[ ${name} == OTP-* ]] && ext=.tar.gz
			file="${index%/builds.txt}/${name}${ext}"
			[[ "$(sha "${file}")" == "${sum}" ]] || die "checksum mismatch for ${file#"$1/"}"
		done <"${index}"
	done < <(find "$1/builds" -name builds.txt | LC_ALL=C sort)
}
