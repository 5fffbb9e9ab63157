# Shared setup for the bats suites: PATH, a poll-with-deadline helper,
# service directories under $BATS_TEST_TMPDIR, and supervisors that are
# always stopped in teardown.

bats_require_minimum_version 1.8.0

SID_ROOT="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"
export PATH="$SID_ROOT:$PATH"
# Exported: the scripts of services call "$HELPERS/await".
export HELPERS="$SID_ROOT/test/helpers"
SUPERVISE_PIDS=()

# wait_for SECONDS CMD...: poll every 20 ms until CMD succeeds
# (deadline.sh).
. "$HELPERS/deadline.sh"
wait_for() {
	await "$@"
}

# make_service NAME BODY: a service directory whose run is "#!/bin/sh"
# followed by BODY.  Prints its path.
make_service() {
	local dir="$BATS_TEST_TMPDIR/svc/$1"
	mkdir -p "$dir"
	printf '#!/bin/sh\n%s\n' "$2" > "$dir/run"
	chmod +x "$dir/run"
	echo "$dir"
}

# service NAME BODY [CONF-LINE...]: make_service with a fast conf
# (300 ms stop grace, 10 ms first backoff) plus CONF-LINEs, which may
# override those two.  Prints the directory.
service() {
	local dir key
	dir=$(make_service "$1" "$2") || return
	shift 2
	: >"$dir/conf"
	for key in 'stop-grace = 300ms' 'backoff-initial = 10ms'; do
		[[ " ${*%% =*} " == *" ${key%% =*} "* ]] ||
			echo "$key" >>"$dir/conf"
	done
	[ "$#" -eq 0 ] || printf '%s\n' "$@" >>"$dir/conf"
	echo "$dir"
}

# start_supervise DIR: run sid-supervise on DIR in the background and
# wait until it has written its status.
start_supervise() {
	sid-supervise "$1" 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- \
		>>"$BATS_TEST_TMPDIR/supervise.out" 2>&1 &
	SUPERVISE_PIDS+=("$!")
	wait_for 5 test -s "$1/supervise/status"
}

# field DIR KEY: the value of KEY in DIR/supervise/status.
field() {
	sed -n "s/^$2=//p" "$1/supervise/status"
}

# field_is DIR KEY VALUE: succeeds when KEY has VALUE.
field_is() {
	[ "$(field "$1" "$2")" = "$3" ]
}

# signals_clean REPORT: probe-child's REPORT shows no blocked and no
# ignored signal, by sigprocmask and sigaction and, where /proc tells,
# by SigBlk and SigIgn too.
signals_clean() {
	grep -qx 'blocked=' "$1" && grep -qx 'ignored=' "$1" || {
		grep -E '^(blocked|ignored|Sig)' "$1" >&2
		return 1
	}
	if grep -q '^SigBlk=' "$1"; then
		grep -qE '^SigBlk=0+$' "$1" && grep -qE '^SigIgn=0+$' "$1"
	fi
}

# stop_supervisors: x to every supervisor started here; SIGKILL what
# is still alive after 10 s, and the groups of its children with it.
stop_supervisors() {
	local pid
	for pid in "${SUPERVISE_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in "${SUPERVISE_PIDS[@]}"; do
		wait_for 10 eval "! kill -0 $pid 2>/dev/null" ||
			kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	SUPERVISE_PIDS=()
}

teardown() {
	stop_supervisors
}

# cgroup_mount: where the cgroup v2 hierarchy is mounted, or nothing.
cgroup_mount() {
	awk '{ for (i = 7; i <= NF; i++) if ($i == "-") {
		if ($(i + 1) == "cgroup2" && $4 == "/") { print $5; exit }
		break } }' /proc/self/mountinfo
}

# paused PID: PID is stopped (state T) or frozen with its cgroup.
paused() {
	local cg
	[ "$(ps -o stat= -p "$1" | cut -c1)" = T ] && return 0
	cg=$(sed -n 's/^0:://p' "/proc/$1/cgroup" 2>/dev/null) || return 1
	[ -n "$cg" ] && [ "$cg" != / ] || return 1
	grep -qx 'frozen 1' "$(cgroup_mount)$cg/cgroup.events" 2>/dev/null
}

# running PID: PID lives and is neither stopped nor frozen.
running() {
	kill -0 "$1" 2>/dev/null && ! paused "$1"
}

# normalise: pids and ages out of sid-ctl's status lines ("pid P", "Ns").
normalise() {
	sed -E 's/pid [0-9]+/pid P/; s/(: |, )[0-9]+s([,;])/\1Ns\2/'
}

# no_raw_control: the last run's stdout and stderr hold no control byte
# but the newlines that end lines (so no ESC, no CR, no backspace).
no_raw_control() {
	! LC_ALL=C grep -q '[[:cntrl:]]' <<<"$output$stderr" || {
		echo "raw control bytes in output:" >&2
		printf '%s\n%s\n' "$output" "$stderr" | od -c | head -20 >&2
		return 1
	}
}

# need_built: fail setup_file, saying why, when a tool is not built.
need_built() {
	local f
	for f in sid-svscan sid-supervise sid-ctl sid-log; do
		[ -x "$SID_ROOT/$f" ] || {
			echo "build first: make" >&2
			return 1
		}
	done
}

# An unprivileged user for the tests that need one.
TEST_USER=sidtest

# make_user: TEST_USER exists, made now if it did not.  Another suite
# may be making it at the same moment: useradd then fails (the user
# exists, or /etc/passwd is locked), and id tells.
make_user() {
	id "$TEST_USER" >/dev/null 2>&1 && return 0
	useradd --system --no-create-home --home-dir /nonexistent \
		--shell /usr/sbin/nologin "$TEST_USER" >/dev/null 2>&1 || true
	id "$TEST_USER" >/dev/null 2>&1
}

# need_user: skip, saying why, unless TEST_USER exists and we can
# become it.
need_user() {
	[ "$(id -u)" -eq 0 ] || skip "not root: cannot make or become $TEST_USER"
	command -v useradd >/dev/null || skip "no useradd on this system"
	command -v setpriv >/dev/null || skip "no setpriv on this system"
	wait_for 5 make_user 2>/dev/null ||
		skip "cannot create user $TEST_USER (useradd not permitted)"
}

# as_user CMD...: run CMD as TEST_USER, with no supplementary group.
as_user() {
	setpriv --reuid "$TEST_USER" --regid "$TEST_USER" --clear-groups \
		-- "$@"
}
