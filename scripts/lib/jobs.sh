# shellcheck shell=bash
# A small scheduler for scripts/provision and scripts/demo: named steps with the steps they wait for, run
# side by side as soon as those are done (the Go and Rust builds share the two cores while debootstrap and
# the downloads wait on the network and the disk), each logging to a file of its own, with a progress line
# while any runs, so that nobody looks at a silent terminal for minutes.
#
#   jobs_add NAME "DEPS" CMD...   a step; DEPS (space separated) not in the plan are ignored
#   jobs_run LOG_DIR              runs the plan; on a failure prints that step's log, stops the rest and
#                                 returns 1
#
# Each step runs in a session of its own (setsid), so stopping it stops what it started.

jobs_names=()
declare -A jobs_cmd=() jobs_deps=() jobs_state=() jobs_pid=() jobs_started=()
jobs_progress_every="${JOBS_PROGRESS_EVERY:-20}"

jobs_add() { # NAME "DEPS" CMD...
	local name="$1" deps="$2"
	shift 2
	jobs_names+=("${name}")
	jobs_deps["${name}"]="${deps}"
	jobs_cmd["${name}"]="$(printf '%q ' "$@")"
	jobs_state["${name}"]=waiting
}

jobs_has() { [[ -n "${jobs_state[$1]:-}" ]]; }

jobs_clock() { # SECONDS -> 1m05s / 42s
	if (($1 >= 60)); then printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); else printf '%ds' "$1"; fi
}

jobs_stop_all() {
	local name
	for name in "${jobs_names[@]}"; do
		if [[ "${jobs_state[${name}]}" == running ]]; then
			kill -TERM -- "-${jobs_pid[${name}]}" 2>/dev/null || true
			jobs_state["${name}"]=stopped
		fi
	done
}

jobs_run() { # LOG_DIR
	local logs="$1" name dep ready status started=$SECONDS last_progress=$SECONDS running done_count
	mkdir -p "${logs}"
	trap 'jobs_stop_all' EXIT
	trap 'jobs_stop_all; exit 130' INT TERM
	while true; do
		# Start every step whose dependencies are done.
		for name in "${jobs_names[@]}"; do
			[[ "${jobs_state[${name}]}" == waiting ]] || continue
			ready=true
			for dep in ${jobs_deps[${name}]}; do
				if jobs_has "${dep}" && [[ "${jobs_state[${dep}]}" != "done" ]]; then ready=false; fi
			done
			[[ "${ready}" == true ]] || continue
			rm -f "${logs}/${name}.status"
			# shellcheck disable=SC2016 # expanded by the inner bash
			setsid bash -c "${jobs_cmd[${name}]}"' >"$0.log" 2>&1; echo $? >"$0.status"' "${logs}/${name}" </dev/null &
			jobs_pid["${name}"]=$!
			jobs_started["${name}"]=$SECONDS
			jobs_state["${name}"]=running
		done
		# Collect the finished ones.
		running=()
		done_count=0
		for name in "${jobs_names[@]}"; do
			case "${jobs_state[${name}]}" in
			done) done_count=$((done_count + 1)) ;;
			running)
				if [[ -s "${logs}/${name}.status" ]]; then
					wait "${jobs_pid[${name}]}" 2>/dev/null || true
					status="$(cat "${logs}/${name}.status")"
					if [[ "${status}" != 0 ]]; then
						jobs_state["${name}"]=failed
						jobs_stop_all
						tail -n 60 "${logs}/${name}.log" >&2
						echo "--- ${name} failed (exit ${status}) after $(jobs_clock $((SECONDS - jobs_started[${name}]))):" \
							"the last lines of ${logs}/${name}.log are above" >&2
						trap - EXIT INT TERM
						return 1
					fi
					jobs_state["${name}"]="done"
					done_count=$((done_count + 1))
					echo "--- ${name} done in $(jobs_clock $((SECONDS - jobs_started[${name}]))): $(tail -n 1 "${logs}/${name}.log")"
				else
					running+=("${name} $(jobs_clock $((SECONDS - jobs_started[${name}])))")
				fi
				;;
			esac
		done
		if ((done_count == ${#jobs_names[@]})); then
			trap - EXIT INT TERM
			return 0
		fi
		if ((SECONDS - last_progress >= jobs_progress_every)) && ((${#running[@]})); then
			last_progress=$SECONDS
			local joined
			joined="$(printf '%s, ' "${running[@]}")"
			echo "... $(jobs_clock $((SECONDS - started))) so far; running: ${joined%, }"
		fi
		sleep 0.5
	done
}
