# shellcheck shell=bash
# What the provisioning steps share: the tools dir, log/die, the host's apt-get, run_logged, and script_hash
# for the cache keys. Set `me` (the prefix of log and error lines), then source it. mirror-lib.sh and
# builder-lib.sh hold what only the mirror steps and the builder steps share.

tools="$(realpath -m "${ELIXIR_CNB_TOOLS:-/var/cache/elixir-cnb}")"
mkdir -p "${tools}"

log() { printf '%s: %s\n' "${me:-provision}" "$*"; }
die() {
	printf '%s: error: %s\n' "${me:-provision}" "$*" >&2
	exit 1
}

need() { # COMMAND...: each on PATH, or the step fails naming the first missing
	local tool
	for tool in "$@"; do
		command -v "${tool}" >/dev/null || die "${tool} is missing"
	done
}

# The provision.d libraries sourced so far: this one, then each that adds itself. Every script_hash covers
# them, so a change to shared code rebuilds what the scripts that run it made (on purpose).
provision_libs=("$(realpath "${BASH_SOURCE[0]}")")

script_hash() { # FILE... -> one sha256 of these files' contents and of the libraries sourced
	sha256sum "$@" "${provision_libs[@]}" | cut -d' ' -f1 | sha256sum | cut -d' ' -f1
}

# The host's apt-get, one at a time: provisioning steps run side by side, and a second apt-get fails on
# apt's lists lock (which has no wait) instead of waiting for it.
# It runs in a session of its own: when another step fails, the scheduler stops this step's session, and
# a dpkg stopped halfway leaves the host's packages broken ("dpkg was interrupted") for every later run.
# An earlier run's interrupted dpkg is finished first.
# shellcheck disable=SC2016 # expanded by the inner bash
apt_get() {
	DEBIAN_FRONTEND=noninteractive setsid --wait flock "${tools}/apt.lock" bash -c '
		if [[ -n "$(dpkg --audit 2>/dev/null)" ]]; then dpkg --configure -a >/dev/null; fi
		exec apt-get -o DPkg::Lock::Timeout=600 "$@"' apt_get "$@"
}

# Installs the Debian packages that are missing (refreshing the lists only when the install needs it).
apt_install() { # PACKAGE...
	local missing=() pkg
	for pkg in "$@"; do
		dpkg-query -W -f='${Status}' "${pkg}" 2>/dev/null | grep -q '^install ok installed$' || missing+=("${pkg}")
	done
	((${#missing[@]})) || return 0
	log "installing ${missing[*]}"
	if ! apt_get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
		apt_get update -qq
		apt_get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	fi
}

# Runs a command quietly, its output to LOG; when it fails, the log's end, then the step fails.
run_logged() { # LOG CMD...
	local log_file="$1"
	shift
	if ! "$@" >"${log_file}" 2>&1; then
		tail -n 40 "${log_file}" >&2
		die "failed: $* (log above)"
	fi
}
