#!/usr/bin/env bats
# The manual: every page lints clean (mandoc -T lint, where mandoc is
# installed), has EXAMPLES and SEE ALSO, and make install puts sid.7 in
# man7 beside the programs' pages in man8.

load helper

setup_file() {
	export BATS_TEST_TIMEOUT=60
}

@test "every page lints clean with mandoc -T lint, and make lint-man passes" {
	command -v mandoc >/dev/null || skip "mandoc is not installed (Debian: apt-get install mandoc)"
	for page in "$SID_ROOT"/man/*.[78]; do
		run -0 mandoc -T lint -W style "$page"
		[ -z "$output" ] || { echo "$page: $output" >&2; false; }
	done
	run -0 env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s --no-print-directory -C "$SID_ROOT" lint-man
}

@test "make lint-man without mandoc says so in one line and succeeds" {
	mkdir "$BATS_TEST_TMPDIR/bin"
	for tool in sh make env; do
		ln -s "$(command -v "$tool")" "$BATS_TEST_TMPDIR/bin/$tool"
	done
	PATH="$BATS_TEST_TMPDIR/bin" run -0 env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s --no-print-directory -C "$SID_ROOT" lint-man
	[ "$output" = "lint-man: mandoc not found, manual pages not checked" ]
}

@test "every page has EXAMPLES and SEE ALSO, and sid.7 covers every conf key and status key" {
	for page in "$SID_ROOT"/man/*.[78]; do
		grep -q '^\.SH EXAMPLES' "$page" || { echo "$page: no EXAMPLES" >&2; false; }
		grep -q '^\.SH SEE ALSO' "$page" || { echo "$page: no SEE ALSO" >&2; false; }
	done
	[ -f "$SID_ROOT/man/sid.7" ]
	text=$(sed 's/\\-/-/g' "$SID_ROOT/man/sid.7")
	for key in restart backoff-initial backoff-max healthy-after max-restarts \
		stop-signal stop-grace finish-timeout ready-port ready-timeout \
		notification-fd stderr log-dir needs notify-socket watchdog \
		check-interval check-timeout check-failures \
		state want pid since ready paused restarts last_exit backoff \
		error attempt waiting health notice; do
		grep -q -- "$key" <<<"$text" || { echo "sid.7: no $key" >&2; false; }
	done
}

@test "make install puts the programs, their pages in man8 and sid.7 in man7" {
	run -0 env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s --no-print-directory -C "$SID_ROOT" install DESTDIR="$BATS_TEST_TMPDIR/root" PREFIX=/usr
	for p in sid-svscan sid-supervise sid-ctl sid-log; do
		[ -x "$BATS_TEST_TMPDIR/root/usr/bin/$p" ]
		[ -f "$BATS_TEST_TMPDIR/root/usr/share/man/man8/$p.8" ]
	done
	[ -f "$BATS_TEST_TMPDIR/root/usr/share/man/man7/sid.7" ]
	run -0 env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s --no-print-directory -C "$SID_ROOT" uninstall DESTDIR="$BATS_TEST_TMPDIR/root" PREFIX=/usr
	[ ! -e "$BATS_TEST_TMPDIR/root/usr/share/man/man7/sid.7" ]
}
