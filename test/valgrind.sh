#!/bin/sh
# test/valgrind.sh unit TEST...: run each C unit test under valgrind's
#     memcheck; none may have a memory error, a definite or indirect
#     leak, or an fd it opened still open at exit.
# test/valgrind.sh lifecycle SID-SUPERVISE: run that sid-supervise under
#     memcheck on a service directory through u, r, d and x; it must
#     exit 0 with no memory error and no leak, and (where /proc/PID/fd
#     exists) hold the same fds at rest after the service ran as before.
#
# The programs must be built without sanitizers: ASan and valgrind do not
# mix.  Exits 1 when anything failed, and shows valgrind's report.
LC_ALL=C; export LC_ALL
VALGRIND="valgrind -q --leak-check=full --show-leak-kinds=definite,indirect
    --errors-for-leak-kinds=definite,indirect
    --error-exitcode=1 --track-fds=yes --trace-children=no"
DEADLINE=${VG_DEADLINE:-60}	# seconds for each step, valgrind is slow

command -v valgrind >/dev/null || { echo "valgrind is not installed" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sid-valgrind.XXXXXX") || exit 1
svc="$tmp/svc"
vgpid=
cleanup() {
	[ -z "$vgpid" ] || stop_all
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

# fds_opened LOG: the valgrind report of the fds still open at exit that
# the program opened itself; fds it inherited (from make, a terminal, a
# CI runner) are not its leaks.
fds_opened() {
	awk '
		/^==[0-9]+== Open / { block = $0; next }
		block != "" {
			if ($0 !~ /<inherited from parent>/)
				print block
			block = ""
		}' "$1"
}

unit() {
	failed=0
	for t in "$@"; do
		log="$tmp/${t##*/}.log"
		if ! $VALGRIND --log-file="$log" "$t" >"$tmp/out" 2>&1 \
		    3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-; then
			echo "not ok - valgrind $t"
			sed 's/^/#   /' "$tmp/out"
			cat "$log"
			failed=1
		elif [ -n "$(fds_opened "$log")" ]; then
			echo "not ok - valgrind $t: fds left open at exit"
			cat "$log"
			failed=1
		else
			echo "ok - valgrind $t"
		fi
	done
	return $failed
}

# poll DESC CMD...: wait until CMD succeeds, at most DEADLINE seconds.
. "$(dirname "$0")/helpers/deadline.sh"
poll() {
	desc=$1; shift
	await "$DEADLINE" "$@" || {
		echo "timed out waiting for: $desc" >&2
		return 1
	}
}

# field KEY: the value of KEY in the status file.
field() {
	sed -n "s/^$1=//p" "$svc/supervise/status" 2>/dev/null
}

is() {
	[ "$(field "$1")" = "$2" ]
}

# The service is up with a child other than pid $1.
up_anew() {
	is state up && [ "$(field pid)" != "$1" ] && [ "$(field pid)" != 0 ]
}

# execd PID: PID has exec'd ./run's sleep.  Under valgrind a vfork is a
# fork: the supervisor goes on, and may stop the child, before its exec.
execd() {
	[ ! -d /proc/self ] || [ "$(cat "/proc/$1/comm" 2>/dev/null)" = sleep ]
}

gone() {
	! kill -0 "$vgpid" 2>/dev/null
}

# fds_at_rest: the fd numbers open in the supervisor, one per line.
fds_at_rest() {
	ls "/proc/$vgpid/fd" | sort -n
}

# send BYTE: write BYTE to the control FIFO, in the background, since
# the open blocks for good when no supervisor reads it any more.
send() {
	printf %s "$1" >"$svc/supervise/control" &
	writer=$!
	poll "the control FIFO to take $1" writer_done || {
		kill -KILL "$writer" 2>/dev/null
		wait "$writer"
		return 1
	}
	wait "$writer"
}

writer_done() {
	! kill -0 "$writer" 2>/dev/null
}

# stop_all: SIGKILL the supervisor, and the service's group with it.
stop_all() {
	p=$(field pid)
	case $p in
	'' | 0 | *[!0-9]*) ;;
	*) kill -KILL -- "-$p" 2>/dev/null ;;
	esac
	kill -KILL "$vgpid" 2>/dev/null
}

lifecycle() {
	sup=$1
	mkdir "$svc" || return 1
	printf '#!/bin/sh\nexec sleep 1000\n' >"$svc/run"
	chmod +x "$svc/run"
	printf 'stop-grace = 10s\nbackoff-initial = 10ms\n' >"$svc/conf"
	: >"$svc/down"

	# Every process's report in a file of its own: a child between
	# fork() and exec() runs under valgrind too.
	$VALGRIND --log-file="$tmp/vg.%p.log" "$sup" "$svc" \
	    </dev/null >"$tmp/out" 2>&1 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
	vgpid=$!
	main=$vgpid
	ok=1
	poll "state=down (started with down)" is state down &&
	    { [ ! -d "/proc/$vgpid/fd" ] || fds_at_rest >"$tmp/fds.before"; } &&
	    send u && poll "state=up after u" up_anew 0 &&
	    pid1=$(field pid) && poll "pid $pid1 to exec" execd "$pid1" &&
	    send r && poll "a new pid after r" up_anew "$pid1" &&
	    pid2=$(field pid) && poll "pid $pid2 to exec" execd "$pid2" &&
	    send d && poll "state=down after d" is state down &&
	    poll "pid=0 after d" is pid 0 &&
	    { [ ! -d "/proc/$vgpid/fd" ] || fds_at_rest >"$tmp/fds.after"; } &&
	    send x && poll "sid-supervise to exit after x" gone || ok=0
	[ "$ok" = 1 ] || stop_all
	wait "$vgpid"
	code=$?
	vgpid=
	if [ "$ok" = 1 ] && [ -f "$tmp/fds.before" ] &&
	    ! cmp -s "$tmp/fds.before" "$tmp/fds.after"; then
		echo "# fds at rest before u: $(tr '\n' ' ' <"$tmp/fds.before")"
		echo "# fds at rest after d:  $(tr '\n' ' ' <"$tmp/fds.after")"
		ok=0
	fi
	[ "$code" = 0 ] || { echo "# exit status $code"; ok=0; }
	# The children's reports (fork to exec) must be empty.
	for log in "$tmp"/vg.*.log; do
		case $log in "$tmp/vg.$main.log") continue;; esac
		[ ! -s "$log" ] || { cat "$log"; ok=0; }
	done
	if [ "$ok" = 1 ]; then
		echo "ok - valgrind sid-supervise: u, r, d, x"
		return 0
	fi
	echo "not ok - valgrind sid-supervise: u, r, d, x"
	echo "# status:"; sed 's/^/#   /' "$svc/supervise/status" 2>/dev/null
	echo "# output:"; sed 's/^/#   /' "$tmp/out"
	cat "$tmp/vg.$main.log"
	return 1
}

case $1 in
unit)		shift; unit "$@" ;;
lifecycle)	[ "$#" -eq 2 ] || { echo "usage: $0 lifecycle SID-SUPERVISE" >&2; exit 64; }
		lifecycle "$2" ;;
*)		echo "usage: $0 unit TEST... | lifecycle SID-SUPERVISE" >&2
		exit 64 ;;
esac
