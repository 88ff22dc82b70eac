#!/usr/bin/env bash
# One instruction counting case (user/icount.c): runs a `paddock run --insn-report ...`
# command, takes the count from its "paddock: N guest instructions" line on stderr, and
# checks how the command ended and that the count (less that of a second command, with
# --minus) lies in a range. Exact counts are checked with run-case.sh --stderr-line; this is
# for ranges and differences.
#
# Usage: icount-case.sh [options] -- COMMAND [ARGS...]
#   --status N        expected exit status (default 0)
#   --killed-by SIG   the command must end killed by signal number SIG (sets --status)
#   --min A, --max B  the count must be in [A, B]
#   --minus CMD... --end   subtract the count of CMD (which must exit 0) first
#   --need FILE       fail early, naming FILE, when it does not exist
#   --timeout SECS    kill a command still running after SECS seconds
set -uo pipefail

status=0 killed_by='' min=0 max='' timeout_s=120 minus=()
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

while (($#)); do
  case "$1" in
  --status) status=$2 && shift 2 ;;
  --killed-by) killed_by=$2 status=$((128 + $2)) && shift 2 ;;
  --min) min=$2 && shift 2 ;;
  --max) max=$2 && shift 2 ;;
  --need)
    [[ -e $2 ]] || fail "$2 is missing (cmake --build BUILD --target guest-artifacts)"
    shift 2
    ;;
  --timeout) timeout_s=$2 && shift 2 ;;
  --minus)
    shift
    while (($#)) && [[ $1 != --end ]]; do minus+=("$1") && shift; done
    (($#)) || fail "icount-case.sh: --minus without --end"
    shift
    ;;
  --) shift && break ;;
  *) fail "icount-case.sh: unknown option $1" ;;
  esac
done
(($#)) || fail "icount-case.sh: no command"

tmpdir=$(mktemp -d "${TMPDIR:-/tmp}/paddock-icount-case.XXXXXX") || fail mktemp
trap 'rm -rf -- "$tmpdir"' EXIT

# run_counted NAME COMMAND...: runs COMMAND; NAME.rc holds its exit status as a shell gives
# it, NAME.how "signal N" or "exit N", NAME.err its stderr; prints the count.
run_counted() {
  local name=$1
  shift
  timeout -k 5 "$timeout_s" perl -e 'my $f = shift; my $pid = fork() // die "fork: $!";
    if (!$pid) { exec { $ARGV[0] } @ARGV or exit 127 }
    waitpid($pid, 0) == $pid or die "waitpid: $!"; my $s = $?;
    open(my $h, ">", $f) or die "$f: $!";
    print $h ($s & 127 ? "signal " . ($s & 127) : "exit " . ($s >> 8)), "\n";
    exit($s & 127 ? 128 + ($s & 127) : $s >> 8)' "$tmpdir/$name.how" \
    "$@" >"$tmpdir/$name.out" 2>"$tmpdir/$name.err"
  echo $? >"$tmpdir/$name.rc"
  sed -n 's/^paddock: \([0-9][0-9]*\) guest instructions$/\1/p' "$tmpdir/$name.err" | tail -n1
}

show() {
  echo "command: $*" >&2
  echo "--- stderr:" >&2
  cat "$tmpdir/main.err" >&2
}

count=$(run_counted main "$@")
rc=$(cat "$tmpdir/main.rc")
[[ -n $count ]] || { show "$@"; fail "no instruction count reported"; }
if ((rc != status)); then
  show "$@"
  fail "exit status $rc, expected $status"
fi
if [[ -n $killed_by && $(cat "$tmpdir/main.how") != "signal $killed_by" ]]; then
  show "$@"
  fail "ended with $(cat "$tmpdir/main.how"), expected signal $killed_by"
fi
what="count $count"
if ((${#minus[@]})); then
  other=$(run_counted minus "${minus[@]}")
  [[ -n $other && $(cat "$tmpdir/minus.rc") == 0 ]] ||
    fail "the command to subtract failed or reported nothing: ${minus[*]}"
  count=$((count - other))
  what="difference $count (of $((count + other)) and $other)"
fi
if ((count < min)) || { [[ -n $max ]] && ((count > max)); }; then
  show "$@"
  fail "$what is outside [$min, ${max:-inf}]"
fi
echo "PASS: $* ($what)"
