#!/usr/bin/env bats
# sid-ctl and hostile names: a name with a newline or an ESC byte is
# shown escaped in the status line, the table and every error line (one
# line each, never a forged one); status -j is valid JSON for names
# that are not UTF-8; an empty SERVICE is a usage error; a name that
# begins with "-" works after "--".  And a signal that sid-supervise
# could not send (signal_failed) makes the command fail with its line.

load helper

setup_file() {
	export BATS_TEST_TIMEOUT=60
	if [ ! -x "$SID_ROOT/sid-ctl" ] || [ ! -x "$SID_ROOT/sid-supervise" ]; then
		echo "build first: make sid-ctl sid-supervise" >&2
		return 1
	fi
}

setup() {
	export SID_SCANDIR="$BATS_TEST_TMPDIR/svc"
	mkdir -p "$SID_SCANDIR"
	FAKE_PIDS=()
}

teardown() {
	local pid
	for pid in "${FAKE_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	stop_supervisors
}

# one_error GLOB: the stderr of the last run is exactly one line, and it
# is "sid-ctl: " followed by something matching GLOB, in which a
# backslash stands for itself (as in the escapes sid-ctl prints).
one_error() {
	local glob=${1//\\/\\\\}
	if [ "${#stderr_lines[@]}" -ne 1 ] || [[ $stderr != "sid-ctl: "$glob ]]
	then
		printf 'stderr (%d lines): %s\nwanted one line: sid-ctl: %s\n' \
			"${#stderr_lines[@]}" "$stderr" "$1" >&2
		return 1
	fi
}

# json_lines: every line of the last run's stdout parses as JSON (bytes
# read as UTF-8, strictly, as a JSON parser must).
json_lines() {
	python3 -c '
import json, sys
for line in sys.stdin.buffer.read().splitlines():
    json.loads(line.decode("utf-8"))
' <<<"$output"
}

EVIL=$'evil\nremoved web'
ESCNAME=$'esc\e[2J\e[31mred'

@test "a name with a newline or ESC: the table has one row each, escaped" {
	a=$(service "$EVIL" 'exec sleep 1000')
	b=$(service "$ESCNAME" 'exec sleep 1000')
	start_supervise "$a"
	start_supervise "$b"
	wait_for 5 field_is "$a" state up
	wait_for 5 field_is "$b" state up

	run -0 --separate-stderr sid-ctl status
	[ -z "$stderr" ]
	[ "${#lines[@]}" -eq 3 ]
	[[ ${lines[1]} == 'esc\x1b[2J\x1b[31mred up '* ]]
	[[ ${lines[2]} == 'evil\nremoved web '*' up '* ]]
	[[ ${lines[2]} == *" $(field "$a" pid) "* ]]
	no_raw_control
	# Aligned: the state column starts where the header's does.
	prefix=${lines[0]%%STATE*}
	[ "${lines[1]:${#prefix}:3}" = "up " ]
	[ "${lines[2]:${#prefix}:3}" = "up " ]
}

@test "a name with a newline or ESC: the status line is one line, escaped" {
	a=$(service "$EVIL" 'exec sleep 1000')
	b=$(service "$ESCNAME" 'exec sleep 1000')
	start_supervise "$a"
	start_supervise "$b"
	wait_for 5 field_is "$a" state up
	wait_for 5 field_is "$b" state up

	run -0 --separate-stderr sid-ctl status "$EVIL" "$ESCNAME"
	[ -z "$stderr" ]
	[ "${#lines[@]}" -eq 2 ]
	[[ ${lines[0]} == "up: evil\\nremoved web: pid $(field "$a" pid), "* ]]
	[[ ${lines[1]} == "up: esc\\x1b[2J\\x1b[31mred: pid $(field "$b" pid), "* ]]
	no_raw_control
}

@test "a name with a newline or ESC: every error is one escaped line" {
	run -3 --separate-stderr sid-ctl status "$EVIL"
	one_error 'evil\nremoved web: no such service: *evil\nremoved web: No such file or directory'
	run -3 --separate-stderr sid-ctl -u "$ESCNAME"
	one_error 'esc\x1b[2J\x1b[31mred: no such service: *'
	no_raw_control

	mkdir "$SID_SCANDIR/$EVIL"
	run -2 --separate-stderr sid-ctl status "$EVIL"
	one_error "evil\\nremoved web: no sid-supervise is running for $SID_SCANDIR/evil\\nremoved web"
	run -2 --separate-stderr sid-ctl -d "$EVIL"
	one_error 'evil\nremoved web: no sid-supervise is running for *'
	run -2 --separate-stderr sid-ctl wait -u -T 0.1 "$EVIL"
	one_error 'evil\nremoved web: no sid-supervise is running for *'
	run -2 --separate-stderr sid-ctl -t "$EVIL"
	one_error 'evil\nremoved web: no sid-supervise is running for *'
	no_raw_control

	# An error text is escaped too: a conf error quotes the key.
	dir=$(service "$EVIL" 'exit 0')
	printf 'restart = never\nbadkey\e[31m = red\n' >>"$dir/conf"
	run -3 --separate-stderr sid-ctl -u "$EVIL"
	one_error 'evil\nremoved web: config_invalid: *badkey\x1b[31m: unknown key'
	no_raw_control
	# And in the status line.  (Not for EVIL: sid-supervise would write
	# the newline of its path into error= as it is.)
	dir=$(service "$ESCNAME" 'exit 0')
	printf 'restart = never\nbadkey\e[31m = red\n' >>"$dir/conf"
	start_supervise "$dir"
	wait_for 5 field_is "$dir" state failed
	run -3 --separate-stderr sid-ctl status "$ESCNAME"
	[[ $output == 'failed: esc\x1b[2J\x1b[31mred: '*'; error: config_invalid: '*'badkey\x1b[31m: unknown key' ]]
	[ -z "$stderr" ]
	no_raw_control
}

@test "history escapes what its lines quote, one line per event" {
	dir=$(service foo 'exec sleep 1000')
	start_supervise "$dir"
	wait_for 5 field_is "$dir" state up
	# A reason that quotes hostile text, as a conf error would.
	printf '1763777400.123 up -> up evil\rreason \e[31mred\n' \
		>>"$dir/supervise/events"
	run -0 --separate-stderr sid-ctl history -r -n 1 foo
	[ "$output" = '1763777400.123 up -> up evil\rreason \x1b[31mred' ]
	TZ=UTC0 run -0 --separate-stderr sid-ctl history -n 1 foo
	[ "$output" = '2025-11-22 02:10:00.123 up -> up evil\rreason \x1b[31mred' ]
	no_raw_control
}

@test "status -j is valid JSON for a name that is not UTF-8, and for control bytes" {
	a=$(service $'\xff\xfe' 'exec sleep 1000')
	b=$(service $'ctl\x01\x1b\x7f"q\\' 'exec sleep 1000')
	c=$(service $'caf\xc3\xa9' 'exec sleep 1000')
	for d in "$a" "$b" "$c"; do
		start_supervise "$d"
		wait_for 5 field_is "$d" state up
	done

	run -0 --separate-stderr sid-ctl status -j $'\xff\xfe'
	[ -z "$stderr" ]
	json_lines
	python3 -m json.tool <<<"$output" >/dev/null
	# Each stray byte is its Latin-1 code point.
	[ "$(jq -r .name <<<"$output")" = $'\xc3\xbf\xc3\xbe' ]
	[ "$(jq -r .pid <<<"$output")" = "$(field "$a" pid)" ]
	[[ $output == '{"name":"\u00ff\u00fe",'* ]]

	run -0 --separate-stderr sid-ctl status -j $'ctl\x01\x1b\x7f"q\\'
	json_lines
	[[ $output == '{"name":"ctl\u0001\u001b\u007f\"q\\",'* ]]

	# Well-formed UTF-8 passes as it is.
	run -0 --separate-stderr sid-ctl status -j $'caf\xc3\xa9'
	json_lines
	[ "$(jq -r .name <<<"$output")" = $'caf\xc3\xa9' ]

	# The whole scan directory: one valid object per service.
	run -0 --separate-stderr sid-ctl status -j
	[ "${#lines[@]}" -eq 3 ]
	json_lines
}

@test "status -j: an error text that is not UTF-8 is valid JSON" {
	dir=$(service foo 'exit 0')
	printf '\xff\xfe = 1\n' >>"$dir/conf"
	start_supervise "$dir"
	wait_for 5 field_is "$dir" state failed
	run -3 --separate-stderr sid-ctl status -j foo
	json_lines
	[ "$(jq -r .error.code <<<"$output")" = config_invalid ]
	[[ $(jq -r .error.message <<<"$output") == *$'\xc3\xbf\xc3\xbe: unknown key' ]]
	[ -z "$stderr" ]
}

@test "an empty SERVICE is a usage error (64), one line, wherever a SERVICE is taken" {
	dir=$(service foo 'exec sleep 1000')
	start_supervise "$dir"
	wait_for 5 field_is "$dir" state up
	pid=$(field "$dir" pid)

	run -64 --separate-stderr sid-ctl status ''
	one_error 'an empty SERVICE name; usage: *'
	[ -z "$output" ]
	run -64 --separate-stderr sid-ctl status -j foo ''
	one_error 'an empty SERVICE name; usage: *'
	for cmd in '-u' '-d' '-w -r' 'wait -u' 'history' 'log' 'status -j'; do
		# shellcheck disable=SC2086
		run -64 --separate-stderr sid-ctl $cmd ''
		one_error 'an empty SERVICE name; usage: *'
	done
	[ "$(field "$dir" pid)" = "$pid" ]
	field_is "$dir" state up
}

@test "a name that begins with -: every subcommand takes it after --" {
	dir=$(service -dash 'echo started; exec sleep 1000')
	mkdir -p "$dir/log/main"
	echo 'a line of -dash' >"$dir/log/main/current"
	start_supervise "$dir"
	wait_for 5 field_is "$dir" state up
	pid=$(field "$dir" pid)

	run -0 --separate-stderr sid-ctl status -- -dash
	[[ $output == "up: -dash: pid $pid, "* ]]
	run -0 --separate-stderr sid-ctl status -j -- -dash
	[ "$(jq -r .name <<<"$output")" = -dash ]
	run -0 --separate-stderr sid-ctl -u -- -dash
	[ -z "$stderr" ]
	wait_for 5 grep -q ' control: u$' "$dir/supervise/events"
	run -0 --separate-stderr sid-ctl history -n 1 -- -dash
	[[ $output == *'control: u' ]]
	run -0 --separate-stderr sid-ctl log -n 1 -- -dash
	[ "$output" = 'a line of -dash' ]
	run -0 --separate-stderr sid-ctl -w -r -- -dash
	[ "$(field "$dir" pid)" != "$pid" ]
	run -0 --separate-stderr sid-ctl wait -u -T 5 -- -dash
	run -0 --separate-stderr sid-ctl -w -d -- -dash
	field_is "$dir" state down
	run -0 --separate-stderr sid-ctl wait -d -- -dash
	# Without --, it is an option, and a usage error.
	run -64 --separate-stderr sid-ctl status -dash
	one_error '*usage: *'
}

# --- signal_failed ------------------------------------------------------

# fake_supervise DIR MODE: a stand-in for sid-supervise on DIR, in
# python3: it holds supervise/lock (fcntl), reads supervise/control and
# for each byte appends an events line and rewrites status as
# sid-supervise does.  MODE fail: every signal fails with EPERM
# (signal_failed in the events line and in error=); MODE ok: it works;
# MODE deaf: it records nothing.
fake_supervise() {
	cat >"$BATS_TEST_TMPDIR/fake.py" <<-'EOF'
		import fcntl, os, select, sys, time
		d, mode = sys.argv[1], sys.argv[2]
		sup = os.path.join(d, "supervise")
		os.makedirs(sup, exist_ok=True)
		lock = os.open(sup + "/lock", os.O_WRONLY | os.O_CREAT, 0o644)
		fcntl.lockf(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
		if not os.path.exists(sup + "/control"):
		    os.mkfifo(sup + "/control", 0o600)
		fifo = os.open(sup + "/control", os.O_RDONLY | os.O_NONBLOCK)
		keep = os.open(sup + "/control", os.O_WRONLY)
		names = dict(t="TERM", k="KILL", h="HUP", a="ALRM", i="INT",
		             q="QUIT", p="STOP", c="CONT")
		names["1"], names["2"] = "USR1", "USR2"
		state, error = "up", ""
		def now():
		    return "%.3f" % time.time()
		since = now()
		def status():
		    with open(sup + "/status.new", "w") as f:
		        f.write("state=%s\nwant=up\npid=4242\nsince=%s\nready=n/a\n"
		                "paused=no\nrestarts=0\nlast_exit=none\nbackoff=0\n"
		                "error=%s\n" % (state, since, error))
		    os.rename(sup + "/status.new", sup + "/status")
		def event(line):
		    with open(sup + "/events", "a") as f:
		        f.write(now() + " " + line + "\n")
		event("down -> up started")
		status()
		while True:
		    select.select([fifo], [], [])
		    for b in os.read(fifo, 64).decode():
		        if mode == "deaf":
		            continue
		        why = "signal_failed: kill(%s, SIG%s): Operation not permitted"
		        if b in names and mode == "fail":
		            error = why % (4242, names[b])
		            event("up -> up control: %s: %s" % (b, error))
		        elif b == "d" and mode == "fail":
		            event("up -> stopping control: d")
		            state, error = "stopping", why % (-4242, "TERM")
		            event("stopping -> stopping " + error)
		        elif b == "d":
		            event("%s -> down control: d" % state)
		            state = "down"
		        else:
		            event("%s -> %s control: %s" % (state, state, b))
		        status()
	EOF
	python3 "$BATS_TEST_TMPDIR/fake.py" "$1" "$2" \
		3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- \
		>>"$BATS_TEST_TMPDIR/fake.out" 2>&1 &
	FAKE_PIDS+=("$!")
	wait_for 5 test -s "$1/supervise/status"
}

@test "signal_failed: each signal letter exits 1 with the supervisor's line" {
	dir="$SID_SCANDIR/foo"
	mkdir -p "$dir"
	fake_supervise "$dir" fail
	for c in t:TERM k:KILL h:HUP a:ALRM i:INT q:QUIT 1:USR1 2:USR2 \
		p:STOP c:CONT; do
		run -1 --separate-stderr sid-ctl "-${c%%:*}" foo
		one_error "foo: signal_failed: kill(4242, SIG${c#*:}): Operation not permitted"
		[ -z "$output" ]
	done
	# Several services: the worst counts, each says its line.
	run -1 --separate-stderr sid-ctl -t foo foo
	[ "${#stderr_lines[@]}" -eq 2 ]
}

@test "signal_failed: -w -d ends at once with exit 1 and the line" {
	dir="$SID_SCANDIR/foo"
	mkdir -p "$dir"
	fake_supervise "$dir" fail
	start=${EPOCHREALTIME/./}
	run -1 --separate-stderr sid-ctl -w -T 8 -d foo
	end=${EPOCHREALTIME/./}
	one_error 'foo: signal_failed: kill(-4242, SIGTERM): Operation not permitted'
	(( end - start < 4000000 ))
}

@test "signal letters that work exit 0 once the supervisor has recorded them" {
	dir="$SID_SCANDIR/foo"
	mkdir -p "$dir"
	fake_supervise "$dir" ok
	for c in t k h a i q 1 2 p c; do
		run -0 --separate-stderr sid-ctl "-$c" foo
		[ -z "$stderr$output" ]
		tail -n 1 "$dir/supervise/events" | grep -q " control: $c\$"
	done
	run -0 --separate-stderr sid-ctl -w -d foo
	field_is "$dir" state down
}

@test "a signal letter that the supervisor never records times out after -T" {
	dir="$SID_SCANDIR/foo"
	mkdir -p "$dir"
	fake_supervise "$dir" deaf
	run -1 --separate-stderr sid-ctl -T 0.3 -h foo
	one_error 'foo: timed out: sid-supervise has not recorded h in *'
}

@test "an old signal_failed in events or status does not fail a new signal" {
	dir=$(service foo 'trap "" HUP; exec sleep 1000')
	start_supervise "$dir"
	wait_for 5 field_is "$dir" state up
	echo '1763777400.123 up -> up control: h: signal_failed: kill(1, SIGHUP): Operation not permitted' \
		>>"$dir/supervise/events"
	run -0 --separate-stderr sid-ctl -h foo
	[ -z "$stderr" ]
	grep -q ' up -> up control: h$' "$dir/supervise/events"
}
