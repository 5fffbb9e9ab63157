#!/usr/bin/env bats
# What people read from sid-supervise: durations in supervise/events as
# people write them (1.5s, not 1500ms), a start error that names the
# missing #! interpreter rather than a missing ./run, and --help.  The
# reason texts themselves are tested in test/unit/sv_test.c; these show
# them end to end, with real processes and the real files.

load helper

setup_file() {
	export BATS_TEST_TIMEOUT=60
	need_built
}

setup() {
	export SID_SCANDIR="$BATS_TEST_TMPDIR/svc"
	mkdir -p "$SID_SCANDIR"
}

# events_has DIR TEXT: a line of DIR/supervise/events ends with " TEXT".
events_has() {
	local line
	while IFS= read -r line; do
		[[ $line == *" $2" ]] && return 0
	done < "$1/supervise/events"
	return 1
}

# show DIR: status and events, for a failure's log.
show() {
	echo "--- status" >&2
	cat "$1/supervise/status" >&2
	echo "--- events" >&2
	cat "$1/supervise/events" >&2
}

# failed_with DIR ERROR: sid-supervise on DIR ends in state=failed
# with ERROR in supervise/status.
failed_with() {
	start_supervise "$1"
	wait_for 5 field_is "$1" state failed || { show "$1"; return 1; }
	field_is "$1" error "$2" || { show "$1"; return 1; }
}

# ---------------------------------------------------------------------
# Durations in events

# (status keeps backoff=1500ms, the machine form: test/unit/status_test.)
@test "events: backoff-initial 1500ms reads (next start in 1.5s)" {
	svc=$(service crash 'exit 1' 'backoff-initial = 1500ms' \
		'backoff-max = 1m')
	start_supervise "$svc"
	wait_for 5 events_has "$svc" 'up -> backoff exit 1 (next start in 1.5s)' ||
		{ show "$svc"; false; }
	! grep -q 'next start in 1500ms' "$svc/supervise/events"
}

# Sub-second delays read as milliseconds, in both forms: this one
# guards that they stay so ("100ms", not "0.1s").
@test "events: backoff-initial 100ms reads (next start in 100ms)" {
	svc=$(service crash 'exit 1' 'backoff-initial = 100ms')
	start_supervise "$svc"
	wait_for 5 events_has "$svc" 'up -> backoff exit 1 (next start in 100ms)' ||
		{ show "$svc"; false; }
}

# ---------------------------------------------------------------------
# exec_failed that names the interpreter

@test "a run whose #! interpreter is missing: exec_failed names it, in status and in sid-ctl status" {
	svc=$(make_service badsh 'exit 0')
	printf '#!/nonexistent/sh\nexit 0\n' > "$svc/run"
	failed_with "$svc" \
		'exec_failed: ./run: interpreter /nonexistent/sh not found'
	events_has "$svc" \
		'starting -> failed exec_failed: ./run: interpreter /nonexistent/sh not found'
	# Once: exec_failed is not retried until u.
	[ "$(grep -c ' -> starting ' "$svc/supervise/events")" -eq 1 ]

	run -1 --separate-stderr sid-ctl status badsh
	echo "stdout: $output" >&2
	echo "stderr: $stderr" >&2
	[[ $output == *"exec_failed: ./run: interpreter /nonexistent/sh not found"* ]]
}

@test "a run whose #! interpreter is not executable: exec_failed says so" {
	interp="$BATS_TEST_TMPDIR/notx"
	printf 'not a program\n' > "$interp"
	chmod 644 "$interp"
	svc=$(make_service notxsh 'exit 0')
	printf '#!%s\nexit 0\n' "$interp" > "$svc/run"
	failed_with "$svc" \
		"exec_failed: ./run: interpreter $interp is not executable"
}

@test "an interpreter path with a control byte is escaped in status" {
	svc=$(make_service escsh 'exit 0')
	printf '#!/nonexistent/\033sh\nexit 0\n' > "$svc/run"
	failed_with "$svc" \
		'exec_failed: ./run: interpreter /nonexistent/\x1bsh not found'
}

@test "a run with no #! line that the system cannot run: exec_failed says why" {
	svc=$(make_service garbage 'exit 0')
	printf '\001\002\003 not a program\n' > "$svc/run"
	failed_with "$svc" \
		'exec_failed: ./run: Exec format error (not a program for this system, and no #! line)'
}

@test "a finish whose #! interpreter is missing: the events note names it" {
	svc=$(service fin 'exit 1' 'backoff-initial = 10s')
	printf '#!/nonexistent/sh\nexit 0\n' > "$svc/finish"
	chmod +x "$svc/finish"
	start_supervise "$svc"
	wait_for 5 events_has "$svc" \
		'finish: exec_failed: ./finish: interpreter /nonexistent/sh not found' ||
		{ show "$svc"; false; }
}

# ---------------------------------------------------------------------
# --help and usage errors

@test "sid-supervise --help: stdout, exit 0, one option a line, no line over 80 columns" {
	run -0 --separate-stderr sid-supervise --help
	[ -z "$stderr" ]
	[ "${lines[0]}" = "usage: sid-supervise [--] SVCDIR" ]
	printf '%s\n' "$output" | grep -Eq '^ +--help +[a-z]'
	printf '%s\n' "$output" | grep -Eq '^ +-- +[a-z]'
	long=$(printf '%s\n' "$output" | awk 'length > 80')
	[ -z "$long" ] || { echo "over 80 columns: $long" >&2; false; }
}

@test "sid-supervise usage errors: one line naming the argument, then the usage line, exit 64" {
	run -64 --separate-stderr sid-supervise -x
	[ -z "$output" ]
	[ "$stderr" = "sid-supervise: unknown option -x
usage: sid-supervise [--] SVCDIR" ]

	run -64 --separate-stderr sid-supervise one two
	[ "$stderr" = "sid-supervise: one SVCDIR only, not also two
usage: sid-supervise [--] SVCDIR" ]

	run -64 --separate-stderr sid-supervise
	[ "$stderr" = "sid-supervise: missing SVCDIR
usage: sid-supervise [--] SVCDIR" ]
}
