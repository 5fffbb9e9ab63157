#!/usr/bin/env bats
# Other users: an unprivileged user reads the status (line, table, -j),
# history and log of a root service and is told the truth; it cannot
# control it (exit 4, one line, nothing changes), nor make it do
# anything through any file of supervise/; and no file that sid creates
# is writable by others, even under umask 000.
#
# The user is "sidtest", created here when it does not exist (as root,
# where useradd is permitted); the tree lives in a mktemp directory
# under /tmp that the user can traverse ($BATS_TEST_TMPDIR cannot be).

load helper

setup_file() {
	export BATS_TEST_TIMEOUT=60
	need_built
}

setup() {
	TREE=
	SVSCAN_PID=
	need_user
	as_user true 2>/dev/null || skip "setpriv cannot become $TEST_USER"
	TREE=$(mktemp -d /tmp/sid-users.XXXXXX)
	chmod 755 "$TREE"
	export SID_SCANDIR="$TREE/scan"
	mkdir "$SID_SCANDIR"
	as_user test -x "$SID_ROOT/sid-ctl" ||
		skip "$TEST_USER cannot run $SID_ROOT/sid-ctl"
}

teardown() {
	if [ -n "$SVSCAN_PID" ]; then
		kill -TERM "$SVSCAN_PID" 2>/dev/null || true
		wait_for 15 eval "! kill -0 $SVSCAN_PID 2>/dev/null" ||
			kill -KILL "$SVSCAN_PID" 2>/dev/null || true
		wait "$SVSCAN_PID" 2>/dev/null || true
	fi
	stop_supervisors
	[ -z "$TREE" ] || rm -rf "$TREE"
}

# one_error GLOB: the stderr of the last run is exactly one line, and it
# is "sid-ctl: " followed by something matching GLOB.
one_error() {
	if [ "${#stderr_lines[@]}" -ne 1 ] || [[ $stderr != "sid-ctl: "$1 ]]
	then
		printf 'stderr (%d lines): %s\nwanted one line: sid-ctl: %s\n' \
			"${#stderr_lines[@]}" "$stderr" "$1" >&2
		return 1
	fi
}

# tree_service NAME BODY: a service of the scan dir whose run is BODY.
tree_service() {
	local dir="$SID_SCANDIR/$1"
	mkdir -p "$dir"
	printf '#!/bin/sh\n%s\n' "$2" >"$dir/run"
	chmod +x "$dir/run"
	printf 'stop-grace = 300ms\nbackoff-initial = 10ms\n' >"$dir/conf"
}

# start_tree: web (with a sid-log logger) and plain (without), under a
# root sid-svscan started with umask 000, so that what sid creates has
# only the modes sid itself gives.  Waits until both are up and web's
# first line is in its log.
start_tree() {
	tree_service web 'echo "hello from web"; exec sleep 1000'
	tree_service web/log "exec \"$SID_ROOT/sid-log\" main"
	tree_service plain 'exec sleep 1000'
	(umask 000; exec sid-svscan "$SID_SCANDIR" 3>&- 4>&- 5>&- 6>&- \
		7>&- 8>&- 9>&- >>"$TREE/svscan.out" 2>&1) &
	SVSCAN_PID=$!
	wait_for 10 test -s "$SID_SCANDIR/web/supervise/status"
	wait_for 10 test -s "$SID_SCANDIR/web/log/supervise/status"
	wait_for 10 test -s "$SID_SCANDIR/plain/supervise/status"
	wait_for 10 field_is "$SID_SCANDIR/web" state up
	wait_for 10 field_is "$SID_SCANDIR/web/log" state up
	wait_for 10 field_is "$SID_SCANDIR/plain" state up
	wait_for 10 grep -q 'hello from web' "$SID_SCANDIR/web/log/main/current"
	WEB_PID=$(field "$SID_SCANDIR/web" pid)
}

# snapshot: what a user could change: each service's pid and status,
# and the contents of every supervise/ (names, sizes, inodes).
snapshot() {
	local d
	for d in web web/log plain; do
		echo "$d pid $(field "$SID_SCANDIR/$d" pid)"
		cat "$SID_SCANDIR/$d/supervise/status"
		ls -i -l --time-style=+ "$SID_SCANDIR/$d/supervise/"
		wc -c <"$SID_SCANDIR/$d/supervise/events"
	done
}

@test "another user reads the status line, -j, the table, history and log of a root service: the truth" {
	start_tree

	run -0 --separate-stderr as_user sid-ctl status web
	[ -z "$stderr" ]
	[[ $output == "up: web: pid $WEB_PID, "* ]]

	run -0 --separate-stderr as_user sid-ctl status -j web
	[ -z "$stderr" ]
	[ "$(jq -c '[.name, .state, .pid]' <<<"$output")" = "[\"web\",\"up\",$WEB_PID]" ]
	python3 -m json.tool <<<"$output" >/dev/null

	run -0 --separate-stderr as_user sid-ctl status
	[ -z "$stderr" ]
	[ "$(awk 'NR > 1 { print $1, $2, $3 }' <<<"$output")" = "$(printf '%s\n' \
		"plain up $(field "$SID_SCANDIR/plain" pid)" \
		"web up $WEB_PID" \
		"web/log up $(field "$SID_SCANDIR/web/log" pid)")" ]

	run -0 --separate-stderr as_user sid-ctl status -j
	[ "$(jq -r '.name + " " + .state' <<<"$output" | paste -sd,)" = \
		"plain up,web up,web/log up" ]

	run -0 --separate-stderr as_user sid-ctl wait -u -T 2 web
	[ -z "$stderr" ]

	run -0 --separate-stderr as_user sid-ctl history web
	[ -z "$stderr" ]
	[[ $output == *' -> up '* ]]

	run -0 --separate-stderr as_user sid-ctl log web
	[ -z "$stderr" ]
	[ "$output" = "hello from web" ]
}

@test "another user cannot control a root service: exit 4, one line, nothing changes" {
	start_tree
	before=$(snapshot)

	for c in -u -d -o -r -t -k -h -a -i -q -1 -2 -p -c -x '-w -d' '-w -r'; do
		# shellcheck disable=SC2086
		run -4 --separate-stderr as_user sid-ctl $c web
		one_error "web: permission denied: $SID_SCANDIR/web/supervise/control is writable by uid 0 only (mode 0600), not by uid $(id -u "$TEST_USER")"
		[ -z "$output" ]
	done
	run -4 --separate-stderr as_user sid-ctl -d plain web/log
	[ "${#stderr_lines[@]}" -eq 2 ]
	run -4 --separate-stderr as_user sid-ctl scan
	one_error "permission denied: unable to write $SID_SCANDIR/.sid-svscan/control: *"

	[ "$(snapshot)" = "$before" ]
	kill -0 "$WEB_PID"
}

@test "another user cannot make a root service do anything through a file of supervise/" {
	start_tree
	before=$(snapshot)
	local f d n=0

	for d in web web/log plain; do
		for f in "$SID_SCANDIR/$d"/supervise/*; do
			n=$((n + 1))
			# Append a command, truncate, replace, remove, rename.
			! as_user sh -c 'printf d >>"$1"' - "$f" 2>/dev/null
			! as_user sh -c ': >"$1"' - "$f" 2>/dev/null
			! as_user rm -f "$f" 2>/dev/null
			! as_user mv -f "$f" "$f.moved" 2>/dev/null
		done
		! as_user touch "$SID_SCANDIR/$d/supervise/down" 2>/dev/null
		! as_user touch "$SID_SCANDIR/$d/down" 2>/dev/null
	done
	[ "$n" -ge 15 ]		# lock control status pid events, 3 times
	! as_user sh -c 'printf x >>"$1"' - "$SID_SCANDIR/.sid-svscan/control" 2>/dev/null
	! as_user sh -c 'printf x >>"$1"' - "$SID_SCANDIR/web/log/main/current" 2>/dev/null

	[ "$(snapshot)" = "$before" ]
	kill -0 "$WEB_PID"
	run -0 sid-ctl status web
	[[ $output == "up: web: pid $WEB_PID, "* ]]
}

@test "no file sid creates is writable by others, even under umask 000" {
	start_tree
	# A scan report, sid-log's rotated files and its lock: all of it.
	run -0 sid-ctl scan
	wait_for 5 test -s "$SID_SCANDIR/.sid-svscan/report"
	log_pid=$(field "$SID_SCANDIR/web/log" pid)
	kill -ALRM "$log_pid"
	# Rotated, and synced (@X.u renamed to @X.s): no name changes after.
	wait_for 5 eval "ls '$SID_SCANDIR/web/log/main/'@*.s >/dev/null 2>&1"
	wait_for 5 eval "! ls '$SID_SCANDIR/web/log/main/'@*.u >/dev/null 2>&1"

	created=$(find "$SID_SCANDIR" -path '*/supervise' -o -path '*/supervise/*' \
		-o -path '*/.sid-svscan' -o -path '*/.sid-svscan/*' \
		-o -path '*/log/main' -o -path '*/log/main/*')
	# What each part made is there: the check below looks at something.
	grep -q '/web/supervise/status$' <<<"$created"
	grep -q '/web/log/main/current$' <<<"$created"
	grep -q '/\.sid-svscan/report$' <<<"$created"
	run find $created -maxdepth 0 -perm -o+w
	[ -z "$output" ] || { echo "writable by others: $output" >&2; false; }
	# And the user can indeed write none of it.
	for f in $created; do
		[ -d "$f" ] && [ ! -p "$f" ] || continue
		! as_user touch "$f/new" 2>/dev/null
	done
}
