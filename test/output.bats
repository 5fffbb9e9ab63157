#!/usr/bin/env bats
# The output of a service without log/: sid-svscan forwards it to its
# own stdout and stderr and keeps its last whole lines in
# supervise/output (then output.old), bounded, where sid-ctl log reads
# it, after a crash too.  And the scan directory sid-svscan takes when
# given none, and --help of sid-svscan and sid-log.
#
# Services never wait by the clock: each one that must go step by step
# polls for a file the test makes (or for what the follower has shown).

load helper
load svscan-helper

setup_file() {
	export BATS_TEST_TIMEOUT=120
	need_built
}

setup() {
	T=$BATS_TEST_TMPDIR
	export SID_SCANDIR="$T/scan"
	mkdir -p "$SID_SCANDIR" "$T/svc"
	SVSCAN_PID=
	SVSCAN_PIDS=()
	FOLLOWER=
}

teardown() {
	[ -z "$FOLLOWER" ] || kill "$FOLLOWER" 2>/dev/null || true
	stop_svscan
	stop_supervisors
}

# link_in NAME: link $T/svc/NAME into the scan dir.
link_in() {
	ln -s "$T/svc/$1" "$SID_SCANDIR/$1"
}

# has_line FILE LINE: FILE has the line LINE.
has_line() {
	grep -qxF -e "$2" "$1" 2>/dev/null
}

# size FILE: its size in bytes, 0 when it does not exist.
size() {
	if [ -e "$1" ]; then wc -c <"$1"; else echo 0; fi
}

@test "a crash's last lines, both streams, are still there after the respawn, and were forwarded" {
	# The first run says out 1..10, waits until they are kept (so the
	# order of the two pipes is known), says err 1..3 and crashes.
	dir=$(service crash "$(cat <<-'EOF'
		[ -e ran ] && exec sleep 1000
		: >ran
		i=0
		while [ $i -lt 10 ]; do echo "out $((i += 1))"; done
		"$HELPERS/await" 10 grep -sqx 'out 10' supervise/output || exit 1
		i=0
		while [ $i -lt 3 ]; do echo "err $((i += 1))" >&2; done
		exit 3
	EOF
	)")
	link_in crash
	start_svscan "$SID_SCANDIR"
	wait_for 10 field_is "$dir" attempt 2
	wait_for 10 field_is "$dir" state up
	wait_for 5 has_line "$dir/supervise/output" 'err 3'
	run -0 --separate-stderr sid-ctl log -n 5 crash
	[ "$output" = $'out 9\nout 10\nerr 1\nerr 2\nerr 3' ]
	[ -z "$stderr" ]
	[ "$(stat -c %a "$dir/supervise/output")" = 644 ]
	# Forwarded as before: stdout to stdout, stderr to stderr.
	wait_for 5 has_line "$T/svscan.out" 'out 10'
	wait_for 5 has_line "$T/svscan.err" 'err 3'
	! grep -q '^err' "$T/svscan.out"
	! grep -q '^out' "$T/svscan.err"
	[ "$(head -n 1 "$T/svscan.err")" = "sid-svscan: scanning $SID_SCANDIR" ]
}

@test "sid-ctl log -f shows lines as they come, across renames to output.old, each exactly once" {
	# Bursts of 200 lines (about 16 KiB); each burst waits until the
	# follower has shown the last one: 30 bursts pass 64 KiB 7 times.
	dir=$(service chatty "$(cat <<-EOF
		b=0
		echo ready
		"$HELPERS/await" 30 test -e "$T/go" || exit 1
		while [ \$b -lt 30 ]; do
			b=\$((b + 1)); i=0
			while [ \$i -lt 200 ]; do
				echo "line \$(( (b - 1) * 200 + (i += 1) )) ......................................................................"
			done
			"$HELPERS/await" 30 grep -sq "^line \$((b * 200)) " "$T/follow.out" || exit 1
		done
		echo done
		exec sleep 1000
	EOF
	)")
	link_in chatty
	start_svscan "$SID_SCANDIR"
	wait_for 10 has_line "$dir/supervise/output" ready
	sid-ctl log -f chatty >"$T/follow.out" 2>"$T/follow.err" 3>&- &
	FOLLOWER=$!
	# It has read what there is (its last 10 lines) before more comes.
	wait_for 10 has_line "$T/follow.out" ready
	: >"$T/go"
	wait_for 30 has_line "$T/follow.out" done
	[ -e "$dir/supervise/output.old" ]
	run -0 awk '
		/^line / { if ($2 != ++n) { print "line " NR ": " $0 " after " n - 1; exit 1 } next }
		$0 == "done" { done++; next }
		$0 == "ready" && NR == 1 { next }
		{ print "stray: " $0; exit 1 }
		END { if (n != 6000 || done != 1) { print n, done; exit 1 } }' "$T/follow.out"
	echo "$output"
	[ ! -s "$T/follow.err" ]
}

@test "the bound: output and output.old under 64 KiB each, at least 64 KiB between them, whole consecutive lines, the last one there" {
	dir=$(service big "$(cat <<-'EOF'
		i=0
		while [ $i -lt 3000 ]; do
			echo "big $((i += 1)) ................................................................................................."
		done
		echo last
		exec sleep 1000
	EOF
	)")
	link_in big
	start_svscan "$SID_SCANDIR"
	wait_for 20 has_line "$dir/supervise/output" last
	out=$(size "$dir/supervise/output")
	old=$(size "$dir/supervise/output.old")
	echo "output $out, output.old $old"
	[ "$out" -le 65536 ] && [ "$old" -le 65536 ]
	[ $(( out + old )) -ge 65536 ]
	run -0 sid-ctl log -n 1 big
	[ "$output" = last ]
	run -0 awk '
		/^big / { if (n && $2 != n + 1) { print "gap at " $0; exit 1 }
			n = $2; next }
		$0 == "last" { last++; next }
		{ print "not a whole line: " $0; exit 1 }
		END { if (last != 1 || n != 3000) exit 1 }' \
		"$dir/supervise/output.old" "$dir/supervise/output"
	# Well over 128 KiB went by.
	[ "$(grep -c '^big ' "$T/svscan.out")" -eq 3000 ]
}

@test "whole lines only: a line written in two pieces is kept as one, a line over 4 KiB is cut into lines" {
	dir=$(service halves "$(cat <<-'EOF'
		printf 'first half '
		"$HELPERS/await" 10 test -e second || exit 1
		echo 'second half'
		head -c 10000 /dev/zero | tr '\0' y
		echo
		echo after
		exec sleep 1000
	EOF
	)")
	link_in halves
	start_svscan "$SID_SCANDIR"
	# sid-svscan forwarded the first piece, so it has read it: held.
	wait_for 10 grep -q 'first half' "$T/svscan.out"
	! grep -q 'first half' "$dir/supervise/output" 2>/dev/null
	: >"$dir/second"
	wait_for 10 has_line "$dir/supervise/output" after
	run -0 cat "$dir/supervise/output"
	[ "${lines[0]}" = 'first half second half' ]
	[ "${#lines[1]}" -eq 4096 ] && [ "${#lines[2]}" -eq 4096 ]
	[ "${#lines[3]}" -eq 1808 ]
	[ "${lines[4]}" = after ]
	# Forwarded unchanged.
	has_line "$T/svscan.out" 'first half second half'
	has_line "$T/svscan.out" "$(head -c 10000 /dev/zero | tr '\0' y)"
}

@test "a removed service: its last lines and a last partial line are kept, and its pipes closed" {
	dir=$(service gone 'echo started; printf "no newline"; exec sleep 1000')
	# grep -c prints 0 and fails when sid-svscan holds no pipe yet.
	pipes() { ls -l "/proc/$SVSCAN_PID/fd" | grep -c 'pipe:' || true; }
	start_svscan "$SID_SCANDIR"
	before=$(pipes)
	link_in gone
	wait_for 10 has_line "$dir/supervise/output" started
	[ "$(pipes)" -gt "$before" ]
	rm "$SID_SCANDIR/gone"
	wait_for 10 has_line "$dir/supervise/output" 'no newline'
	wait_for 10 eval '[ "$(pipes)" -eq "$before" ]'
	run -0 sid-ctl log "$dir"
	[ "$output" = $'started\nno newline' ]
}

@test "sid-ctl log of a service without log/ and with no output kept: one line, exit 1" {
	mkdir -p "$T/svc/quiet"
	run -1 --separate-stderr sid-ctl log "$T/svc/quiet"
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[ "$stderr" = "sid-ctl: $T/svc/quiet: no log/ and no output kept: $T/svc/quiet/supervise/output: No such file or directory" ]
	run -1 --separate-stderr sid-ctl log -f "$T/svc/quiet"
	[ "${#stderr_lines[@]}" -eq 1 ]
}

@test "sid-ctl log of a supervised service that has printed nothing yet: nothing, exit 0; -f waits for its first line" {
	mkdir -p "$T/svc/quiet/supervise"
	run -0 --separate-stderr sid-ctl log "$T/svc/quiet"
	[ -z "$output" ]
	[ -z "$stderr" ]
	sid-ctl log -f "$T/svc/quiet" >"$T/followed" 2>&1 &
	follower=$!
	printf 'first\n' >"$T/svc/quiet/supervise/output"
	wait_for 5 grep -qx first "$T/followed"
	kill "$follower"
	wait "$follower" || true
}

@test "sid-svscan without DIR scans \$SID_SCANDIR, else /etc/sid/service, never the current directory, and says so first" {
	mkdir -p "$T/cwd/trap"
	printf '#!/bin/sh\n: >"%s/trap-ran"\nexec sleep 1000\n' "$T" >"$T/cwd/trap/run"
	chmod +x "$T/cwd/trap/run"
	service inscan 'exec sleep 1000' >/dev/null
	link_in inscan
	cd "$T/cwd"
	sid-svscan 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- \
		>>"$T/svscan.out" 2>>"$T/svscan.err" &
	SVSCAN_PID=$!
	SVSCAN_PIDS+=("$SVSCAN_PID")
	cd /
	wait_for 10 field_is "$T/svc/inscan" state up
	[ "$(head -n 1 "$T/svscan.err")" = "sid-svscan: scanning $SID_SCANDIR" ]
	[ ! -e "$T/cwd/trap/supervise" ] && [ ! -e "$T/trap-ran" ]
	[ ! -e "$T/cwd/.sid-svscan" ]

	# Where it cannot start, its one line names the directory instead.
	[ ! -e /etc/sid/service ] || skip "/etc/sid/service exists here"
	cd "$T/cwd"
	run -111 --separate-stderr env -u SID_SCANDIR sid-svscan
	cd /
	[ "$stderr" = "sid-svscan: fatal: unable to chdir to /etc/sid/service: No such file or directory" ]
	[ ! -e "$T/cwd/trap/supervise" ] && [ ! -e "$T/trap-ran" ]
}

@test "--help of sid-svscan and sid-log: usage on stdout, exit 0, one option a line within 80 columns; a usage error names its argument" {
	for tool in sid-svscan sid-log; do
		run -0 --separate-stderr "$tool" --help
		[ -z "$stderr" ]
		[[ ${lines[0]} == "usage: $tool "* ]]
		[ "${#lines[@]}" -ge 4 ]
		for l in "${lines[@]}"; do
			[ "${#l}" -le 80 ] || { echo "too long: $l"; false; }
		done
		if [ "$tool" = sid-svscan ]; then opts='-t -p DIR --help'
		else opts='-s -n -t LOGDIR --help'; fi
		for opt in $opts; do
			[ "$(printf '%s\n' "${lines[@]:1}" | grep -c -e "^  $opt ")" -eq 1 ] ||
				{ echo "$tool: $opt not on one line of its own"; false; }
		done

		run -64 --separate-stderr "$tool" -z "$T/x"
		[ -z "$output" ]
		[ "${#stderr_lines[@]}" -eq 2 ]
		[ "${stderr_lines[0]}" = "$tool: unknown option -z" ]
		[[ ${stderr_lines[1]} == "usage: $tool "* ]]
		run -64 --separate-stderr "$tool" --bogus "$T/x"
		[ "${stderr_lines[0]}" = "$tool: unknown option --bogus" ]
	done
	run -64 --separate-stderr sid-log -s 0 "$T/x"
	[ "${stderr_lines[0]}" = "sid-log: -s takes a size in bytes, at least 1: 0" ]
	run -64 --separate-stderr sid-svscan -t never "$T/x"
	[ "${stderr_lines[0]}" = "sid-svscan: -t takes seconds, above 0 and at most 86400: never" ]
}
