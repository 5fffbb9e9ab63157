#!/usr/bin/env bats
# sid-log and sid-ctl log: rotation by size and on SIGALRM, the kept
# files, the lock, lossless SIGTERM and logger restarts on sid-svscan's
# pipe, write errors (a full tmpfs), -t stamps, long lines and raw bytes;
# sid-ctl log -n across rotated files, -f across rotations, log-dir.

load helper

setup_file() {
	export BATS_TEST_TIMEOUT=120
	local b
	for b in sid-log sid-ctl sid-svscan sid-supervise; do
		[ -x "$SID_ROOT/$b" ] || {
			echo "build first: make ($b is missing)" >&2
			return 1
		}
	done
}

setup() {
	export LC_ALL=C		# globs sort by bytes: names sort by time
	T=$BATS_TEST_TMPDIR
	BG_PIDS=()
	LOG_SVSCAN_PID=
	LOG_MOUNT=
}

teardown() {
	local pid
	log_svscan_stop
	for pid in "${BG_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in "${BG_PIDS[@]}"; do
		wait_for 10 exited "$pid" || kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	BG_PIDS=()
	exec 7>&- 8>&-
	stop_supervisors
	if [ -n "$LOG_MOUNT" ]; then
		umount "$LOG_MOUNT" || umount -l "$LOG_MOUNT" || true
	fi
}

# exited PID: PID is gone (or a zombie, not yet reaped).
exited() {
	! kill -0 "$1" 2>/dev/null ||
		[ "$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)" = Z ]
}

# bg IN OUT ERR CMD...: run CMD in the background with stdin IN, stdout
# OUT, stderr ERR and fds 3-9 closed.  Sets BG_PID; teardown stops it.
bg() {
	local in=$1 out=$2 err=$3
	shift 3
	"$@" <"$in" >"$out" 2>"$err" 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
	BG_PID=$!
	BG_PIDS+=("$BG_PID")
}

# fifo_log ARG...: sid-log ARG... in the background, reading the FIFO
# $T/in that the test holds open for writing on fd 7; its pid in $pid.
fifo_log() {
	mkfifo "$T/in"
	exec 7<>"$T/in"
	bg "$T/in" /dev/null "$T/err" sid-log "$@"
	pid=$BG_PID
}

# bg_wait PID: wait (10 s at most) until PID exits; BG_RC is its status.
bg_wait() {
	local p keep=()
	wait_for 10 exited "$1" || { echo "pid $1 did not exit" >&2; return 1; }
	BG_RC=0
	wait "$1" || BG_RC=$?
	for p in "${BG_PIDS[@]}"; do
		[ "$p" = "$1" ] || keep+=("$p")
	done
	BG_PIDS=("${keep[@]}")
}

# log_svscan_start DIR: sid-svscan on DIR in the background.
log_svscan_start() {
	sid-svscan "$1" </dev/null >>"$T/svscan.out" 2>&1 \
		3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
	LOG_SVSCAN_PID=$!
}

# log_svscan_stop: SIGTERM to sid-svscan, wait until it has exited.
log_svscan_stop() {
	[ -n "$LOG_SVSCAN_PID" ] || return 0
	kill -TERM "$LOG_SVSCAN_PID" 2>/dev/null || true
	wait_for 30 exited "$LOG_SVSCAN_PID" ||
		kill -KILL "$LOG_SVSCAN_PID" 2>/dev/null || true
	LOG_SVSCAN_RC=0
	wait "$LOG_SVSCAN_PID" 2>/dev/null || LOG_SVSCAN_RC=$?
	LOG_SVSCAN_PID=
}

# log_all DIR: the rotated files of DIR (oldest first), then current.
log_all() {
	local f
	for f in "$1"/@*; do
		[ -e "$f" ] && cat "$f"
	done
	cat "$1/current"
}

# delivered PID SIG: SIG (a name) is no longer pending for PID: its
# handler has run, so PID handles it before any input that comes later.
delivered() {
	local mask bit
	bit=$(kill -l "$2")
	for mask in $(sed -n 's/^\(SigPnd\|ShdPnd\):[[:space:]]*//p' \
		"/proc/$1/status"); do
		(( (16#$mask >> (bit - 1)) & 1 )) && return 1
	done
	return 0
}

# opening_rotated PID CURRENT: PID (sid-ctl log), with CURRENT open, is
# stopped by its tracer in an open(..., O_RDONLY|O_CLOEXEC): after
# current, the only such opens are of rotated files.
opening_rotated() {
	local args
	grep -q '^State:[[:space:]]*t' "/proc/$1/status" || return 1
	read -r -a args <"/proc/$1/syscall" || return 1
	[ "${args[3]:-}" = 0x80000 ] &&
		ls -l "/proc/$1/fd" | grep -q -- " -> $2\$"
}

# blocked_writing PID: PID sleeps in a write to a full pipe (where the
# kernel does not name wait channels: sleeps, and is not done).
blocked_writing() {
	local wchan
	wchan=$(cat "/proc/$1/wchan" 2>/dev/null) || return 1
	case $wchan in
	*pipe*) return 0 ;;
	0 | '') grep -q '^State:[[:space:]]*S' "/proc/$1/status" ;;
	*) return 1 ;;
	esac
}

# traced PID: a tracer (strace) is attached to PID.
traced() {
	grep -q '^TracerPid:[[:space:]]*[1-9]' "/proc/$1/status"
}

# rotated DIR SUFFIX: the names of DIR's @*.SUFFIX files, oldest first.
rotated() {
	local f
	for f in "$1"/@*."$2"; do
		[ -e "$f" ] && echo "${f##*/}"
	done
	return 0
}

# finished DIR COUNT: no .u file left, and COUNT .s files.
finished() {
	[ -z "$(rotated "$1" u)" ] && [ "$(rotated "$1" s | wc -l)" -eq "$2" ]
}

# last_line_is DIR TEXT: the last line of DIR's log is TEXT.
last_line_is() {
	[ "$(log_all "$1" 2>/dev/null | tail -n 1)" = "$2" ]
}

# file_is FILE TEXT: FILE exists and holds exactly TEXT.
file_is() {
	[ -f "$1" ] && [ "$(cat "$1"; echo x)" = "${2}x" ]
}

# same FILE1 FILE2: byte-for-byte equal; says where they differ if not.
same() {
	cmp "$1" "$2" || {
		echo "--- $1 ($(wc -c <"$1") bytes) vs $2 ($(wc -c <"$2") bytes)" >&2
		diff <(od -c "$1" | tail -n 5) <(od -c "$2" | tail -n 5) >&2
		return 1
	}
}

# numbered FROM TO: lines "line NNNN" (some padded), FROM to TO.
numbered() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		for (i = a; i <= b; i++) {
			s = sprintf("line %04d ", i)
			for (j = 0; j < i % 37; j++)
				s = s "x"
			print s
		}
	}'
}

# stamp_epoch STAMP: the unix time of "YYYY-MM-DDTHH:MM:SS.uuuuuuZ".
stamp_epoch() {
	date -u -d "${1:0:19}Z" +%s
}

# --- rotation -----------------------------------------------------------

@test "sid-log -s 1000 -n 3: rotates at the first line end past 1000 bytes, keeps the 3 newest finished files, tail intact" {
	local dir=$T/log pid total off len f at size lastlen kept=0 t0 t1 names
	numbered 1 400 >"$T/input"
	total=$(wc -c <"$T/input")
	t0=$(date -u +%s)
	fifo_log -s 1000 -n 3 "$dir"

	# in pieces that cut lines, so rotations fall across reads
	for ((off = 0; off < total; off += len)); do
		len=$(( 700 + off % 1900 ))
		tail -c +$((off + 1)) "$T/input" | head -c "$len" >&7
	done
	wait_for 10 last_line_is "$dir" "$(tail -n 1 "$T/input")"
	# the finishers rename .u to .s and prune while sid-log runs
	wait_for 10 finished "$dir" 3
	exec 7>&-
	bg_wait "$pid"
	[ "$BG_RC" -eq 0 ]
	t1=$(date -u +%s)
	[ ! -s "$T/err" ]

	# exactly: 3 finished files, current, lock
	names=$(rotated "$dir" s)
	[ "$(ls "$dir" | grep -v -x -e current -e lock)" = "$names" ]
	[ "$(wc -l <<<"$names")" -eq 3 ]
	for f in $names; do
		[[ $f =~ ^@([0-9]{4})([0-9]{2})([0-9]{2})T([0-9]{2})([0-9]{2})([0-9]{2})\.[0-9]{6}Z\.s$ ]]
		# a UTC time taken while the test ran
		at=$(date -u -d "${BASH_REMATCH[1]}-${BASH_REMATCH[2]}-${BASH_REMATCH[3]}T${BASH_REMATCH[4]}:${BASH_REMATCH[5]}:${BASH_REMATCH[6]}Z" +%s)
		(( at >= t0 && at <= t1 ))
		size=$(wc -c <"$dir/$f")
		lastlen=$(( $(tail -n 1 "$dir/$f" | wc -c) ))
		[ "$(tail -c 1 "$dir/$f" | od -An -c | tr -d ' ')" = '\n' ]
		# cut at the first line end at or past 1000 bytes
		(( size >= 1000 && size - lastlen < 1000 )) || {
			echo "$f: $size bytes, last line $lastlen" >&2
			false
		}
		kept=$(( kept + size ))
	done
	# names sort in time order: in that order, they and current are
	# the tail of the input, starting at a line start
	kept=$(( kept + $(wc -c <"$dir/current") ))
	(( kept < total ))
	log_all "$dir" >"$T/kept"
	tail -c "$kept" "$T/input" >"$T/want"
	same "$T/kept" "$T/want"
	[ "$(tail -c $((kept + 1)) "$T/input" | head -c 1 | od -An -c | tr -d ' ')" = '\n' ]
}

@test "sid-log: SIGALRM rotates now: the lines so far become a .s file, later lines go to a new current" {
	local dir=$T/log pid s
	fifo_log "$dir"
	printf 'one\ntwo\n' >&7
	wait_for 5 file_is "$dir/current" $'one\ntwo\n'

	kill -ALRM "$pid"
	wait_for 5 finished "$dir" 1
	s=$(rotated "$dir" s)
	file_is "$dir/$s" $'one\ntwo\n'
	file_is "$dir/current" ''

	printf 'three\n' >&7
	wait_for 5 file_is "$dir/current" $'three\n'
	kill -ALRM "$pid"
	wait_for 5 finished "$dir" 2
	file_is "$dir/$(rotated "$dir" s | tail -n 1)" $'three\n'
	file_is "$dir/$s" $'one\ntwo\n'
	file_is "$dir/current" ''
	# an empty current is not rotated
	kill -ALRM "$pid"
	wait_for 5 delivered "$pid" ALRM
	printf 'fo' >&7
	wait_for 5 file_is "$dir/current" 'fo'
	finished "$dir" 2
	# in the middle of a line: at its end
	kill -ALRM "$pid"
	wait_for 5 delivered "$pid" ALRM
	printf 'ur\n' >&7
	wait_for 5 finished "$dir" 3
	file_is "$dir/$(rotated "$dir" s | tail -n 1)" $'four\n'
	file_is "$dir/current" ''
	printf 'five\n' >&7
	wait_for 5 file_is "$dir/current" $'five\n'

	exec 7>&-
	bg_wait "$pid"
	[ "$BG_RC" -eq 0 ]
	[ ! -s "$T/err" ]
	[ "$(log_all "$dir")" = $'one\ntwo\nthree\nfour\nfive' ]
}

@test "sid-log: SIGALRM in the middle of a line rotates at that line's end, even when more lines come in the same read" {
	local dir=$T/log pid
	fifo_log "$dir"
	printf 'three\nfo' >&7
	wait_for 5 file_is "$dir/current" $'three\nfo'

	kill -ALRM "$pid"
	wait_for 5 delivered "$pid" ALRM
	# the end of the line and the next line, in one write (one read)
	printf 'ur\nfive\n' >"$T/chunk"
	cat "$T/chunk" >&7
	wait_for 5 eval '[ "$(log_all "$dir")" = "$(printf "three\nfour\nfive")" ]'
	wait_for 5 finished "$dir" 1
	file_is "$dir/$(rotated "$dir" s)" $'three\nfour\n'
	file_is "$dir/current" $'five\n'

	exec 7>&-
	bg_wait "$pid"
	[ "$BG_RC" -eq 0 ]
}

@test "sid-log: a .u file left by a crash is finished (.s) at start, and old files beyond -n are pruned" {
	local dir=$T/log
	mkdir "$dir"
	printf 'older\n' >"$dir/@20250101T000000.000000Z.s"
	printf 'old\n' >"$dir/@20250101T000001.000000Z.s"
	printf 'crashed\n' >"$dir/@20250101T000002.000000Z.u"
	printf 'new\n' | sid-log -n 2 "$dir"
	[ "$(rotated "$dir" s)" = "@20250101T000001.000000Z.s
@20250101T000002.000000Z.s" ]
	[ -z "$(rotated "$dir" u)" ]
	file_is "$dir/@20250101T000002.000000Z.s" $'crashed\n'
	[ "$(log_all "$dir")" = $'old\ncrashed\nnew' ]
}

# --- the lock -----------------------------------------------------------

@test "sid-log: a second sid-log on the same directory exits 111 at once with one line naming the first" {
	local dir=$T/log pid
	mkfifo "$T/in" "$T/in2"
	exec 7<>"$T/in" 8<>"$T/in2"
	bg "$T/in" /dev/null "$T/err" sid-log "$dir"
	pid=$BG_PID
	printf 'hello\n' >&7
	wait_for 5 file_is "$dir/current" $'hello\n'

	# its stdin never ends: only the lock can make it exit
	run -111 --separate-stderr timeout 10 sid-log "$dir" <&8
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[ "$stderr" = "sid-log: fatal: $dir is already written by sid-log (pid $pid)" ]

	printf 'world\n' >&7
	wait_for 5 file_is "$dir/current" $'hello\nworld\n'
	exec 7>&-
	bg_wait "$pid"
	[ "$BG_RC" -eq 0 ]
	file_is "$dir/current" $'hello\nworld\n'
}

# --- SIGTERM and restarts ------------------------------------------------

# term_mid_line DIR: a sid-log on DIR (fifo_log: fd 7 its input, PID)
# that has written "first\nhal" and then received SIGTERM.
term_mid_line() {
	fifo_log "$1"
	printf 'first\nhal' >&7
	wait_for 5 file_is "$1/current" $'first\nhal'
	kill -TERM "$pid"
	wait_for 5 delivered "$pid" TERM
}

@test "sid-log: SIGTERM mid-line waits for the line's end, exits 0, and the next sid-log on the pipe gets exactly the next line" {
	local dir=$T/log pid
	term_mid_line "$dir"
	printf 'f line\nnext line\nlast line\n' >"$T/chunk"
	cat "$T/chunk" >&7
	bg_wait "$pid"
	[ "$BG_RC" -eq 0 ]
	file_is "$dir/current" $'first\nhalf line\n'
	[ ! -s "$T/err" ]

	# the rest waited in the pipe
	bg "$T/in" /dev/null "$T/err2" sid-log "$dir"
	pid=$BG_PID
	wait_for 5 file_is "$dir/current" $'first\nhalf line\nnext line\nlast line\n'
	exec 7>&-
	bg_wait "$pid"
	[ "$BG_RC" -eq 0 ]
	file_is "$dir/current" $'first\nhalf line\nnext line\nlast line\n'
	[ ! -s "$T/err2" ]
}

@test "sid-log: SIGTERM mid-line, then SIGALRM and SIGCHLD: it still waits for the line's end" {
	local dir=$T/log pid
	term_mid_line "$dir"
	# Once the handler of a caught signal broke the wait for the line's
	# end (poll's EINTR): the rest of the line went to the next logger.
	kill -ALRM "$pid"
	kill -CHLD "$pid"
	printf 'f line\nnext line\n' >&7
	bg_wait "$pid"
	[ "$BG_RC" -eq 0 ]
	file_is "$dir/current" $'first\nhalf line\n'
	[ ! -s "$T/err" ]
	exec 7>&-
}

@test "sid-log: SIGTERM mid-line with no more input: exits 0 after about 5 s, the next sid-log completes that line" {
	local dir=$T/log pid t0 elapsed
	fifo_log "$dir"
	printf 'first\nhal' >&7
	wait_for 5 file_is "$dir/current" $'first\nhal'

	t0=${EPOCHREALTIME/./}
	kill -TERM "$pid"
	bg_wait "$pid"
	elapsed=$(( (${EPOCHREALTIME/./} - t0) / 1000 ))
	[ "$BG_RC" -eq 0 ]
	(( elapsed >= 4500 && elapsed < 9000 )) || {
		echo "exited after $elapsed ms" >&2
		false
	}
	file_is "$dir/current" $'first\nhal'

	bg "$T/in" /dev/null "$T/err2" sid-log "$dir"
	pid=$BG_PID
	printf 'f line\nnext\n' >&7
	wait_for 5 file_is "$dir/current" $'first\nhalf line\nnext\n'
	exec 7>&-
	bg_wait "$pid"
	[ "$BG_RC" -eq 0 ]
	[ ! -s "$T/err" ]
	[ ! -s "$T/err2" ]
}

@test "sid-svscan pipe: 20 logger restarts (sid-ctl -w -r) while the service writes: every number once, in order" {
	local scan=$T/scan svc main round size last
	svc=$scan/prod
	main=$svc/log/main
	mkdir -p "$svc/log"
	cat >"$svc/run" <<-'EOF'
	#!/bin/bash
	# numbers 1, 2, ... until SIGTERM; then the last one goes to ./last
	exec 2>/dev/null	# not bash's "Terminated" when sleep is killed
	stop=0 n=0
	trap 'stop=1' TERM
	while [ "$stop" = 0 ]; do
		n=$((n + 1))
		echo "$n"
		sleep 0.002
	done
	echo "$n" >last.tmp && mv last.tmp last
	EOF
	printf 'stop-grace = 5s\n' >"$svc/conf"
	printf '#!/bin/sh\nexec sid-log -s 100000 main\n' >"$svc/log/run"
	printf 'stop-grace = 5s\n' >"$svc/log/conf"
	chmod +x "$svc/run" "$svc/log/run"

	log_svscan_start "$scan"
	wait_for 10 test -s "$main/current"
	# (not "i": bats' run helpers assign a global i)
	for ((round = 1; round <= 20; round++)); do
		run -0 --separate-stderr sid-ctl -w -r "$svc/log"
		[ -z "$output" ]
		[ -z "$stderr" ]
		# the logger ended by itself (exit 0), not by SIGKILL
		field_is "$svc/log" last_exit 'exit 0' || {
			echo "restart $round: logger $(field "$svc/log" last_exit)" >&2
			false
		}
		# and the new one takes over (the old one has exited: -w)
		size=$(log_all "$main" | wc -c)
		wait_for 5 eval '(( $(log_all "$main" | wc -c) > size ))'
	done

	run -0 --separate-stderr sid-ctl -w -d "$svc"
	wait_for 5 test -s "$svc/last"
	last=$(cat "$svc/last")
	(( last > 20 ))
	wait_for 10 last_line_is "$main" "$last"
	log_all "$main" >"$T/got"
	seq 1 "$last" >"$T/want"
	diff "$T/want" "$T/got"

	log_svscan_stop
	[ "$LOG_SVSCAN_RC" -eq 0 ]
	log_all "$main" >"$T/got"
	diff "$T/want" "$T/got"
}

# --- write errors -------------------------------------------------------

@test "sid-log: disk full (ENOSPC on tmpfs): warns once, the writer blocks, every line lands once space is back" {
	local mnt=$T/mnt dir logger producer count=30000  # not "lines": run sets it
	mkdir "$mnt"
	mount -t tmpfs -o size=1m tmpfs "$mnt" 2>"$T/mount.err" ||
		skip "mount -t tmpfs is not permitted here: $(cat "$T/mount.err")"
	LOG_MOUNT=$mnt
	dir=$mnt/log
	seq 1 "$count" >"$T/want"	# 168894 bytes: more than two pipes' worth
	fifo_log "$dir"
	logger=$BG_PID
	wait_for 5 test -e "$dir/current"
	dd if=/dev/zero of="$mnt/filler" bs=4k 2>/dev/null || true
	run ! sh -c 'printf x >>"$1"' sh "$mnt/filler"

	# the producer: a FIFO writer that needs sid-log to read
	bg /dev/null "$T/in" /dev/null seq 1 "$count"
	producer=$BG_PID

	wait_for 10 grep -q . "$T/err"
	# the pipe is full and nobody reads it: the producer waits in write
	wait_for 10 blocked_writing "$producer"
	[ "$(wc -c <"$dir/current")" -lt "$(wc -c <"$T/want")" ]
	[ "$(cat "$T/err")" = "sid-log: warning: unable to write $dir/current; retrying: No space left on device" ]

	rm "$mnt/filler"
	bg_wait "$producer"
	[ "$BG_RC" -eq 0 ]
	exec 7>&-
	bg_wait "$logger"
	[ "$BG_RC" -eq 0 ]
	same "$dir/current" "$T/want"
	[ "$(cat "$T/err")" = "sid-log: warning: unable to write $dir/current; retrying: No space left on device
sid-log: warning: writing $dir/current works again" ]
}

# --- what goes in ---------------------------------------------------------

@test "sid-log -t: each line starts with a UTC stamp, microseconds, never decreasing; one stamp per read; a last line gets its newline" {
	local dir=$T/log t0 t1 k line stamp prev='' n=0 distinct
	t0=$(date -u +%s)
	{
		# Each line written once the one before has landed: a read each.
		for ((k = 1; k <= 20; k++)); do
			echo "line $k"
			wait_for 5 grep -q " line $k\$" "$dir/current"
		done
		printf 'a\nb\nc\n' >"$T/abc"
		cat "$T/abc"		# one write, so one read
		wait_for 5 grep -q ' c$' "$dir/current"
		printf 'no newline'
	} | TZ=XXX-5 sid-log -t "$dir"
	t1=$(date -u +%s)

	[ "$(tail -c 1 "$dir/current" | od -An -c | tr -d ' ')" = '\n' ]
	[ "$(wc -l <"$dir/current")" -eq 24 ]
	while IFS= read -r line; do
		n=$((n + 1))
		[[ $line =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z\  ]] || {
			echo "line $n: $line" >&2
			false
		}
		stamp=${line:0:27}
		[[ ! $stamp < $prev ]] || {
			echo "line $n: $stamp before $prev" >&2
			false
		}
		prev=$stamp
		# UTC, not the local time (TZ is 5 hours off)
		(( $(stamp_epoch "$stamp") >= t0 && $(stamp_epoch "$stamp") <= t1 ))
	done <"$dir/current"
	cut -b 29- "$dir/current" >"$T/got"
	{ seq -f 'line %g' 1 20; printf 'a\nb\nc\nno newline\n'; } >"$T/want"
	same "$T/got" "$T/want"
	# lines read at 10 ms intervals have different stamps
	distinct=$(cut -b 1-27 "$dir/current" | sort -u | wc -l)
	(( distinct >= 5 ))
	# a, b and c came in one read
	[ "$(sed -n '21,23p' "$dir/current" | cut -b 1-27 | sort -u | wc -l)" -eq 1 ]
}

@test "sid-log: a 200 KiB line is written whole, with -t too, and with -s 1000 it is not split" {
	local dir=$T/log
	head -c 400000 /dev/urandom | tr -d '\n' | head -c 204800 >"$T/long"
	[ "$(wc -c <"$T/long")" -eq 204800 ]
	{ echo before; cat "$T/long"; echo; echo after; } >"$T/input"

	# through a pipe, so the line comes in several reads
	cat "$T/input" | sid-log "$dir"
	same "$dir/current" "$T/input"

	# -s 1000: the long line ends the file it starts in
	cat "$T/input" | sid-log -s 1000 "$T/small"
	finished "$T/small" 1
	{ echo before; cat "$T/long"; echo; } >"$T/want"
	same "$T/small/$(rotated "$T/small" s)" "$T/want"
	file_is "$T/small/current" $'after\n'

	# -t: one stamp, then the whole line
	base64 -w 0 "$T/long" | head -c 204800 >"$T/printable"
	{ echo before; cat "$T/printable"; echo; echo after; } >"$T/input"
	cat "$T/input" | sid-log -t "$T/stamped"
	[ "$(wc -l <"$T/stamped/current")" -eq 3 ]
	[ -z "$(cut -b 1-28 "$T/stamped/current" | grep -v -E '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z $')" ]
	cut -b 29- "$T/stamped/current" >"$T/got"
	same "$T/got" "$T/input"
}

@test "sid-log: NUL, invalid UTF-8 and control bytes pass through unchanged; a last line without newline gets one" {
	printf 'plain\n\0nul\0 inside\n\xff\xfe\xc3\x28 invalid\n\r\x1b[0m\x7f\n\x80last' >"$T/input"
	cat "$T/input" | sid-log "$T/log"
	{ cat "$T/input"; printf '\n'; } >"$T/want"
	same "$T/log/current" "$T/want"
}

# --- sid-ctl log ------------------------------------------------------------

@test "sid-ctl log -n: exactly the last N lines across rotated files (.s and .u) and current, in order" {
	local svc=$T/svc/app dir n second
	dir=$svc/log/main
	mkdir -p "$svc/log"
	# "line NN\n": 13 lines (104 bytes) per rotated file
	seq -f 'line %02g' 1 30 >"$T/all"
	sid-log -s 100 "$dir" <"$T/all"
	finished "$dir" 2
	[ "$(wc -l <"$dir/current")" -eq 4 ]

	for n in 0 1 4 5 13 17 18 26 29 30 31 1000; do
		run -0 --separate-stderr sid-ctl log -n "$n" "$svc"
		[ -z "$stderr" ]
		[ "$output" = "$(tail -n "$n" "$T/all")" ] || {
			echo "-n $n: got: $output" >&2
			false
		}
	done
	run -0 --separate-stderr sid-ctl log "$svc"
	[ "$output" = "$(tail -n 10 "$T/all")" ]

	# a file still being finished (.u) counts as much as a .s
	second=$(rotated "$dir" s | tail -n 1)
	mv "$dir/$second" "$dir/${second%.s}.u"
	run -0 --separate-stderr sid-ctl log -n 20 "$svc"
	[ "$output" = "$(tail -n 20 "$T/all")" ]

	# by name in SID_SCANDIR, too
	SID_SCANDIR=$T/svc run -0 --separate-stderr sid-ctl log -n 6 app
	[ "$output" = "$(tail -n 6 "$T/all")" ]
}

@test "sid-ctl log -n: an empty current right after a rotation; a current with no rotated files" {
	local svc=$T/svc/app dir=$T/svc/app/log/main
	mkdir -p "$svc/log"
	seq -f 'line %02g' 1 26 >"$T/all"
	sid-log -s 100 "$dir" <"$T/all"
	finished "$dir" 2
	file_is "$dir/current" ''
	for n in 1 3 13 14 26 40; do
		run -0 --separate-stderr sid-ctl log -n "$n" "$svc"
		[ "$output" = "$(tail -n "$n" "$T/all")" ] || {
			echo "-n $n: got: $output" >&2
			false
		}
	done

	rm "$dir"/@*
	printf 'x\ny\n' >"$dir/current"
	run -0 --separate-stderr sid-ctl log -n 5 "$svc"
	[ "$output" = $'x\ny' ]
}

@test "sid-ctl log -n: a file renamed from .u to .s while sid-ctl reads the directory still counts" {
	# strace holds sid-ctl for 3 s at its open of the .u file, after
	# it listed the directory; meanwhile the file is finished (.s), as
	# sid-log's finisher does at any time.
	command -v strace >/dev/null || skip "strace is not installed"
	local svc=$T/svc/app dir u tracer reader=
	dir=$svc/log/main
	mkdir -p "$dir"
	seq 1 5 >"$dir/@20260101T000000.000000Z.s"
	u=$dir/@20260101T000001.000000Z.u
	seq 6 10 >"$u"
	seq 11 12 >"$dir/current"
	bg /dev/null "$T/out" "$T/strace.err" env ASAN_OPTIONS=detect_leaks=0 \
		strace -o /dev/null -P "$u" \
		-e trace=openat -e inject=openat:delay_enter=3000000 \
		sid-ctl log -n 7 "$svc"
	tracer=$BG_PID
	wait_for 5 eval 'reader=$(pgrep -P "$tracer") &&
		opening_rotated "$reader" "$dir/current"' || {
		exited "$tracer" && skip "strace cannot trace here: $(cat "$T/strace.err")"
		false
	}
	mv "$u" "${u%.u}.s"
	bg_wait "$tracer"
	[ "$BG_RC" -eq 0 ]
	[ "$(cat "$T/out")" = "$(seq 6 12)" ] || {
		echo "got: $(tr '\n' ' ' <"$T/out")" >&2
		false
	}
}

# --- sid-ctl log -f ---

@test "sid-ctl log -f: lines from before and after many rotations, each exactly once; exit 0 on SIGINT" {
	local svc=$T/svc/app dir=$T/svc/app/log/main i last logger follower
	mkdir -p "$svc/log"
	seq -f 'line %03g' 1 400 >"$T/all"
	fifo_log -s 100 -n 1000 "$dir"
	logger=$pid
	sed -n '1,30p' "$T/all" >&7
	wait_for 5 last_line_is "$dir" 'line 030'

	bg /dev/null "$T/follow" "$T/follow.err" sid-ctl log -f "$svc"
	follower=$BG_PID
	wait_for 5 eval '[ "$(tail -n 1 "$T/follow")" = "line 030" ]'
	# single lines, then bursts of several rotations between two polls
	for ((i = 31; i <= 60; i++)); do
		sed -n "${i}p" "$T/all" >&7
		wait_for 5 last_line_is "$dir" "$(sed -n "${i}p" "$T/all")"
	done
	for ((i = 61; i <= 400; i += 34)); do
		sed -n "${i},$((i + 33))p" "$T/all" >&7
		last=$(( i + 33 > 400 ? 400 : i + 33 ))
		wait_for 5 last_line_is "$dir" "$(sed -n "${last}p" "$T/all")"
	done
	wait_for 10 eval '[ "$(tail -n 1 "$T/follow")" = "line 400" ]'
	(( $(rotated "$dir" s | wc -l) >= 25 ))

	kill -INT "$follower"
	bg_wait "$follower"
	[ "$BG_RC" -eq 0 ]
	[ ! -s "$T/follow.err" ]
	tail -n 380 "$T/all" >"$T/want"
	diff "$T/want" "$T/follow"
}

@test "sid-ctl log -f: a slow reader misses no rotated file that is renamed from .u to .s while it opens it" {
	# Slowed down with strace's delay injection: sid-log's fsyncs take
	# 1 s (so a rotated file stays .u for a while, as on a slow disk),
	# and every open of sid-ctl takes 1.7 s (a loaded machine).  Two
	# rotations: -f must still print each line once.
	command -v strace >/dev/null || skip "strace is not installed"
	local svc=$T/svc/app dir=$T/svc/app/log/main logger follower
	mkdir -p "$svc/log"
	mkfifo "$T/in"
	exec 7<>"$T/in"
	# Traced processes: LeakSanitizer (make check) cannot ptrace them.
	bg "$T/in" /dev/null "$T/err" env ASAN_OPTIONS=detect_leaks=0 \
		sid-log "$dir"
	logger=$BG_PID
	printf 'a\n' >&7
	wait_for 5 file_is "$dir/current" $'a\n'
	bg /dev/null "$T/follow" "$T/follow.err" \
		env ASAN_OPTIONS=detect_leaks=0 sid-ctl log -f "$svc"
	follower=$BG_PID
	wait_for 5 file_is "$T/follow" $'a\n'

	bg /dev/null /dev/null "$T/strace1.err" strace -f -o /dev/null \
		-e trace=fsync -e inject=fsync:delay_enter=1000000 -p "$logger"
	bg /dev/null /dev/null "$T/strace2.err" strace -o /dev/null \
		-e trace=openat -e inject=openat:delay_enter=1700000 -p "$follower"
	wait_for 5 traced "$logger" && wait_for 5 traced "$follower" ||
		skip "strace cannot attach here: $(cat "$T"/strace*.err)"

	printf 'b\n' >&7
	wait_for 5 file_is "$dir/current" $'a\nb\n'
	kill -ALRM "$logger"
	wait_for 5 eval '[ -n "$(rotated "$dir" u)$(rotated "$dir" s)" ]'
	printf 'c\n' >&7
	wait_for 5 file_is "$dir/current" $'c\n'
	kill -ALRM "$logger"
	wait_for 5 file_is "$dir/current" ''
	printf 'd\n' >&7
	wait_for 20 eval '[ "$(tail -n 1 "$T/follow")" = d ]'
	kill -INT "$follower"
	bg_wait "$follower"
	[ "$BG_RC" -eq 0 ]
	file_is "$T/follow" $'a\nb\nc\nd\n' || {
		echo "got: $(tr '\n' ' ' <"$T/follow")" >&2
		false
	}
}

@test "sid-ctl log -f: exit 0 on SIGTERM, and when its stdout is closed" {
	local svc=$T/svc/app dir=$T/svc/app/log/main follower line
	mkdir -p "$svc/log"
	mkfifo "$T/in" "$T/out"
	exec 7<>"$T/in"
	bg "$T/in" /dev/null "$T/err" sid-log "$dir"
	printf 'one\n' >&7
	wait_for 5 file_is "$dir/current" $'one\n'

	bg /dev/null "$T/follow" "$T/follow.err" sid-ctl log -f "$svc"
	follower=$BG_PID
	wait_for 5 file_is "$T/follow" $'one\n'
	kill -TERM "$follower"
	bg_wait "$follower"
	[ "$BG_RC" -eq 0 ]

	# a reader that takes one line and goes away
	exec 8<>"$T/out"
	bg /dev/null "$T/out" "$T/follow.err" sid-ctl log -f "$svc"
	follower=$BG_PID
	IFS= read -r line <&8
	[ "$line" = one ]
	exec 8<&-
	printf 'two\n' >&7
	bg_wait "$follower"
	[ "$BG_RC" -eq 0 ]
	[ ! -s "$T/follow.err" ]
}

@test "sid-ctl log: conf log-dir (relative to the service, or absolute) is honoured" {
	local a=$T/svc/a b=$T/svc/b
	mkdir -p "$a/log/main" "$b" "$T/logs" "$T/abs"
	printf 'default\n' >"$a/log/main/current"
	printf 'log-dir = ../../logs/a\n' >"$a/conf"
	printf 'x\ny\nz\n' | sid-log "$T/logs/a"
	run -0 --separate-stderr sid-ctl log -n 2 "$a"
	[ "$output" = $'y\nz' ]
	[ -z "$stderr" ]

	printf '# the logs live elsewhere\nlog-dir = %s\n' "$T/abs/b" >"$b/conf"
	printf 'p\nq\n' | sid-log "$T/abs/b"
	SID_SCANDIR=$T/svc run -0 --separate-stderr sid-ctl log b
	[ "$output" = $'p\nq' ]
}

@test "sid-ctl log: no log directory or no current is exit 1 with one line; no service is exit 3" {
	local a=$T/svc/a
	mkdir -p "$a"
	# No log/: its output kept by sid-svscan, and none kept yet.
	run -1 --separate-stderr sid-ctl log "$a"
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[ "$stderr" = "sid-ctl: $a: no log/ and no output kept: $a/supervise/output: No such file or directory" ]

	# A log-dir of its own: sid-log's, even without log/.
	printf 'log-dir = elsewhere\n' >"$a/conf"
	run -1 --separate-stderr sid-ctl log "$a"
	[ "$stderr" = "sid-ctl: $a: no log: $a/elsewhere/current: No such file or directory" ]
	rm "$a/conf"

	mkdir -p "$a/log/main"
	run -1 --separate-stderr sid-ctl log -f "$a"
	[ -z "$output" ]
	[ "$stderr" = "sid-ctl: $a: no log: $a/log/main/current: No such file or directory" ]

	run -3 --separate-stderr sid-ctl log "$T/svc/nope"
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ $stderr == "sid-ctl: $T/svc/nope: no such service: "* ]]

	run -64 --separate-stderr sid-ctl log -n many "$a"
	[ "${#stderr_lines[@]}" -eq 1 ]
}
