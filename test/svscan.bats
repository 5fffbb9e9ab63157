#!/usr/bin/env bats
# sid-svscan: pickup of new services (inotify, polling, SIGHUP, sid-ctl
# scan), removal with the logger outliving its service, held log pipes
# that lose no line across restarts, restart of a killed sid-supervise,
# takeover after a killed sid-svscan, PID 1 in a PID namespace, sid-ctl
# scan reports, 200 services, the lock, SIGTERM, -p prefixes; and (issue
# 7) the scan directory or its .sid-svscan/ removed, moved and made
# again, service directories made again or turned into files, names that
# begin with - or could forge output, and floods of scan requests.
#
# Every process of a test works under $BATS_TEST_TMPDIR (sid-svscan in
# the scan dir, sid-supervise and services in their directories), which
# is how teardown finds what is left.  Lines are checked with numbers.sh
# (below): each instance of a service numbers its lines 1, 2, 3, ... and
# says its last number when stopped, so a lost or doubled line shows as
# a gap, a repeat, or an end line naming a number that never landed.

load helper
load svscan-helper

setup_file() {
	export BATS_TEST_TIMEOUT=120
	local f
	for f in sid-svscan sid-supervise sid-ctl test/helpers/linelog \
		test/helpers/sid-svscan-poll; do
		[ -x "$SID_ROOT/$f" ] || {
			echo "build first: make && make test/helpers/linelog" \
				"test/helpers/sid-svscan-poll" >&2
			return 1
		}
	done
}

setup() {
	T=$BATS_TEST_TMPDIR
	export SID_SCANDIR="$T/scan"
	mkdir -p "$SID_SCANDIR" "$T/svc"
	SVSCAN_BIN="$SID_ROOT/sid-svscan"
	SVSCAN_PID=
	SVSCAN_PIDS=()
	NUMBERS="$T/numbers.sh"
	# numbers.sh MARK [MAX] [PAUSE] [PAD]: print "PID N" (and " PAD" when
	# given) for N = 1, 2, ... MAX (no bound when MAX is empty), with a
	# sleep of PAUSE after each, then "PID done MAX" and idle.  On
	# TERM: "PID end N", N the last number printed, and exit 0.  MARK only
	# makes the process findable with pgrep -f.  Each echo is one
	# command, so the trap never runs between a number and its line.
	# stderr goes to /dev/null: sh says "Terminated" there when its sleep is.
	cat >"$NUMBERS" <<-'EOF'
		exec 2>/dev/null
		i=0
		trap 'echo "$$ end $i"; exit 0' TERM
		while [ "$i" -lt "${2:-999999999}" ]; do
			echo "$$ $((i += 1))${4:+ $4}"
			[ -z "$3" ] || sleep "$3"
		done
		echo "$$ done $i"
		while :; do sleep 1; done
	EOF
}

teardown() {
	stop_svscan
	stop_supervisors
}

# --- helpers ------------------------------------------------------------

# with_logger NAME FILE: give $T/svc/NAME a log/ that appends its input
# to FILE, line by line (test/helpers/linelog).
with_logger() {
	local dir="$T/svc/$1/log"
	mkdir -p "$dir"
	printf '#!/bin/sh\nexec "%s" "%s"\n' "$HELPERS/linelog" "$2" >"$dir/run"
	chmod +x "$dir/run"
	printf 'stop-grace = 300ms\nbackoff-initial = 10ms\n' >"$dir/conf"
}

# link_in NAME...: link $T/svc/NAME into the scan dir.
link_in() {
	local name
	for name in "$@"; do
		ln -s "$T/svc/$name" "$SID_SCANDIR/$name"
	done
}

# now_ms: wall time in milliseconds.
now_ms() {
	local t=${EPOCHREALTIME/./}
	echo $(( t / 1000 ))
}

# state DIR: the state in DIR/supervise/status, empty when none.
state() {
	sed -n 's/^state=//p' "$1/supervise/status" 2>/dev/null
}

# is_up DIR [NOT-PID]: DIR is up, with a pid other than NOT-PID.
is_up() {
	[ "$(state "$1")" = up ] || return 1
	[ -z "$2" ] || [ "$(field "$1" pid)" != "$2" ]
}

# supervised DIR: a sid-supervise reads DIR's control FIFO.
supervised() {
	sid-ctl status "$1" >/dev/null 2>&1
}

# gone PID: PID has exited (a zombie counts as gone).
gone() {
	! kill -0 "$1" 2>/dev/null || [ "$(proc_state "$1")" = Z ]
}

# vanished PID: not even a zombie is left of PID: it was reaped.
vanished() {
	[ ! -e "/proc/$1" ]
}

# proc_state PID: the one-letter state of PID (R, S, Z, ...).
proc_state() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
	stat=${stat##*) }
	echo "${stat%% *}"
}


# pids_in DIR: the live processes whose working directory is DIR.
pids_in() {
	local d
	d=$(readlink -f "$1")
	cwds | awk -v d="$d" '{ p = $1; sub(/^[0-9]+ /, "") } $0 == d { print p }'
}

# sup_pid DIR: the pid of the sid-supervise running DIR, if any.
sup_pid() {
	local p
	for p in $(pids_in "$1"); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" != sid-supervise ] ||
			echo "$p"
	done
}


# marked PATTERN: the live processes whose command line matches PATTERN.
marked() {
	local p
	for p in $(pgrep -f -- "$1"); do
		[ "$(proc_state "$p")" = Z ] || [ ! -e "/proc/$p" ] || echo "$p"
	done
}

# count_is N PATTERN: exactly N live processes match PATTERN.
count_is() {
	local n
	n=$(marked "$2" | wc -l)
	[ "$n" -eq "$1" ]
}

# numbers_report FILE: check FILE, the output of numbers.sh instances.
# Per instance (its pid), the numbers are 1, 2, 3, ... with no gap and no
# duplicate, and its end/done line names the last number it printed.
# Prints "PID LAST DONE END" per instance in order of appearance (DONE
# and END: the numbers of those lines, - when none); fails and says
# where on any garbled line, gap, duplicate or wrong end line.
numbers_report() {
	awk '
	function bad(why) {
		printf "%s:%d: %s: %s\n", FILENAME, FNR, why, $0 > "/dev/stderr"
		err = 1
	}
	function instance(p) {
		if (!(p in last)) {
			order[++n] = p
			last[p] = 0
		}
	}
	/^[0-9]+ [0-9]+( x+)?$/ {
		instance($1)
		if ($2 + 0 != last[$1] + 1)
			bad("expected " (last[$1] + 1))
		last[$1] = $2 + 0
		next
	}
	/^[0-9]+ (end|done) [0-9]+$/ {
		instance($1)
		if ($3 + 0 != last[$1])
			bad("the last number printed was " last[$1])
		if ($2 == "end")
			end[$1] = $3
		else
			done[$1] = $3
		next
	}
	{ bad("not a line of numbers.sh") }
	END {
		for (i = 1; i <= n; i++) {
			p = order[i]
			print p, last[p], (p in done) ? done[p] : "-", \
			    (p in end) ? end[p] : "-"
		}
		exit err
	}' "$1"
}

# size FILE: its size in bytes, 0 when missing.
size() {
	stat -c %s "$1" 2>/dev/null || echo 0
}

# grown FILE BYTES: FILE is larger than BYTES by at least 2000 bytes.
grown() {
	[ "$(size "$1")" -ge $(( $2 + 2000 )) ]
}

# --- pickup, removal, re-add --------------------------------------------

# A service with a logger whose last lines come late: its TERM trap waits
# 0.3 s before its final line, and a finish script writes one more.
late_talker() {
	local dir
	dir=$(service "$1" "$(cat <<-'EOF'
		trap 'sleep 0.3; echo "final $$"; exit 0' TERM
		echo "start $$"
		while :; do sleep 0.05; done
	EOF
	)" 'stop-grace = 3s') || return
	printf '#!/bin/sh\necho "finish $1 $2"\n' >"$dir/finish"
	chmod +x "$dir/finish"
	with_logger "$1" "$T/$1.log"
	echo "$dir"
}

# logger_ended_at_eof DIR: DIR's history ends with "control: o", later
# "-> down exit 0" (the logger read to EOF and ended by itself), then
# "control: x" as the last line.
logger_ended_at_eof() {
	local events="$1/supervise/events" o x
	cat "$events"
	o=$(grep -n 'control: o$' "$events" | tail -n 1 | cut -d: -f1)
	x=$(grep -n 'control: x$' "$events" | tail -n 1 | cut -d: -f1)
	[ -n "$o" ] && [ -n "$x" ] && (( o < x ))
	[ "$x" -eq "$(wc -l <"$events")" ]
	[[ $(sed -n "$(( x - 1 ))p" "$events") == *' -> down exit 0' ]]
}

# pickup_remove_readd MS: the add / remove / re-add cycle with $SVSCAN_BIN;
# each pickup must take less than MS milliseconds.
pickup_remove_readd() {
	local limit=$1 dir t0 took pid
	dir=$(late_talker a)
	start_svscan "$SID_SCANDIR"

	t0=$(now_ms)
	link_in a
	wait_for 5 is_up "$dir"
	took=$(( $(now_ms) - t0 ))
	echo "picked up in $took ms"
	(( took < limit ))
	wait_for 5 is_up "$dir/log"
	wait_for 5 grep -q '^start ' "$T/a.log"
	pid=$(field "$dir" pid)
	grep -qx "start $pid" "$T/a.log"

	# Removed: the service gets x; its last lines land in the log; the
	# logger ends at EOF (o), and only then gets x.
	rm "$SID_SCANDIR/a"
	wait_for 10 eval "! supervised '$dir'"
	gone "$pid"
	wait_for 10 eval "! supervised '$dir/log'"
	grep -qx "final $pid" "$T/a.log"
	grep -qx 'finish 0 0' "$T/a.log"
	[ "$(tail -n 1 "$T/a.log")" = 'finish 0 0' ]
	run -1 pgrep -f "linelog $T/a.log"
	# The logger's history: o, then its own exit at EOF, then x.
	logger_ended_at_eof "$dir/log"
	[ "$(state "$dir")" = down ] && [ "$(state "$dir/log")" = down ]

	# Re-added: a new instance, a new logger, on the same log.
	t0=$(now_ms)
	link_in a
	wait_for 5 is_up "$dir" "$pid"
	took=$(( $(now_ms) - t0 ))
	echo "picked up again in $took ms"
	(( took < limit ))
	wait_for 5 is_up "$dir/log"
	wait_for 5 grep -qx "start $(field "$dir" pid)" "$T/a.log"
	[ "$(grep -c '^start ' "$T/a.log")" -eq 2 ]
	count_is 1 "linelog $T/a.log"
}

@test "inotify: a linked service runs within 1 s; removed, its logger outlives it to the last line; linked again" {
	pickup_remove_readd 1000
}

@test "removal: each logger is told o before its input ends, and is not started again" {
	names=()
	for i in $(seq -w 1 30); do
		service "r$i" 'exec sleep 1000' >/dev/null
		with_logger "r$i" "$T/r$i.log"
		names+=("r$i")
	done
	link_in "${names[@]}"
	start_svscan "$SID_SCANDIR"
	for name in "${names[@]}"; do
		wait_for 10 is_up "$T/svc/$name"
		wait_for 10 is_up "$T/svc/$name/log"
	done
	rm "$SID_SCANDIR"/r*
	for name in "${names[@]}"; do
		wait_for 10 eval "! supervised '$T/svc/$name/log'"
	done
	bad=0
	for name in "${names[@]}"; do
		events="$T/svc/$name/log/supervise/events"
		[ "$(grep -c ' -> starting ' "$events")" -eq 1 ] || {
			echo "$name/log started again:"
			cat "$events"
			bad=$(( bad + 1 ))
		}
	done
	[ "$bad" -eq 0 ]
}

@test "polling build: a linked service runs within 2 s with no signal; removed; linked again" {
	SVSCAN_BIN="$HELPERS/sid-svscan-poll"
	pickup_remove_readd 2000
}

@test "a directory without run is started once run appears (no signal, no period); dot entries and files are no services" {
	start_svscan "$SID_SCANDIR"
	mkdir "$SID_SCANDIR/late" "$SID_SCANDIR/.hidden"
	printf '#!/bin/sh\nexec sleep 1000\n' >"$SID_SCANDIR/.hidden/run"
	chmod +x "$SID_SCANDIR/.hidden/run"
	echo 'not a service' >"$SID_SCANDIR/notes"
	run -0 sid-ctl scan
	[ "$output" = 'unchanged 0' ]
	[ ! -e "$SID_SCANDIR/late/supervise" ]
	[ ! -e "$SID_SCANDIR/.hidden/supervise" ]

	printf '#!/bin/sh\nexec sleep 1000\n' >"$T/run.tmp"
	chmod +x "$T/run.tmp"
	mv "$T/run.tmp" "$SID_SCANDIR/late/run"
	t0=$(now_ms)
	wait_for 5 is_up "$SID_SCANDIR/late"
	took=$(( $(now_ms) - t0 ))
	echo "started in $took ms"
	(( took < 1000 ))
}

@test "polling build with -t 60: SIGHUP and sid-ctl scan rescan at once" {
	SVSCAN_BIN="$HELPERS/sid-svscan-poll"
	a=$(service a 'exec sleep 1000')
	b=$(service b 'exec sleep 1000')
	start_svscan "$SID_SCANDIR" -t 60
	link_in a
	kill -HUP "$SVSCAN_PID"
	wait_for 2 is_up "$a"
	link_in b
	run -0 sid-ctl scan
	[ "$output" = $'added a\nadded b\nunchanged 0' ]
	wait_for 2 is_up "$b"
	rm "$SID_SCANDIR/a"
	kill -HUP "$SVSCAN_PID"
	wait_for 5 eval "! supervised '$a'"
	[ "$(state "$a")" = down ]
	run -0 sid-ctl scan
	[ "$output" = $'removed a\nunchanged 1' ]
}

@test "a service directory deleted outright: SIGTERM to its sid-supervise, which stops it, then its logger" {
	mkdir -p "$SID_SCANDIR/gone/log"
	printf '#!/bin/sh\nexec sh "%s" "%s" "" 0.01\n' "$NUMBERS" "mark:gone:$T" \
		>"$SID_SCANDIR/gone/run"
	printf '#!/bin/sh\nexec "%s" "%s"\n' "$HELPERS/linelog" "$T/gone.log" \
		>"$SID_SCANDIR/gone/log/run"
	chmod +x "$SID_SCANDIR/gone/run" "$SID_SCANDIR/gone/log/run"
	start_svscan "$SID_SCANDIR"
	wait_for 5 is_up "$SID_SCANDIR/gone"
	wait_for 5 is_up "$SID_SCANDIR/gone/log"
	wait_for 5 grep -q ' 10$' "$T/gone.log"
	sups="$(sup_pid "$SID_SCANDIR/gone") $(sup_pid "$SID_SCANDIR/gone/log")"
	[ "$(echo "$sups" | wc -w)" -eq 2 ]

	rm -rf "$SID_SCANDIR/gone"
	for p in $sups; do
		wait_for 10 vanished "$p"
	done
	count_is 0 "mark:gone:$T"
	count_is 0 "linelog $T/gone.log"
	kill -0 "$SVSCAN_PID"
	run -0 sid-ctl scan
	[ "$output" = $'added gone\nremoved gone\nunchanged 0' ]
	# Its lines up to the end line of its TERM trap landed.
	run -0 numbers_report "$T/gone.log"
	[[ $output =~ ^[0-9]+\ ([0-9]+)\ -\ ([0-9]+)$ ]]
	[ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ]
}

# --- no line lost across restarts ---------------------------------------

@test "no line lost or doubled while the logger restarts 10 times and the service 5 times" {
	# Instances 1-5 count without end and are restarted while they
	# write; the 6th counts to 20000 and idles.
	dir=$(service p "$(cat <<-EOF
		n=\$((\$(cat starts 2>/dev/null || echo 0) + 1))
		echo "\$n" >starts
		max=; [ "\$n" -lt 6 ] || max=20000
		exec sh "$NUMBERS" "mark:p:$T" "\$max"
	EOF
	)" 'stop-grace = 2s')
	with_logger p "$T/p.log"
	link_in p
	start_svscan "$SID_SCANDIR"
	wait_for 5 is_up "$dir"
	wait_for 5 is_up "$dir/log"

	for round in 1 2 3 4 5 6 7 8 9 10; do
		bytes=$(size "$T/p.log")
		wait_for 10 grown "$T/p.log" "$bytes"
		sid-ctl -w -r "$SID_SCANDIR/p/log"
		(( round % 2 == 0 )) || continue
		bytes=$(size "$T/p.log")
		wait_for 10 grown "$T/p.log" "$bytes"
		sid-ctl -w -r p
	done
	wait_for 5 eval '[ "$(cat "$dir/starts")" -ge 6 ]'
	[ "$(cat "$dir/starts")" -eq 6 ]
	wait_for 30 grep -Eq '^[0-9]+ done 20000$' "$T/p.log"
	sid-ctl -w -d p
	wait_for 10 grep -Eq '^[0-9]+ end 20000$' "$T/p.log"

	run -0 numbers_report "$T/p.log"
	printf '%s\n' "${lines[@]}"
	[ "${#lines[@]}" -eq 6 ]
	for i in 0 1 2 3 4; do
		read -r pid last done end <<<"${lines[i]}"
		# Restarted while writing: its end line says what it printed.
		[ "$last" -gt 0 ] && [ "$done" = - ] && [ "$end" = "$last" ]
	done
	[[ ${lines[5]} =~ ^[0-9]+\ 20000\ 20000\ 20000$ ]]
	count_is 1 "linelog $T/p.log"
}

# --- a sid-supervise that dies ------------------------------------------

@test "kill -9 of a sid-supervise: it is back, exactly one copy runs, the old run is reaped, no line lost" {
	dir=$(service k "exec sh '$NUMBERS' 'mark:k:$T' '' 0.01")
	with_logger k "$T/k.log"
	link_in k
	start_svscan "$SID_SCANDIR"
	wait_for 5 is_up "$dir"
	wait_for 5 is_up "$dir/log"

	# The service's sid-supervise.
	old_sup=$(sup_pid "$dir")
	old_run=$(field "$dir" pid)
	[ -n "$old_sup" ] && [ "$(ps -o ppid= -p "$old_sup" | tr -d ' ')" = "$SVSCAN_PID" ]
	kill -KILL "$old_sup"
	wait_for 10 eval '[ -n "$(sup_pid "$dir")" ] && [ "$(sup_pid "$dir")" != "$old_sup" ]'
	wait_for 10 is_up "$dir" "$old_run"
	wait_for 10 vanished "$old_run"
	wait_for 10 count_is 1 "mark:k:$T"
	grep -q 'instance left by an earlier sid-supervise' "$dir/supervise/events"
	new_run=$(field "$dir" pid)
	[ "$(marked "mark:k:$T")" = "$new_run" ]

	# The logger's sid-supervise, while lines flow.
	old_lsup=$(sup_pid "$dir/log")
	old_log=$(field "$dir/log" pid)
	[ -n "$old_lsup" ]
	kill -KILL "$old_lsup"
	wait_for 10 eval '[ -n "$(sup_pid "$dir/log")" ] && [ "$(sup_pid "$dir/log")" != "$old_lsup" ]'
	wait_for 10 is_up "$dir/log" "$old_log"
	wait_for 10 vanished "$old_log"
	wait_for 10 count_is 1 "linelog $T/k.log"
	grep -q 'instance left by an earlier sid-supervise' \
		"$dir/log/supervise/events"
	[ "$(marked "linelog $T/k.log")" = "$(field "$dir/log" pid)" ]

	# Still one copy of each, and the new logger writes.
	bytes=$(size "$T/k.log")
	wait_for 10 grown "$T/k.log" "$bytes"
	count_is 1 "mark:k:$T"
	[ "$(field "$dir" pid)" = "$new_run" ]

	sid-ctl -w -d k
	wait_for 10 grep -qx "$new_run end [0-9]*" "$T/k.log"
	run -0 numbers_report "$T/k.log"
	printf '%s\n' "${lines[@]}"
	[ "${#lines[@]}" -eq 2 ]
	[[ ${lines[0]} =~ ^$old_run\ [0-9]+\ -\ [0-9]+$ ]]
	[[ ${lines[1]} =~ ^$new_run\ [0-9]+\ -\ [0-9]+$ ]]
}

# --- a sid-svscan that dies ---------------------------------------------

@test "kill -9 of sid-svscan, started again: one copy of each service, its own tree, no line lost" {
	a=$(service a "exec sh '$NUMBERS' 'mark:a:$T'")
	with_logger a "$T/a.log"
	b=$(service b "exec sh '$NUMBERS' 'mark:b:$T' '' 0.005")
	with_logger b "$T/b.log"
	c=$(service c "exec sh '$NUMBERS' 'mark:c:$T' '' 0.01 >/dev/null")
	link_in a b c
	start_svscan "$SID_SCANDIR"
	for d in "$a" "$a/log" "$b" "$b/log" "$c"; do
		wait_for 5 is_up "$d"
	done
	old_svscan=$SVSCAN_PID
	old_sups=$(for d in "$a" "$a/log" "$b" "$b/log" "$c"; do sup_pid "$d"; done)
	[ "$(echo "$old_sups" | wc -w)" -eq 5 ]
	old_a=$(field "$a" pid) old_b=$(field "$b" pid) old_c=$(field "$c" pid)

	kill -KILL "$old_svscan"
	wait "$old_svscan" || true
	# Its tree lives on without it.
	for d in "$a" "$b" "$c"; do supervised "$d"; done
	bytes=$(size "$T/a.log")
	wait_for 10 grown "$T/a.log" "$bytes"

	start_svscan "$SID_SCANDIR"
	for p in $old_sups; do
		wait_for 15 gone "$p"
	done
	for d in "$a" "$a/log" "$b" "$b/log" "$c"; do
		wait_for 15 is_up "$d"
		wait_for 5 eval '[ -n "$(sup_pid "$d")" ]'
		[ "$(ps -o ppid= -p "$(sup_pid "$d")" | tr -d ' ')" = "$SVSCAN_PID" ]
	done
	for s in a b c; do
		wait_for 10 count_is 1 "mark:$s:$T"
	done
	wait_for 10 count_is 1 "linelog $T/a.log"
	wait_for 10 count_is 1 "linelog $T/b.log"
	new_a=$(field "$a" pid) new_b=$(field "$b" pid)
	[ "$new_a" != "$old_a" ] && [ "$new_b" != "$old_b" ]
	[ "$(field "$c" pid)" != "$old_c" ]
	[ "$(marked "mark:a:$T")" = "$new_a" ]

	# The new instances' lines land.
	wait_for 10 grep -qx "$new_a 1000" "$T/a.log"
	wait_for 10 grep -qx "$new_b 100" "$T/b.log"
	sid-ctl -w -d a b
	wait_for 10 grep -qx "$new_a end [0-9]*" "$T/a.log"
	wait_for 10 grep -qx "$new_b end [0-9]*" "$T/b.log"
	# Every line of both instances is there, once: the old ones up to
	# the end line they printed when the old tree stopped them.
	for s in a b; do
		run -0 numbers_report "$T/$s.log"
		printf '%s\n' "${lines[@]}"
		[ "${#lines[@]}" -eq 2 ]
		[[ ${lines[0]} =~ ^[0-9]+\ ([0-9]+)\ -\ ([0-9]+)$ ]]
		[ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ]
		[[ ${lines[1]} =~ ^[0-9]+\ ([0-9]+)\ -\ ([0-9]+)$ ]]
	done
}

@test "kill -9 of sid-svscan: the old logger's backlog still lands, as it does on removal" {
	# A slow logger (a few ms a line) that, on TERM, finishes the line
	# at hand and exits, like linelog: a full pipe takes it ~0.3 s.
	cat >"$T/slowlog.sh" <<-'EOF'
		trap 'stop=1' TERM
		while [ -z "$stop" ] && IFS= read -r line; do
			printf '%s\n' "$line" >>"$1"
			sleep 0.003
		done
	EOF
	pad=$(printf 'x%.0s' $(seq 1 1000))
	dir=$(service a "exec sh '$NUMBERS' 'mark:a:$T' '' '' $pad" \
		'stop-grace = 3s')
	mkdir "$dir/log"
	printf '#!/bin/sh\nexec sh "%s" "%s"\n' "$T/slowlog.sh" "$T/a.log" \
		>"$dir/log/run"
	chmod +x "$dir/log/run"
	link_in a
	start_svscan "$SID_SCANDIR"
	wait_for 5 is_up "$dir"
	wait_for 10 eval '[ "$(wc -l <"$T/a.log")" -ge 20 ]'

	# Removed: the backlog drains, the end line lands.
	first=$(field "$dir" pid)
	rm "$SID_SCANDIR/a"
	wait_for 15 eval "! supervised '$dir/log'"
	grep -Eq "^$first end [0-9]+\$" "$T/a.log"

	# Taken over by a new sid-svscan: the same is due.
	link_in a
	wait_for 5 is_up "$dir" "$first"
	second=$(field "$dir" pid)
	wait_for 10 grep -q "^$second 20 " "$T/a.log"
	kill -KILL "$SVSCAN_PID"
	wait "$SVSCAN_PID" || true	# gone, and its lock with it
	start_svscan "$SID_SCANDIR"
	wait_for 15 is_up "$dir" "$second"
	third=$(field "$dir" pid)
	wait_for 10 grep -q "^$third 20 " "$T/a.log"
	sid-ctl -w -d a
	wait_for 10 grep -Eq "^$third end [0-9]+\$" "$T/a.log"

	run -0 numbers_report "$T/a.log"
	printf '%s\n' "${lines[@]}"
	[ "${#lines[@]}" -eq 3 ]
	for i in 0 1 2; do
		[[ ${lines[i]} =~ ^[0-9]+\ ([0-9]+)\ -\ ([0-9]+)$ ]] &&
			[ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ] || {
			echo "instance $(( i + 1 )): lines lost after its last" \
				"logged one (no end line)" >&2
			false
		}
	done
}

# --- PID 1 ----------------------------------------------------------------

# ns_zombies ROOT: zombies among the descendants of ROOT (host pids).
ns_zombies() {
	ps -e -o pid=,ppid=,stat= | awk -v root="$1" '
		{ parent[$1] = $2; st[$1] = $3 }
		END {
			for (p in parent) {
				q = p
				while (q in parent && q != root && q > 1)
					q = parent[q]
				if (q == root && st[p] ~ /^Z/)
					print p
			}
		}' | sort -n
}

# lingering_zombies ROOT TICKS: zombies under ROOT that are still zombies
# after the service made 5 more orphans (counted in the file TICKS).
lingering_zombies() {
	local before n
	before=$(ns_zombies "$1")
	n=$(wc -l <"$2")
	wait_for 10 eval "[ \$(wc -l <'$2') -ge $(( n + 5 )) ]"
	comm -12 <(echo "$before") <(ns_zombies "$1") | grep . || true
}

@test "PID 1 in a PID namespace: reaps orphaned grandchildren, exits 0 on SIGTERM" {
	unshare --pid --fork --mount-proc true 2>/dev/null ||
		skip "unshare --pid --fork --mount-proc is not permitted here"
	# Each round leaves an orphan that dies 50 ms later.
	dir=$(service orphans "$(cat <<-EOF
		exec sh -c 'while :; do
			sh -c "sleep 0.05 &"
			echo x >>"$T/ticks"
			sleep 0.05
		done' "mark:orphans:$T"
	EOF
	)")
	link_in orphans
	: >"$T/ticks"
	unshare --pid --fork --mount-proc "$SID_ROOT/sid-svscan" "$SID_SCANDIR" \
		3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- \
		>>"$T/svscan.out" 2>>"$T/svscan.err" &
	unshare_pid=$!
	wait_for 5 eval '[ -n "$(pgrep -P "$unshare_pid")" ]'
	init=$(pgrep -P "$unshare_pid")
	SVSCAN_PIDS+=("$init")
	[ "$(cat "/proc/$init/comm")" = sid-svscan ]
	# It is PID 1 in its namespace.
	grep -Eq "^NSpid:[[:space:]]+$init[[:space:]]+1\$" "/proc/$init/status"
	wait_for 5 is_up "$dir"
	wait_for 10 eval '[ $(wc -l <"$T/ticks") -ge 5 ]'

	# Orphans of the service (reaped by its sid-supervise, a subreaper).
	run -0 lingering_zombies "$init" "$T/ticks"
	[ -z "$output" ]

	# Orphans of sid-supervise itself come to PID 1: kill -9 it, so its
	# run and the run's sleepers are reparented to sid-svscan.
	sup=$(sup_pid "$dir")
	old_run=$(marked "mark:orphans:$T")	# its pid out here
	[ -n "$sup" ] && [ -n "$old_run" ]
	ns_old_run=$(field "$dir" pid)		# its pid in the namespace
	kill -KILL "$sup"
	wait_for 10 vanished "$sup"
	wait_for 10 is_up "$dir" "$ns_old_run"
	wait_for 10 vanished "$old_run"
	wait_for 10 count_is 1 "mark:orphans:$T"
	run -0 lingering_zombies "$init" "$T/ticks"
	[ -z "$output" ]

	kill -TERM "$init"
	wait_for 15 gone "$unshare_pid"
	rc=0
	wait "$unshare_pid" || rc=$?
	[ "$rc" -eq 0 ]
	vanished "$init"
	count_is 0 "mark:orphans:$T"
	! grep -q 'shutdown deadline' "$T/svscan.err"
}

# --- sid-ctl scan ---------------------------------------------------------

# scan_is [-r] EXPECTED...: sid-ctl scan exits 0 and prints exactly these
# lines, in this order (the report is sorted).
scan_is() {
	local want opt=()
	[ "$1" != -r ] || { opt=(-r); shift; }
	run -0 sid-ctl scan "${opt[@]}"
	want=$(printf '%s\n' "$@")
	[ "$output" = "$want" ] || {
		printf 'sid-ctl scan printed:\n%s\nwanted:\n%s\n' "$output" "$want" >&2
		return 1
	}
}

@test "sid-ctl scan: added, removed, changed run/conf/env, -r restarts the changed, port conflicts, exit 2 without sid-svscan" {
	run -2 --separate-stderr sid-ctl scan
	[[ $stderr == "sid-ctl: no sid-svscan is running on $SID_SCANDIR"* ]]

	a=$(service a 'exec sleep 1000')
	b=$(service b 'exec sleep 1000')
	c=$(service c 'exec sleep 1000')
	link_in a b
	start_svscan "$SID_SCANDIR"
	wait_for 5 is_up "$a"
	wait_for 5 is_up "$b"
	scan_is 'added a' 'added b' 'unchanged 0'
	scan_is 'unchanged 2'

	# (Each new service is up before the scan: see the next test.)
	link_in c
	wait_for 5 is_up "$c"
	rm "$SID_SCANDIR/b"
	scan_is 'removed b' 'added c' 'unchanged 1'
	wait_for 10 eval "! supervised '$b'"
	scan_is 'unchanged 2'

	# Edits of what a was started from.
	echo 'finish-timeout = 2s' >>"$a/conf"
	scan_is 'changed a: conf' 'unchanged 1'
	mkdir "$a/env"
	echo bar >"$a/env/FOO"
	scan_is 'changed a: conf env' 'unchanged 1'
	echo '# edited' >>"$a/run"
	scan_is 'changed a: run conf env' 'unchanged 1'
	scan_is 'changed a: run conf env' 'unchanged 1'
	old=$(field "$a" pid)
	scan_is -r 'changed a: run conf env' 'restarted a' 'unchanged 1'
	wait_for 10 is_up "$a" "$old"
	scan_is 'unchanged 2'

	# An automatic restart reads run again, but not conf.
	echo '# edited' >>"$c/run"
	echo 'finish-timeout = 2s' >>"$c/conf"
	scan_is 'changed c: run conf' 'unchanged 1'
	old=$(field "$c" pid)
	sid-ctl -k c
	wait_for 10 is_up "$c" "$old"
	scan_is 'changed c: conf' 'unchanged 1'
	sid-ctl -w -r c
	scan_is 'unchanged 2'

	# Two services declaring one ready-port.
	p1=$(service p1 'exec sleep 1000' 'ready-port = 1' 'ready-timeout = 100ms')
	p2=$(service p2 'exec sleep 1000' 'ready-port = 1' 'ready-timeout = 100ms')
	link_in p1 p2
	wait_for 5 is_up "$p1"
	wait_for 5 is_up "$p2"
	scan_is 'added p1' 'added p2' 'conflict port 1: p1 p2' 'unchanged 2'
	scan_is 'conflict port 1: p1 p2' 'unchanged 4'
	rm "$SID_SCANDIR/p2"
	scan_is 'removed p2' 'unchanged 3'

	stop_svscan
	run -2 --separate-stderr sid-ctl scan
	[[ $stderr == "sid-ctl: no sid-svscan is running on $SID_SCANDIR"* ]]
}

@test "sid-ctl scan: a service that was just added is not reported changed" {
	start_svscan "$SID_SCANDIR"
	service n00 'exec sleep 1000' >/dev/null
	names=(n00)
	for i in $(seq 1 39); do
		names+=("$(printf 'n%02d' "$i")")
		cp -r "$T/svc/n00" "$T/svc/${names[-1]}"
	done
	# Link them one by one, with a scan after each: the report may say
	# "added", but none of them changed since it was started.
	: >"$T/reports"
	for name in "${names[@]}"; do
		link_in "$name"
		sid-ctl scan >>"$T/reports"
	done
	for name in "${names[@]}"; do
		wait_for 5 is_up "$T/svc/$name"
	done
	sid-ctl scan >>"$T/reports"
	[ "$(tail -n 1 "$T/reports")" = 'unchanged 40' ]
	[ "$(grep -c '^added ' "$T/reports")" -eq 40 ]
	run grep '^changed ' "$T/reports"
	[ -z "$output" ] || {
		echo "reported as changed while starting:"
		echo "$output"
		false
	}
}

# --- many services --------------------------------------------------------

@test "200 services: all up within 30 s, and sid-ctl status lists each one up" {
	mkdir "$T/svc/s000"
	printf '#!/bin/sh\nexec sleep 1000\n' >"$T/svc/s000/run"
	chmod +x "$T/svc/s000/run"
	printf 'stop-grace = 300ms\n' >"$T/svc/s000/conf"
	names=(s000)
	for i in $(seq 1 199); do
		names+=("$(printf 's%03d' "$i")")
		cp -r "$T/svc/s000" "$T/svc/${names[-1]}"
	done
	start_svscan "$SID_SCANDIR"
	link_in "${names[@]}"

	all_up() {
		[ "$(cat "$T"/svc/s*/supervise/status 2>/dev/null |
			grep -c '^state=up$')" -eq 200 ]
	}
	wait_for 30 all_up
	[ "$(pgrep -P "$SVSCAN_PID" -x sid-supervise | wc -l)" -eq 200 ]

	run -0 sid-ctl status
	[ "${#lines[@]}" -eq 201 ]
	[[ ${lines[0]} =~ ^NAME\ +STATE\ +PID\ +UPTIME\ +READY\ +RESTARTS\ +LAST-EXIT\ +NOTES$ ]]
	for i in $(seq 1 200); do
		[[ ${lines[i]} =~ ^${names[i - 1]}\ +up\ +[1-9][0-9]*\  ]] || {
			echo "row $i: ${lines[i]}" >&2
			false
		}
	done
	run -0 sid-ctl status -j
	[ "${#lines[@]}" -eq 200 ]
	[ "$(printf '%s\n' "${lines[@]}" | grep -c '"state":"up"')" -eq 200 ]
	[ "$(printf '%s\n' "${lines[@]}" | grep -o '"name":"s[0-9]*"' |
		tr '\n' ' ')" = "$(printf '"name":"%s" ' "${names[@]}")" ]
}

# --- the lock, SIGTERM ----------------------------------------------------

@test "a second sid-svscan on the same directory exits 111 and changes nothing" {
	dir=$(service one "exec sh '$NUMBERS' 'mark:one:$T' '' 1")
	link_in one
	start_svscan "$SID_SCANDIR"
	wait_for 5 is_up "$dir"
	pid=$(field "$dir" pid)

	run -111 --separate-stderr timeout 10 "$SID_ROOT/sid-svscan" \
		"$SID_SCANDIR" 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-
	[[ $stderr == "sid-svscan: fatal: $SID_SCANDIR is already scanned by sid-svscan (pid "*")" ]]
	[ "${#stderr_lines[@]}" -eq 1 ]
	is_up "$dir"
	[ "$(field "$dir" pid)" = "$pid" ]
	count_is 1 "mark:one:$T"
	kill -0 "$SVSCAN_PID"
	run -0 sid-ctl scan
	[ "$output" = $'added one\nunchanged 0' ]
}

@test "a sid-supervise whose exec fails is said on stderr with why, and started again later" {
	# sid-svscan takes the sid-supervise beside it: one with a #! line
	# that names no interpreter passes every check before the exec.
	mkdir -p "$T/bin"
	ln -s "$SID_ROOT/sid-svscan" "$T/bin/sid-svscan"
	printf '#!%s/no/such/interpreter\n' "$T" >"$T/bin/sid-supervise"
	chmod +x "$T/bin/sid-supervise"
	service one "exec sh '$NUMBERS' 'mark:one:$T' '' 1" >/dev/null
	link_in one
	SVSCAN_BIN="$T/bin/sid-svscan"
	start_svscan "$SID_SCANDIR"
	said="unable to start $T/bin/sid-supervise $T/svc/one: interpreter $T/no/such/interpreter not found"
	wait_for 10 grep -qF "$said" "$T/svscan.err"
	wait_for 10 eval '[ "$(grep -cF "$said" "$T/svscan.err")" -ge 2 ]'
	kill -0 "$SVSCAN_PID"
}

@test "every sid-supervise starts with fds 0-2 only, an empty signal mask and a session of its own, however many fds sid-svscan holds" {
	# Forty services, half with log/: sid-svscan holds four fds for
	# each without log/ and two for each with, and every start after
	# the first happens with many of them open.
	mkdir -p "$T/bin" "$T/probe"
	ln -s "$SID_ROOT/sid-svscan" "$T/bin/sid-svscan"
	printf '#!/bin/sh\nexec %s/probe-child "%s/probe/$(printf %%s "$1" | tr / -)" exit 0\n' \
		"$HELPERS" "$T" >"$T/bin/sid-supervise"
	chmod +x "$T/bin/sid-supervise"
	names=()
	for i in $(seq 1 40); do
		service "s$i" "exec sleep 100" >/dev/null
		[ $((i % 2)) -eq 0 ] || service "s$i/log" "exec cat" >/dev/null
		names+=("s$i")
	done
	link_in "${names[@]}"
	SVSCAN_BIN="$T/bin/sid-svscan"
	start_svscan "$SID_SCANDIR"
	wait_for 10 eval '[ "$(ls "$T/probe" | wc -l)" -eq 60 ]'
	for f in "$T"/probe/*; do
		grep -qx 'fds=0 1 2' "$f" || { echo "$f: $(grep '^fds=' "$f")"; false; }
		grep -qx 'SigBlk=0000000000000000' "$f"
		grep -qx 'SigIgn=0000000000000000' "$f"
		grep -qx 'session_leader=yes' "$f"
	done
	# The logger's stdin is its service's stdout, a pipe.
	log=$(grep '^fd0=' "$T"/probe/*-svc-s1-log | cut -d= -f2)
	[[ $log == pipe:* ]]
	[ "$(grep '^fd1=' "$T"/probe/*-svc-s1 | cut -d= -f2)" = "$log" ]
	[ "$(grep '^fd0=' "$T"/probe/*-svc-s2 | cut -d= -f2)" = /dev/null ]
}

@test "SIGTERM: every service stopped (loggers after theirs), SIGKILL reported, exit 0" {
	calm=$(late_talker calm)
	stubborn=$(service stubborn "trap '' TERM; exec sh '$NUMBERS' 'mark:stubborn:$T' '' 0.05")
	plain=$(service plain "exec sh '$NUMBERS' 'mark:plain:$T' '' 0.05")
	link_in calm stubborn plain
	start_svscan "$SID_SCANDIR"
	for d in "$calm" "$calm/log" "$stubborn" "$plain"; do
		wait_for 5 is_up "$d"
	done
	calm_pid=$(field "$calm" pid)
	wait_for 5 grep -qx "start $calm_pid" "$T/calm.log"
	# The table: each service and its logger, by name.
	run -0 sid-ctl status
	printf '%s\n' "${lines[@]}"
	[ "${#lines[@]}" -eq 5 ]
	[[ ${lines[1]} =~ ^calm\ +up\ +$calm_pid\  ]]
	[[ ${lines[2]} =~ ^calm/log\ +up\ +[1-9] ]]
	[[ ${lines[3]} =~ ^plain\ +up\ +[1-9] ]]
	[[ ${lines[4]} =~ ^stubborn\ +up\ +[1-9] ]]

	t0=$(now_ms)
	kill -TERM "$SVSCAN_PID"
	wait_for 10 gone "$SVSCAN_PID"
	echo "stopped in $(( $(now_ms) - t0 )) ms"
	rc=0
	wait "$SVSCAN_PID" || rc=$?
	[ "$rc" -eq 0 ]
	cat "$T/svscan.err"
	grep -Eqx 'sid-svscan: warning: stubborn: stop needed SIGKILL \(stop_escalated: .*\)' \
		"$T/svscan.err"
	[ "$(grep -c 'stop needed SIGKILL' "$T/svscan.err")" -eq 1 ]
	# Nothing of the tree is left.
	wait_for 5 no_test_procs
	for s in calm stubborn plain; do
		count_is 0 "mark:$s:$T"
	done
	count_is 0 "linelog $T/calm.log"
	# The logger outlived its service: the last lines landed.
	grep -qx "final $calm_pid" "$T/calm.log"
	grep -qx 'finish 0 0' "$T/calm.log"
}

# --- output of services without log/ -------------------------------------

@test "-p: lines of services without log/ come out whole as NAME: line, never interleaved; log/ services unprefixed" {
	x=$(printf 'x%.0s' $(seq 1 100))
	for s in a b; do
		service "$s" "$(cat <<-EOF
			i=0
			while [ \$i -lt 3000 ]; do
				echo "$s \$((i += 1)) $x"
			done
			echo "$s on stderr" >&2
			[ $s = b ] || head -c 70000 /dev/zero | tr '\0' y
			[ $s = b ] || echo
			echo "$s done"
			exec sleep 1000
		EOF
		)" >/dev/null
	done
	service c 'echo "c line"; exec sleep 1000' >/dev/null
	with_logger c "$T/c.log"
	link_in a b c
	start_svscan "$SID_SCANDIR" -p
	wait_for 10 grep -qx 'a: a done' "$T/svscan.out"
	wait_for 10 grep -qx 'b: b done' "$T/svscan.out"
	wait_for 10 grep -qx 'c line' "$T/c.log"

	run -0 awk -v x="$x" '
		function bad(why) {
			printf "line %d: %s: %.80s\n", NR, why, $0
			err = 1
		}
		{
			name = substr($0, 1, 1)
			if (substr($0, 2, 2) != ": " || (name != "a" && name != "b")) {
				bad("no prefix")
				next
			}
			rest = substr($0, 4)
			if (rest == name " " (n[name] + 1) " " x)
				n[name]++
			else if (rest == name " on stderr" || rest == name " done")
				other[name] = other[name] " " rest
			else if (name == "a" && rest ~ /^y+$/)
				pieces = pieces " " length(rest)
			else
				bad("not a whole line of " name)
		}
		END {
			print "a", n["a"], other["a"]
			print "b", n["b"], other["b"]
			print "pieces" pieces
			exit err
		}' "$T/svscan.out"
	printf '%s\n' "${lines[@]}"
	[ "${lines[0]}" = 'a 3000  a on stderr a done' ]
	[ "${lines[1]}" = 'b 3000  b on stderr b done' ]
	[ "${lines[2]}" = 'pieces 65536 4464' ]
	# The service with log/ writes to its logger, unprefixed.
	! grep -q 'c line' "$T/svscan.out"
	[ "$(cat "$T/c.log")" = 'c line' ]
}

@test "-p: the last lines of a removed service come out, even when sid-svscan reads them late" {
	dir=$(service a "$(cat <<-'EOF'
		trap 'sleep 0.5; i=0; while [ $i -lt 100 ]; do echo "bye $((i += 1))"; done; exit 0' TERM
		echo started
		while :; do sleep 0.05; done
	EOF
	)" 'stop-grace = 3s')
	link_in a
	start_svscan "$SID_SCANDIR" -p
	wait_for 5 grep -qx 'a: started' "$T/svscan.out"
	rm "$SID_SCANDIR/a"
	wait_for 5 grep -q 'control: x$' "$dir/supervise/events"
	# sid-svscan is not scheduled while the service says its last
	# lines and its sid-supervise exits (SIGSTOP stands for a busy CPU).
	kill -STOP "$SVSCAN_PID"
	wait_for 10 eval "! supervised '$dir'"
	kill -CONT "$SVSCAN_PID"
	wait_for 5 grep -qx 'a: bye 100' "$T/svscan.out" || {
		echo "lost: $(( 100 - $(grep -c '^a: bye ' "$T/svscan.out") )) of 100 lines"
		false
	}
	[ "$(grep -c '^a: bye ' "$T/svscan.out")" -eq 100 ]
}

@test "-p: a last line without a newline comes out when its service is removed" {
	dir=$(service a 'echo started; printf "no newline"; exec sleep 1000')
	link_in a
	start_svscan "$SID_SCANDIR" -p
	wait_for 5 grep -qx 'a: started' "$T/svscan.out"
	rm "$SID_SCANDIR/a"
	wait_for 10 eval "! supervised '$dir'"
	wait_for 5 grep -qx 'a: no newline' "$T/svscan.out"
}

@test "without -p, a service without log/ writes to sid-svscan's stdout and stderr" {
	service plain 'echo "to stdout"; echo "to stderr" >&2; exec sleep 1000' >/dev/null
	link_in plain
	start_svscan "$SID_SCANDIR"
	wait_for 5 grep -qx 'to stdout' "$T/svscan.out"
	wait_for 5 grep -qx 'to stderr' "$T/svscan.err"
	! grep -q 'to stderr' "$T/svscan.out"
	! grep -q 'to stdout' "$T/svscan.err"
}

# sig_bit PID FIELD NAME: 1 when signal NAME is in FIELD (SigBlk,
# SigIgn) of /proc/PID/status, else 0.
sig_bit() {
	local mask
	mask=$(sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status")
	echo $(( (16#$mask >> ($(kill -l "$3") - 1)) & 1 ))
}

@test "no blocked or ignored signal of sid-svscan reaches a sid-supervise, a run or a log's run" {
	command -v python3 >/dev/null || skip "python3 is needed to block signals"
	[ -r /proc/self/status ] || skip "no /proc/PID/status here"
	dir=$(service sig "exec \"$HELPERS/probe-child\" \"$T/run-report\" sleep")
	mkdir "$dir/log"
	printf '#!/bin/sh\nexec "%s" "%s" sleep\n' "$HELPERS/probe-child" \
		"$T/log-report" >"$dir/log/run"
	chmod +x "$dir/log/run"
	link_in sig
	# QUIT and USR1 ignored (python3 adds PIPE and XFSZ), USR2 and
	# ALRM blocked: none of them is sid-svscan's to pass on.
	(
		trap '' INT HUP QUIT USR1
		exec python3 -c 'import os, signal, sys
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR2, signal.SIGALRM})
os.execvp(sys.argv[1], sys.argv[1:])' sid-svscan "$SID_SCANDIR"
	) 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- \
		>>"$T/svscan.out" 2>>"$T/svscan.err" &
	SVSCAN_PID=$!
	SVSCAN_PIDS+=("$SVSCAN_PID")
	wait_for 5 svscan_ready "$SVSCAN_PID"
	[ "$(sig_bit "$SVSCAN_PID" SigIgn USR1)" = 1 ]
	[ "$(sig_bit "$SVSCAN_PID" SigBlk USR2)" = 1 ]

	wait_for 5 test -s "$T/run-report"
	wait_for 5 test -s "$T/log-report"
	signals_clean "$T/run-report"
	signals_clean "$T/log-report"
	# Each sid-supervise blocks only the signals it reads itself.
	for sup in $(sup_pid "$dir") $(sup_pid "$dir/log"); do
		grep -E '^Sig(Blk|Ign)' "/proc/$sup/status" >&2
		grep -qE '^SigIgn:[[:space:]]*0+$' "/proc/$sup/status"
		[ "$(sig_bit "$sup" SigBlk USR2)" = 0 ]
		[ "$(sig_bit "$sup" SigBlk ALRM)" = 0 ]
	done
	[ "$(sup_pid "$dir" | wc -l)" -eq 1 ]
	[ "$(sup_pid "$dir/log" | wc -l)" -eq 1 ]
}

# --- trust: the scan directory, names, floods (issue 7) -------------------

# mk_service DIR: a service directory DIR whose run sleeps.
mk_service() {
	mkdir -p -- "$1"
	printf '#!/bin/sh\nexec sleep 1000\n' >"$1/run"
	chmod +x "$1/run"
}

# said N TEXT: sid-svscan's stderr has exactly N lines that end in TEXT.
said() {
	[ "$(grep -c -F -x -e "sid-svscan: warning: $2" "$T/svscan.err")" -eq "$1" ]
}

# one_supervised DIR: DIR is up and exactly one sid-supervise runs it.
one_supervised() {
	is_up "$1" && [ "$(sup_pid "$1" | wc -l)" -eq 1 ]
}

# scan_dir_comes_back: with $SVSCAN_BIN, the scan directory is moved
# away, then another one is moved in its place; its .sid-svscan/ is
# removed; it is removed outright, then made again.  Each time sid-svscan
# says so once, and carries on in the directory that is there now.
scan_dir_comes_back() {
	local a b pa gone back ctl
	gone="$SID_SCANDIR was removed; waiting for it to come back"
	back="$SID_SCANDIR is back; scanning it"
	ctl="$SID_SCANDIR/.sid-svscan/control was removed; making it again"
	a=$(service a 'exec sleep 1000')
	b=$(service b 'exec sleep 1000')
	link_in a b
	start_svscan "$SID_SCANDIR"
	wait_for 5 is_up "$a"
	wait_for 5 is_up "$b"
	scan_is 'added a' 'added b' 'unchanged 0'
	pa=$(field "$a" pid)

	# Moved away: said once; its services keep running meanwhile.
	mv "$SID_SCANDIR" "$T/scan.old"
	wait_for 5 said 1 "$gone"
	run -2 sid-ctl scan
	is_up "$a" && is_up "$b"
	[ "$(field "$a" pid)" = "$pa" ]

	# Another directory moved in whole: a, the same directory, keeps
	# running; b is not there and is removed; c is new.
	c=$(service c 'exec sleep 1000')
	mkdir "$T/scan.new"
	ln -s "$a" "$T/scan.new/a"
	ln -s "$c" "$T/scan.new/c"
	mv "$T/scan.new" "$SID_SCANDIR"
	wait_for 5 said 1 "$back"
	wait_for 5 is_up "$c"
	wait_for 10 eval "! supervised '$b'"
	scan_is 'removed b' 'added c' 'unchanged 1'
	[ "$(field "$a" pid)" = "$pa" ]
	said 1 "$gone"

	# Only .sid-svscan/ removed: made again, and sid-ctl scan works.
	rm -rf "$SID_SCANDIR/.sid-svscan"
	wait_for 5 said 1 "$ctl"
	wait_for 5 svscan_ready "$SVSCAN_PID"
	scan_is 'unchanged 2'
	said 1 "$ctl"

	# Removed outright, then made again with a and a new service d: c
	# is removed, d is started and reported by the first scan.  (No
	# service directory inside it: its sid-supervise might write there
	# while rm empties it.)
	rm -rf "$SID_SCANDIR"
	wait_for 5 said 2 "$gone"
	mkdir "$T/scan.new"
	ln -s "$a" "$T/scan.new/a"
	mk_service "$T/scan.new/d"
	mv "$T/scan.new" "$SID_SCANDIR"
	wait_for 5 said 2 "$back"
	wait_for 5 is_up "$SID_SCANDIR/d"
	run -0 sid-ctl scan
	[[ $'\n'$output$'\n' == *$'\nadded d\n'* ]]
	[[ $'\n'$output$'\n' == *$'\nremoved c\n'* ]]
	wait_for 10 one_supervised "$a"
	kill -0 "$SVSCAN_PID"
}

@test "inotify: the scan directory moved away, replaced, its .sid-svscan removed, removed and made again: said once each, carried on in the new one" {
	scan_dir_comes_back
}

@test "polling build: the scan directory moved away, replaced, its .sid-svscan removed, removed and made again: said once each, carried on in the new one" {
	SVSCAN_BIN="$HELPERS/sid-svscan-poll"
	scan_dir_comes_back
}

@test "a service directory made again, or turned into a file, between two scans: the old one is stopped, the new one runs, the rest keeps running" {
	SVSCAN_BIN="$HELPERS/sid-svscan-poll"
	x="$SID_SCANDIR/x"
	mk_service "$x"
	mk_service "$SID_SCANDIR/y"
	start_svscan "$SID_SCANDIR" -t 60
	wait_for 5 is_up "$x"
	wait_for 5 is_up "$SID_SCANDIR/y"
	scan_is 'added x' 'added y' 'unchanged 0'
	py=$(field "$SID_SCANDIR/y" pid)

	# Deleted and made again: the same name, another directory.
	sx=$(sup_pid "$x")
	rm -rf "$x"
	mk_service "$x"
	scan_is 'removed x' 'unchanged 1'
	wait_for 10 vanished "$sx"
	wait_for 10 one_supervised "$x"
	scan_is 'added x' 'unchanged 1'

	# Turned into a file: stopped; a directory again: started.
	sx=$(sup_pid "$x")
	rm -rf "$x"
	echo 'not a directory' >"$x"
	scan_is 'removed x' 'unchanged 1'
	wait_for 10 vanished "$sx"
	rm "$x"
	mk_service "$x"
	scan_is 'added x' 'unchanged 1'
	wait_for 10 one_supervised "$x"
	[ "$(field "$SID_SCANDIR/y" pid)" = "$py" ]
	kill -0 "$SVSCAN_PID"
}

@test "a service named -dash runs: its sid-supervise gets ./-dash" {
	mk_service "$SID_SCANDIR/-dash"
	start_svscan "$SID_SCANDIR"
	wait_for 5 is_up "$SID_SCANDIR/-dash"
	sup=$(sup_pid "$SID_SCANDIR/-dash")
	[ "$(tr '\0' ' ' <"/proc/$sup/cmdline")" = "$SID_ROOT/sid-supervise ./-dash " ]
	run -0 sid-ctl scan
	[ "$output" = $'added -dash\nunchanged 0' ]
	! grep -q usage "$T/svscan.err"
}

@test "sid-svscan -- DIR and sid-log -- DIR take a DIR that begins with -; --help prints usage on stdout and exits 0" {
	mk_service "$T/-scan/s"
	export SID_SCANDIR="$T/-scan"
	# (Back out of $T at once: teardown looks for what works in it.)
	cd "$T"
	start_svscan -scan --
	cd /
	wait_for 5 is_up "$T/-scan/s"
	run -0 sid-ctl scan
	[ "$output" = $'added s\nunchanged 0' ]

	run -0 sh -c 'cd "$1" && echo hello | sid-log -- -logdir' sh "$T"
	[ "$(cat "$T/-logdir/current")" = hello ]

	for tool in sid-svscan sid-log; do
		run -0 --separate-stderr "$tool" --help
		[[ $output == "usage: $tool "* ]]
		[ -z "$stderr" ]
	done
}

@test "names that could forge output are escaped: the scan report, -p prefixes, stderr" {
	evil=$'evil\nremoved web'
	esc=$'esc\x1b[31mred'
	service "$evil" 'echo hello; exec sleep 1000' >/dev/null
	service "$esc" "echo hello; trap '' TERM; exec sleep 1000" >/dev/null
	service web 'echo hello; exec sleep 1000' >/dev/null
	link_in "$evil" "$esc" web
	start_svscan "$SID_SCANDIR" -p
	for name in "$evil" "$esc" web; do
		wait_for 5 is_up "$T/svc/$name"
	done

	# One line per service in the report, and none that says removed.
	scan_is 'added esc\x1b[31mred' 'added evil\nremoved web' 'added web' 'unchanged 0'
	[ "$(wc -l <"$SID_SCANDIR/.sid-svscan/report")" -eq 5 ]

	# -p: the prefix is the escaped name.
	wait_for 5 grep -qxF 'evil\nremoved web: hello' "$T/svscan.out"
	wait_for 5 grep -qxF 'esc\x1b[31mred: hello' "$T/svscan.out"
	wait_for 5 grep -qxF 'web: hello' "$T/svscan.out"
	[ "$(wc -l <"$T/svscan.out")" -eq 3 ]

	rm "$SID_SCANDIR/$evil"
	scan_is 'removed evil\nremoved web' 'unchanged 2'
	wait_for 10 eval "! supervised \"\$T/svc/\$evil\""
	is_up "$T/svc/web"

	# Stderr: the SIGKILL that stopped esc is said with its name escaped.
	stop_svscan
	cat "$T/svscan.err"
	grep -q '^sid-svscan: warning: esc\\x1b\[31mred: stop needed SIGKILL (' \
		"$T/svscan.err"
	! grep '^sid-svscan:' "$T/svscan.err" | grep -q $'\x1b'
}

@test "200000 scan requests written at once cost a few scans and reports, not one each" {
	for name in a b c d; do
		service "$name" 'exec sleep 1000' >/dev/null
	done
	link_in a b c d
	start_svscan "$SID_SCANDIR"
	for name in a b c d; do
		wait_for 5 is_up "$T/svc/$name"
	done
	scan_is 'added a' 'added b' 'added c' 'added d' 'unchanged 0'
	report="$SID_SCANDIR/.sid-svscan/report"
	before=$(sed -n '1s/^scan //p' "$report")

	head -c 200000 /dev/zero | tr '\0' a >"$SID_SCANDIR/.sid-svscan/control"
	run -0 sid-ctl scan
	[ "$output" = 'unchanged 4' ]
	after=$(sed -n '1s/^scan //p' "$report")
	echo "reports $before -> $after"
	(( after > before && after - before < 1000 ))
}
