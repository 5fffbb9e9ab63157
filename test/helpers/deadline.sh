# deadline.sh: the one poll with a deadline of the test suites.  Sourced
# by test/helper.bash (wait_for) and test/valgrind.sh (poll), and run as
# test/helpers/await by the scripts that tests give their services: a
# gate or a wait polls with a deadline, never sleeps a fixed time.

# await SECS CMD...: run CMD every 20 ms until it succeeds; return 1,
# with a line on stderr, when SECS seconds pass first.
await() {
	local tries=$(($1 * 50))
	shift
	until "$@"; do
		tries=$((tries - 1))
		if [ "$tries" -le 0 ]; then
			echo "timed out: $*" >&2
			return 1
		fi
		sleep 0.02
	done
}
