# Shell helpers of the robustness tests (tests/t/3NN-robust-*.sh), sourced.
# Each case runs `rstscope analyze --json ...` with a time limit, then checks
# its exit code, stderr and JSON output; every failed check is reported and the
# script goes on, so that one run lists every gap. `finish` ends the script.
set -u
: "${RSTSCOPE:?RSTSCOPE must name the rstscope binary}"
: "${ROOT:?ROOT must name the repository}"
case $RSTSCOPE in /*) ;; *) RSTSCOPE=$PWD/$RSTSCOPE ;; esac
case $ROOT in /*) ;; *) ROOT=$PWD/$ROOT ;; esac
if ! command -v python3 >/dev/null 2>&1; then
	echo "python3 is needed to write the bad inputs"
	exit 77
fi
BAD_DIR=$(mktemp -d /tmp/rstscope-robust.XXXXXX) || exit 1
trap 'rm -rf "$BAD_DIR"' EXIT
BAD_HELPERS="$ROOT/tests/data/bad"
python3 "$BAD_HELPERS/mkbad.py" "$BAD_DIR" || { echo "mkbad.py failed"; exit 1; }
cd "$BAD_DIR" || exit 1
failures=0
case_name=""
rc=0

# run NAME ARGS...: rstscope analyze --json ARGS, stdin from $STDIN (default /dev/null).
run() {
	case_name=$1; shift
	timeout 60 "$RSTSCOPE" analyze --json "$@" <"${STDIN:-/dev/null}" >out.jsonl 2>err.txt
	rc=$?
	if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' err.txt; then
		bad "a sanitizer reported an error"
	fi
}

bad() {
	failures=$((failures + 1))
	echo "FAIL [$case_name]: $*"
	echo "  exit code $rc; stderr:"
	head -n 8 err.txt | sed 's/^/    /'
	echo "  stdout:"
	head -n 6 out.jsonl | cut -c1-240 | sed 's/^/    /'
}

expect_rc() {
	[ "$rc" = "$1" ] || bad "exit code $rc, expected $1"
}

# expect_err TEXT: stderr contains TEXT (a fixed string).
expect_err() {
	grep -qF -- "$1" err.txt || bad "stderr does not contain \"$1\""
}

# expect_err_re ERE: stderr matches an extended regular expression.
expect_err_re() {
	grep -qE -- "$1" err.txt || bad "stderr does not match /$1/"
}

# expect_err_line TEXT1 TEXT2: one stderr line contains both fixed strings.
expect_err_line() {
	grep -F -- "$1" err.txt | grep -qF -- "$2" || bad "no stderr line contains both \"$1\" and \"$2\""
}

# expect_frame FILE N: one stderr line names 'FILE' (quoted) and "frame N".
expect_frame() {
	grep -F -- "'$1'" err.txt | grep -qE -- "frame $2([^0-9]|\$)" ||
		bad "no stderr line names '$1' and frame $2"
}

# expect_named FILE: stderr names 'FILE', quoted.
expect_named() {
	grep -qF -- "'$1'" err.txt || bad "stderr does not name '$1'"
}

# expect_stdin_named: stderr names standard input, quoted ('-' or 'stdin').
expect_stdin_named() {
	grep -qE -- "'(-|stdin|<stdin>|\(stdin\)|/dev/stdin)'" err.txt ||
		bad "stderr does not name standard input ('-' or 'stdin')"
}

# expect_json CHECK.PY-ARGS...: see tests/data/bad/check.py.
expect_json() {
	local msg
	msg=$(python3 "$BAD_HELPERS/check.py" out.jsonl "$@") || bad "$msg"
}

finish() {
	if [ "$failures" -gt 0 ]; then
		echo "$failures check(s) failed"
		exit 1
	fi
	echo "all checks passed"
	exit 0
}
