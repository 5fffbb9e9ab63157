#!/usr/bin/env bats
# Faults: every process of a tree killed in turn while services log
# numbered lines; a service directory that vanishes, turns into a file
# or loses its run; a supervise/ that cannot be written (immutable, or a
# full filesystem); the scan directory removed and re-created.  Each
# fault gives one clear line, the rest of the tree keeps running, and
# the tree recovers when the cause goes away.
#
# Every process of a test works under $T (sid-svscan in the scan dir,
# sid-supervise in its service directory, sid-log in its log directory),
# which is how the tests count them and how teardown finds what is left.

load helper
load svscan-helper

# What one killed sid-log may lose: what it had read but not yet
# written, that is one read(2) of its input buffer (IN_SIZE in
# cmd/sid-log.c, 256 KiB).
LOGGER_READ_MAX=262144

setup_file() {
	export BATS_TEST_TIMEOUT=120
	need_built
}

setup() {
	T=$BATS_TEST_TMPDIR
	S=$T/scan
	export SID_SCANDIR=$S
	mkdir -p "$S" "$T/svc"
	SVSCAN_PID=
	SVSCAN_PIDS=()
	UNDO=()
	# count.sh NAME MARK PAUSE: print "NAME PID N" for N = 1, 2, ...
	# with a sleep of PAUSE after each; on TERM "NAME PID end N", N the
	# last number printed, and exit 0.  Each echo is one write and one
	# command, so the trap never runs between a number and its line.
	# MARK only makes the process findable by its command line.
	cat >"$T/count.sh" <<-'EOF'
		exec 2>/dev/null
		i=0
		trap 'echo "$1 $$ end $i"; exit 0' TERM
		while :; do
			echo "$1 $$ $((i += 1))"
			sleep "$3"
		done
	EOF
}

teardown() {
	local i
	stop_supervisors
	stop_svscan
	# Undo what a test did to the file system, newest first.
	for (( i = ${#UNDO[@]} - 1; i >= 0; i-- )); do
		eval "${UNDO[i]}" || true
	done
}

# --- processes ------------------------------------------------------------

# procs_in DIR COMM: the live processes named COMM working in DIR.
procs_in() {
	local d p
	d=$(readlink -f "$1")
	for p in $(cwds | awk -v d="$d" '{ p = $1; sub(/^[0-9]+ /, "") }
		$0 == d { print p }'); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" != "$2" ] || echo "$p"
	done
}

# sup_pid DIR: the sid-supervise processes running DIR.
sup_pid() {
	procs_in "$1" sid-supervise
}

# ppid PID: its parent.
ppid() {
	local stat
	read -r stat 2>/dev/null <"/proc/$1/stat" || return 0
	stat=${stat##*) }
	set -- $stat
	echo "$2"
}

# proc_state PID: the one-letter state of PID (R, S, Z, ...).
proc_state() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
	stat=${stat##*) }
	echo "${stat%% *}"
}

# marked PATTERN: the live processes whose command line matches PATTERN.
marked() {
	local p
	for p in $(pgrep -f -- "$1"); do
		[ "$(proc_state "$p")" = Z ] || [ ! -e "/proc/$p" ] || echo "$p"
	done
}

# instances PATTERN: the live processes matching PATTERN whose parent
# does not: the copies of a service, not counting a child its shell has
# forked and not yet replaced with exec (it has the shell's command line
# for that moment).
instances() {
	local all p
	all=" $(marked "$1" | tr '\n' ' ') "
	for p in $all; do
		[[ $all == *" $(ppid "$p") "* ]] || echo "$p"
	done
}

# count_is N PATTERN: exactly N copies of PATTERN run.
count_is() {
	[ "$(instances "$2" | wc -l)" -eq "$1" ]
}


# --- sid-svscan -------------------------------------------------------------

# --- service directories ----------------------------------------------------

# svc_in DIR BODY: make DIR a service whose run is "#!/bin/sh" and BODY,
# with a fast conf (300 ms stop grace, 10 ms first backoff).
svc_in() {
	mkdir -p "$1"
	printf '#!/bin/sh\n%s\n' "$2" >"$1/run"
	chmod +x "$1/run"
	printf 'stop-grace = 300ms\nbackoff-initial = 10ms\n' >"$1/conf"
}

# sleeper NAME: the path of a copy of sleep named NAME-sleep under $T,
# so that `marked` finds exactly the processes of one service (no fork
# of a shell in between to be counted twice).
sleeper() {
	[ -x "$T/$1-sleep" ] || cp "$(command -v sleep)" "$T/$1-sleep"
	echo "$T/$1-sleep"
}

# state DIR: the state in DIR/supervise/status, empty when none.
state() {
	sed -n 's/^state=//p' "$1/supervise/status" 2>/dev/null
}

# runs_once DIR NAME: DIR is up, and its pid is the one live process of
# NAME's sleeper.
runs_once() {
	[ "$(state "$1")" = up ] &&
		[ "$(marked "$T/$2-sleep")" = "$(field "$1" pid)" ]
}

# err_lines: how many lines sid-svscan and its tree wrote to stderr.
err_lines() {
	wc -l <"$T/svscan.err"
}

# err_since N: the lines of stderr after the first N.
err_since() {
	tail -n "+$(( $1 + 1 ))" "$T/svscan.err"
}

# --- kill -9 of every process in turn -----------------------------------

# snapshot: "PID PPID COMM CWD" for every live process working under $T
# (one look at /proc: tree_whole is polled, and the machine may be busy).
snapshot() {
	local p d c
	cwds | awk -v t="$T" '{ p = $1; sub(/^[0-9]+ /, "")
		if ($0 == t || index($0, t "/") == 1) print p, $0 }' |
	while read -r p d; do
		read -r c 2>/dev/null <"/proc/$p/comm" &&
			echo "$p $(ppid "$p") $c $d"
	done
}

# pick SNAPSHOT COMM [DIR]: the pids of SNAPSHOT named COMM (working in
# DIR), but not those whose parent has that name too: a child forked
# and not yet replaced with exec (sid-svscan starting a sid-supervise,
# sid-supervise starting run) or a helper (sid-log's finisher).
pick() {
	awk -v c="$2" -v d="${3:+$(readlink -f "$3")}" '{
		p = $1; pp = $2; n = $3; sub(/^[0-9]+ [0-9]* *[^ ]+ /, "")
		comm[p] = n; parent[p] = pp; dir[p] = $0 }
	END {
		for (p in comm)
			if (comm[p] == c && (d == "" || dir[p] == d) &&
			    comm[parent[p]] != c)
				print p
	}' <<<"$1"
}

# loggers NAME: the sid-log processes writing $S/NAME/log/main.
loggers() {
	pick "$(snapshot)" sid-log "$S/$1/log/main"
}

# tree_whole: one sid-svscan, one sid-supervise for each of a, a/log, b,
# b/log (children of that sid-svscan), each up, and exactly one
# process of each service and of each logger, the one its status names.
tree_whole() {
	local snap d n p
	kill -0 "$SVSCAN_PID" 2>/dev/null || return 2
	snap=$(snapshot)
	[ "$(pick "$snap" sid-svscan)" = "$SVSCAN_PID" ] || return 1
	[ "$(pick "$snap" sid-supervise | wc -l)" -eq 4 ] || return 1
	for d in a a/log b b/log; do
		[ "$(state "$S/$d")" = up ] || return 1
		p=$(pick "$snap" sid-supervise "$S/$d")
		[ -n "$p" ] && [ "$(ppid "$p")" = "$SVSCAN_PID" ] || return 1
	done
	for n in a b; do
		[ "$(instances "mark:$n:$T")" = "$(field "$S/$n" pid)" ] ||
			return 1
		[ "$(pick "$snap" sid-log "$S/$n/log/main")" = \
			"$(field "$S/$n/log" pid)" ] || return 1
	done
}

# last_number NAME PID: the last number of instance PID of NAME in its log.
last_number() {
	awk -v n="$1" -v p="$2" '$1 == n && $2 == p && $3 ~ /^[0-9]+$/ {
		k = $3 } END { print k + 0 }' "$S/$1/log/main/current"
}

# progressed NAME: two more lines of NAME's running instance land.
progressed() {
	local name=$1 pid k
	pid=$(field "$S/$name" pid)
	k=$(last_number "$name" "$pid")
	wait_for 10 eval '[ "$(last_number "$name" "$pid")" -ge $(( k + 2 )) ]'
}

# lines_report FILE CUTS: check a log of count.sh instances.  Per
# instance (NAME PID) the numbers rise by one, each at most once, and an
# end line names the last number printed.  Lines may be missing only
# where a logger was killed: CUTS lists the size FILE had right after
# each kill of its logger, and a gap (a run of missing numbers, or an end
# line naming a number that never landed) must show at a line that
# begins at one of them.  A line the killed logger had written in part
# shows as that prefix glued to the next whole line, the glue at a cut:
# counted as garbled.  Prints "GAPS MISSING-LINES MISSING-BYTES
# LARGEST-GAP-BYTES GARBLED INSTANCES", each gap on stderr; fails on a
# duplicate, a gap or a garbled line away from a cut, any other line.
lines_report() {
	LC_ALL=C awk -v cuts="$2" '
	BEGIN {
		n = split(cuts, c, " ")
		for (i = 1; i <= n; i++)
			cut[c[i]] = 1
	}
	function bad(why) {
		printf "%s:%d: %s: %s\n", FILENAME, FNR, why, $0 > "/dev/stderr"
		err = 1
	}
	function gap(key, from, to,    k, b) {
		for (k = from; k <= to; k++)
			b += length(key " " k) + 1
		printf "%s:%d (byte %d): %s: %d to %d missing (%d bytes)\n",
		    FILENAME, FNR, here, key, from, to, b > "/dev/stderr"
		if (!(here in cut))
			bad("lines missing where no logger was killed")
		gaps++
		missing += to - from + 1
		bytes += b
		if (b > largest)
			largest = b
	}
	function instance(key) {
		if (!(key in last)) {
			last[key] = 0
			instances++
		}
		if (key in ended)
			bad("after the end line of " key)
	}
	{
		here = offset
		offset += length($0) + 1
	}
	!/^[a-z]+ [0-9]+ ([0-9]+|end [0-9]+)$/ {
		if (match($0, /[a-z]+ [0-9]+ ([0-9]+|end [0-9]+)$/) &&
		    RSTART > 1) {
			here += RSTART - 1
			garbled++
			if (!(here in cut))
				bad("garbled where no logger was killed")
			$0 = substr($0, RSTART)
		} else {
			bad("not a line of count.sh")
			next
		}
	}
	$3 == "end" {
		key = $1 " " $2
		instance(key)
		if ($4 + 0 < last[key])
			bad("the last number printed was " last[key])
		else if ($4 + 0 > last[key])
			gap(key, last[key] + 1, $4 + 0)
		ended[key] = 1
		next
	}
	{
		key = $1 " " $2
		instance(key)
		if ($3 + 0 <= last[key])
			bad("duplicate or out of order after " last[key])
		else if ($3 + 0 > last[key] + 1)
			gap(key, last[key] + 1, $3 - 1)
		if ($3 + 0 > last[key])
			last[key] = $3 + 0
	}
	END {
		print gaps + 0, missing + 0, bytes + 0, largest + 0, \
		    garbled + 0, instances + 0
		exit err
	}' "$1"
}

# dead PID: PID is a zombie or gone: it writes nothing more.
dead() {
	[ ! -e "/proc/$1" ] || [ "$(proc_state "$1")" = Z ]
}

@test "kill -9 of sid-svscan, each sid-supervise, each sid-log and each service, 3 rounds, while both log numbered lines: one copy of each, the only lines lost were in a killed logger's read" {
	local n d round victim pid logger_kills=0 kills=0
	local -A cuts=()
	for n in a b; do
		svc_in "$S/$n" "exec sh '$T/count.sh' $n 'mark:$n:$T' 0.01"
		svc_in "$S/$n/log" 'exec sid-log main'
	done
	start_svscan "$S"
	wait_for 10 tree_whole
	progressed a
	progressed b

	for round in 1 2 3; do
		for victim in svscan a a/log b b/log log:a log:b svc:a svc:b; do
			case $victim in
			svscan)
				pid=$SVSCAN_PID
				kill -KILL "$pid"
				wait "$pid" || true
				# As its init would: start it again.
				start_svscan "$S"
				;;
			log:*)
				n=${victim#log:}
				pid=$(field "$S/$n/log" pid)
				[ "$pid" = "$(loggers "$n")" ]
				kill -KILL "$pid"
				wait_for 10 dead "$pid"
				# Where the next sid-log goes on.
				cuts[$n]+=" $(stat -c %s "$S/$n/log/main/current")"
				logger_kills=$(( logger_kills + 1 ))
				;;
			svc:*)
				pid=$(field "$S/${victim#svc:}" pid)
				kill -KILL "$pid"
				;;
			*)
				pid=$(sup_pid "$S/$victim")
				[ "$(echo "$pid" | wc -w)" -eq 1 ]
				kill -KILL "$pid"
				;;
			esac
			kills=$(( kills + 1 ))
			echo "round $round: killed $victim ($pid) at $SECONDS"
			wait_for 30 tree_whole || {
				ps -o pid,ppid,pgid,args -p "$(test_procs |
					tr '\n' ,)0" >&2
				false
			}
			progressed a
			progressed b
		done
	done
	[ "$kills" -eq 27 ]

	# Still exactly one of each, and nothing else of the test runs.
	# (Polled: a process counted may be a fork that has not exec'd yet.)
	wait_for 10 tree_whole || { snapshot; false; }
	for n in a b; do
		count_is 1 "mark:$n:$T"
		[ "$(loggers "$n" | wc -l)" -eq 1 ]
	done

	# Stopped: the last instances say their last number.
	pa=$(field "$S/a" pid) pb=$(field "$S/b" pid)
	sid-ctl -w -d a b
	wait_for 10 grep -q "^a $pa end " "$S/a/log/main/current"
	wait_for 10 grep -q "^b $pb end " "$S/b/log/main/current"

	for n in a b; do
		# One file each: nothing rotated (the default -s is 1 MB).
		[ "$(ls "$S/$n/log/main" | grep -c '^@')" -eq 0 ]
		lines_report "$S/$n/log/main/current" "${cuts[$n]}" >"$T/report"
		echo "$n: $(cat "$T/report") (gaps, lines, bytes, largest gap," \
			"garbled, instances); its logger killed at bytes${cuts[$n]}"
		read -r gaps missing bytes largest garbled instances <"$T/report"
		# A new instance after every kill of the service, of its
		# sid-supervise and of sid-svscan: 1 + 3 * 3.
		[ "$instances" -eq 10 ]
		# Lost only what a killed logger had read (lines_report: only
		# where it was killed), at most one read each.
		(( gaps <= 3 && garbled <= 3 ))
		(( largest <= LOGGER_READ_MAX ))
	done
}

# --- a service directory that goes wrong --------------------------------

# two_services: a and b under sid-svscan, each running its sleeper;
# sets A_SUP, B_SUP, B_PID.
two_services() {
	svc_in "$S/a" "exec '$(sleeper a)' 1000"
	svc_in "$S/b" "exec '$(sleeper b)' 1000"
	start_svscan "$S"
	wait_for 10 runs_once "$S/a" a
	wait_for 10 runs_once "$S/b" b
	A_SUP=$(sup_pid "$S/a")
	B_SUP=$(sup_pid "$S/b")
	B_PID=$(field "$S/b" pid)
	[ -n "$A_SUP" ] && [ -n "$B_SUP" ]
}

# b_untouched: b runs as before, under the same sid-supervise and the
# same sid-svscan.
b_untouched() {
	kill -0 "$SVSCAN_PID"
	[ "$(sup_pid "$S/b")" = "$B_SUP" ]
	runs_once "$S/b" b
	[ "$(field "$S/b" pid)" = "$B_PID" ]
}

# a_comes_back: write a again (atomically: made aside, then renamed in)
# and wait until it runs, under a new sid-supervise.
a_comes_back() {
	svc_in "$T/a.new" "exec '$(sleeper a)' 1000"
	mv "$T/a.new" "$S/a"
	wait_for 10 runs_once "$S/a" a
	[ -n "$(sup_pid "$S/a")" ] && [ "$(sup_pid "$S/a")" != "$A_SUP" ]
}

# one_line_naming N WORD: stderr got exactly one line after its first N,
# and it has the word WORD (the service's name).
one_line_naming() {
	err_since "$1"
	[ "$(err_since "$1" | wc -l)" -eq 1 ]
	err_since "$1" | grep -qw -- "$2"
}

@test "a service directory removed outright (rm -rf): one line, it is stopped, the rest keeps running, and it runs again when the directory is back" {
	two_services
	a_pid=$(field "$S/a" pid)
	before=$(err_lines)

	rm -rf "$S/a"
	wait_for 10 eval '[ -z "$(marked "$T/a-sleep")" ]'
	wait_for 10 eval '! kill -0 "$A_SUP" 2>/dev/null'
	run -0 sid-ctl scan
	one_line_naming "$before" a
	b_untouched
	run -3 sid-ctl status a
	[ "${#lines[@]}" -eq 1 ]

	before=$(err_lines)
	a_comes_back
	b_untouched
	[ "$(err_lines)" -eq "$before" ]
}

@test "a service directory that turns into a file: one line, no supervisor for the file, the rest keeps running, and it runs again as a directory" {
	two_services
	before=$(err_lines)

	rm -rf "$S/a"
	echo 'not a service' >"$S/a"
	wait_for 10 eval '[ -z "$(marked "$T/a-sleep")" ]'
	wait_for 10 eval '! kill -0 "$A_SUP" 2>/dev/null'
	run -0 sid-ctl scan
	run -0 sid-ctl scan
	one_line_naming "$before" a
	[ -z "$(test_procs sid-supervise | grep -vx "$B_SUP")" ]
	b_untouched
	run -3 sid-ctl status a
	[ "${#lines[@]}" -eq 1 ]

	rm "$S/a"
	before=$(err_lines)
	a_comes_back
	b_untouched
	[ "$(err_lines)" -eq "$before" ]
}

@test "a service that loses its run: it keeps running; when it exits the status says run_missing in one line; the rest keeps running; it runs again once run is back" {
	two_services
	a_pid=$(field "$S/a" pid)
	before=$(err_lines)

	rm "$S/a/run"
	run -0 sid-ctl scan
	# A rescan leaves the running instance alone.
	runs_once "$S/a" a
	[ "$(field "$S/a" pid)" = "$a_pid" ]

	# It exits: no run to start again.
	kill -KILL "$a_pid"
	wait_for 10 eval '[[ $(field "$S/a" error) == run_missing:* ]]'
	[ -z "$(marked "$T/a-sleep")" ]
	run --separate-stderr sid-ctl status a
	[ "${#lines[@]}" -eq 1 ]
	[[ $output == *run_missing* ]]
	[ "$(sup_pid "$S/a")" = "$A_SUP" ]
	b_untouched
	(( $(err_lines) <= before + 1 ))

	# run is back: a runs again by itself, under the same supervisor.
	printf '#!/bin/sh\nexec "%s" 1000\n' "$(sleeper a)" >"$T/run.new"
	chmod +x "$T/run.new"
	mv "$T/run.new" "$S/a/run"
	wait_for 5 runs_once "$S/a" a
	[ "$(sup_pid "$S/a")" = "$A_SUP" ]
	[ -z "$(field "$S/a" error)" ]
	b_untouched
}

# --- a supervise/ that cannot be written ----------------------------------

# A service that stays up at its first start; started again, it exits
# after 0.2 s 6 times (well beyond one retry of a failed status write),
# then stays up from its 8th start on.  Its starts are counted in
# $T/starts, outside supervise/.
flapper() {
	local dir
	dir=$(service flap "$(cat <<-EOF
		echo >>"$T/starts"
		n=\$(wc -l <"$T/starts")
		if [ "\$n" -gt 1 ] && [ "\$n" -lt 8 ]; then
			exec "$(sleeper f)" 0.2
		fi
		exec "$(sleeper f)" 1000
	EOF
	)") || return
	echo "$dir"
}

# starts: how many times the flapper started.
starts() {
	wc -l <"$T/starts" 2>/dev/null || echo 0
}

# sup_err: the lines sid-supervise wrote to stderr.
sup_err() {
	cat "$BATS_TEST_TMPDIR/supervise.out" 2>/dev/null
}

# unwritable_supervise BREAK FIX: with supervise/ made unwritable by
# BREAK (a command, given the directory), the flapper starts 8 times and
# stays up: one warning, nothing else; once FIX has run, the status
# catches up and one more line says it works again.
unwritable_supervise() {
	local dir=$1 break=$2 fix=$3 spid live
	spid=${SUPERVISE_PIDS[0]}
	wait_for 5 field_is "$dir" state up
	[ -z "$(sup_err)" ]

	$break "$dir/supervise"
	[ "$(starts)" -eq 1 ]
	# The child is killed while nothing can be written: it restarts.
	kill -KILL "$(field "$dir" pid)"
	wait_for 20 eval '[ "$(starts)" -ge 8 ]'
	wait_for 5 eval '[ -n "$(marked "$T/f-sleep 1000")" ]'
	live=$(marked "$T/f-sleep")
	[ "$(echo "$live" | wc -w)" -eq 1 ]
	kill -0 "$spid"
	# Status is stale (it could not be written), the service runs.
	[ "$(field "$dir" pid)" != "$live" ]
	sup_err
	[ "$(sup_err | wc -l)" -eq 1 ]
	[[ $(sup_err) == *supervise* ]]

	$fix "$dir/supervise"
	wait_for 5 field_is "$dir" pid "$live"
	field_is "$dir" state up
	wait_for 5 eval '[ "$(sup_err | wc -l)" -ge 2 ]'
	sup_err
	[ "$(sup_err | wc -l)" -eq 2 ]
	[[ $(sup_err | tail -n 1) == *'works again'* ]]
	kill -0 "$spid"
	[ "$(marked "$T/f-sleep")" = "$live" ]
}

immutable() {
	chattr +i "$1"
}

mutable() {
	chattr -i "$1"
}

@test "an immutable supervise/ (chattr +i): one warning, the service keeps running and restarting, status catches up with one line once it is writable" {
	dir=$(flapper)
	mkdir "$dir/supervise"
	chattr +i "$dir/supervise" 2>"$T/chattr.err" ||
		skip "chattr +i is not supported here: $(cat "$T/chattr.err")"
	chattr -i "$dir/supervise"
	UNDO+=("chattr -i '$dir/supervise' 2>/dev/null")
	start_supervise "$dir"
	unwritable_supervise "$dir" immutable mutable
}

# fill DIR: fill the file system of DIR (a small tmpfs): every page,
# then every inode.  Pages alone would not stay full: replacing a file
# with an empty one (supervise/pid while no child runs) frees a page,
# and the next status write takes it.
fill() {
	local i
	mkdir "$1/fill"
	dd if=/dev/zero of="$1/fill/pages" bs=4k 2>/dev/null || true
	for (( i = 0; i < 1000; i++ )); do
		: 2>/dev/null >"$1/fill/$i" || break
	done
	(( i < 1000 ))
	! sh -c 'printf x >>"$1"' sh "$1/fill/pages" 2>/dev/null
}

unfill() {
	rm -rf "$1/fill"
}

@test "a full file system under supervise/ (tmpfs of 64k and 64 inodes): one warning, the service keeps running and restarting, status catches up with one line once space is back" {
	dir=$(flapper)
	mkdir "$dir/supervise"
	mount -t tmpfs -o size=64k,nr_inodes=64 tmpfs "$dir/supervise" 2>"$T/mount.err" ||
		skip "mount -t tmpfs is not permitted here: $(cat "$T/mount.err")"
	UNDO+=("umount '$dir/supervise' 2>/dev/null || umount -l '$dir/supervise'")
	start_supervise "$dir"
	unwritable_supervise "$dir" fill unfill
}

# --- the scan directory itself ----------------------------------------------

# scan_works: sid-ctl scan gets its answer from sid-svscan.
scan_works() {
	sid-ctl scan >/dev/null 2>&1
}

@test "the scan directory removed and made again: one line each way, sid-ctl scan works again, the services of the new directory run" {
	svc_in "$S/a" "exec '$(sleeper a)' 1000"
	start_svscan "$S"
	wait_for 10 runs_once "$S/a" a
	before=$(err_lines)

	rm -rf "$S"
	wait_for 5 eval 'err_since "$before" | grep -q "^sid-svscan: .* was removed"'
	mkdir "$S"
	svc_in "$T/c.new" "exec '$(sleeper c)' 1000"
	mv "$T/c.new" "$S/c"
	wait_for 10 runs_once "$S/c" c
	wait_for 5 scan_works
	# a went with the old directory.
	wait_for 10 eval '[ -z "$(marked "$T/a-sleep")" ]'
	kill -0 "$SVSCAN_PID"
	# One line of sid-svscan's own each way said so.
	err_since "$before"
	[ "$(err_since "$before" | grep -c '^sid-svscan: ')" -eq 2 ]
	[ "$(err_since "$before" | grep -c '^sid-svscan: .* was removed; ')" -eq 1 ]
	[ "$(err_since "$before" | grep -c '^sid-svscan: .* is back; ')" -eq 1 ]
	[ -d "$S/.sid-svscan" ]
}

@test "the scan directory's .sid-svscan/ removed: one line, it is made again, sid-ctl scan works again, services keep running" {
	svc_in "$S/a" "exec '$(sleeper a)' 1000"
	start_svscan "$S"
	wait_for 10 runs_once "$S/a" a
	a_pid=$(field "$S/a" pid)
	before=$(err_lines)

	rm -rf "$S/.sid-svscan"
	wait_for 5 scan_works
	[ -p "$S/.sid-svscan/control" ]
	runs_once "$S/a" a
	[ "$(field "$S/a" pid)" = "$a_pid" ]
	err_since "$before"
	[ "$(err_since "$before" | grep -c '^sid-svscan: ')" -eq 1 ]
}
