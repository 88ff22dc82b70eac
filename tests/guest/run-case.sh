#!/usr/bin/env bash
# One guest test case: runs a command, then checks its exit status, its stdout byte for byte
# and, for error cases, that stderr is exactly one line matching a pattern.
#
# Usage: run-case.sh [options] -- COMMAND [ARGS...]
#   --status N          expected exit status (default 0)
#   --stdout TEXT       expected stdout, with printf %b escapes (default: empty)
#   --stderr-line RE    stderr must be exactly one line matching the extended regex RE
#   --need FILE         fail early, naming FILE, when it does not exist (a guest artifact
#                       that scripts/guest-artifacts fetches: CI always has them)
#   --truncate SRC N DST    before running: DST = the first N bytes of SRC
#   --bad-interp SRC DST    before running: DST = SRC with its PT_INTERP path pointing to a
#                           file that does not exist (same length)
#   --write-file DST TEXT   before running: DST holds TEXT (printf %b)
#   --setup CMD... --end    before running: run CMD (it builds a fixture), which must succeed
#   --stdout-file FILE  expected stdout is FILE's content (instead of --stdout)
#   --reference CMD... --end
#                       first run CMD (the same program under Debian's qemu-riscv64) and
#                       hold it to the same expectations: when the reference fails them, the
#                       test or its expected output is wrong, not the emulator
#   --timeout SECS      kill a command still running after SECS seconds (status 124)
#   --killed-by SIG     the command (and the reference) must end killed by signal number
#                       SIG, without a core dump, not exit with 128 + SIG (sets --status)
set -uo pipefail

status=0 stdout='' stderr_re='' tmpdir='' stdout_file='' timeout_s=0
reference=() killed_by=''
cleanup() { [[ -n $tmpdir ]] && rm -rf -- "$tmpdir"; }
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

truncate_to() {
  head -c "$2" -- "$1" >"$3" || fail "truncate $1"
  chmod +x "$3"
}

write_file() {
  printf '%b' "$2" >"$1" || fail "write $1"
  chmod +x "$1"
}

bad_interp() {
  local src=$1 dst=$2 interp=/lib/ld-linux-riscv64-lp64d.so.1 off
  off=$(LC_ALL=C grep -obUa -- "$interp" "$src" | head -n1 | cut -d: -f1)
  [[ -n $off ]] || fail "$src: no $interp in it"
  cp -- "$src" "$dst" || fail "cp $src"
  # 32 bytes, like the original: a path that cannot exist on the host or under a sysroot.
  printf '/nonexistent/paddock-test-ld.so1' |
    dd of="$dst" bs=1 seek="$off" conv=notrunc status=none || fail "dd into $dst"
  chmod +x "$dst"
}

while (($#)); do
  case "$1" in
  --status) status=$2 && shift 2 ;;
  --stdout) stdout=$2 && shift 2 ;;
  --stderr-line) stderr_re=$2 && shift 2 ;;
  --need)
    [[ -e $2 ]] || fail "$2 is missing (cmake --build BUILD --target guest-artifacts)"
    shift 2
    ;;
  --truncate) truncate_to "$2" "$3" "$4" && shift 4 ;;
  --bad-interp) bad_interp "$2" "$3" && shift 3 ;;
  --write-file) write_file "$2" "$3" && shift 3 ;;
  --setup)
    shift
    setup=()
    while (($#)) && [[ $1 != --end ]]; do setup+=("$1") && shift; done
    (($#)) || fail "run-case.sh: --setup without --end"
    shift
    "${setup[@]}" || fail "setup failed: ${setup[*]}"
    ;;
  --stdout-file)
    [[ -r $2 ]] || fail "expected output $2 is missing"
    stdout_file=$2 && shift 2
    ;;
  --timeout) timeout_s=$2 && shift 2 ;;
  --killed-by) killed_by=$2 status=$((128 + $2)) && shift 2 ;;
  --reference)
    shift
    while (($#)) && [[ $1 != --end ]]; do reference+=("$1") && shift; done
    (($#)) || fail "run-case.sh: --reference without --end"
    shift
    ;;
  --) shift && break ;;
  *) fail "run-case.sh: unknown option $1" ;;
  esac
done
(($#)) || fail "run-case.sh: no command"

tmpdir=$(mktemp -d "${TMPDIR:-/tmp}/paddock-guest-case.XXXXXX") || fail mktemp
if [[ -n $stdout_file ]]; then
  cp -- "$stdout_file" "$tmpdir/want" || fail "cp $stdout_file"
else
  printf '%b' "$stdout" >"$tmpdir/want"
fi

# perl -e "$how_it_ended" FILE COMMAND...: runs COMMAND, writes "signal N" (" core" if it
# dumped core) or "exit N" to FILE, and exits as a shell reports it (128 + N when killed).
how_it_ended='my $f = shift; my $pid = fork() // die "fork: $!";
  if (!$pid) { exec { $ARGV[0] } @ARGV or exit 127 }
  waitpid($pid, 0) == $pid or die "waitpid: $!"; my $s = $?;
  open(my $h, ">", $f) or die "$f: $!";
  print $h ($s & 127 ? "signal " . ($s & 127) . ($s & 128 ? " core" : "") : "exit " . ($s >> 8)), "\n";
  exit($s & 127 ? 128 + ($s & 127) : $s >> 8)'

# killed_right OUT: whether the command run_one ran for OUT ended as --killed-by wants.
killed_right() {
  [[ -z $killed_by || $(cat -- "$1.how" 2>/dev/null) == "signal $killed_by" ]]
}

# run_one OUT ERR COMMAND...: runs COMMAND (within the time limit) with stdout to OUT and
# stderr to ERR; prints its exit status. With --killed-by, OUT.how says how it ended.
run_one() {
  local out=$1 err=$2 rc=0
  shift 2
  [[ -z $killed_by ]] || set -- perl -e "$how_it_ended" "$out.how" "$@"
  if ((timeout_s > 0)); then
    timeout -k 5 "$timeout_s" "$@" >"$out" 2>"$err" || rc=$?
  else
    "$@" >"$out" 2>"$err" || rc=$?
  fi
  echo "$rc"
}

if ((${#reference[@]})); then
  command -v "${reference[0]}" >/dev/null || fail "reference ${reference[0]} not found (scripts/setup)"
  ref_got=$(run_one "$tmpdir/ref.out" "$tmpdir/ref.err" "${reference[@]}")
  if ((ref_got != status)) || ! cmp -s "$tmpdir/want" "$tmpdir/ref.out" ||
    ! killed_right "$tmpdir/ref.out"; then
    echo "REFERENCE run does not meet the expectations: the test itself is wrong" >&2
    echo "reference: ${reference[*]} (exit status $ref_got, expected $status)" >&2
    diff "$tmpdir/want" "$tmpdir/ref.out" >&2
    echo "--- reference stderr:" >&2
    cat "$tmpdir/ref.err" >&2
    exit 1
  fi
fi

got=$(run_one "$tmpdir/out" "$tmpdir/err" "$@")

ok=1
if ((got != status)); then
  echo "exit status $got, expected $status" >&2
  ok=0
fi
if ! killed_right "$tmpdir/out"; then
  echo "ended with $(cat -- "$tmpdir/out.how"), expected signal $killed_by" >&2
  ok=0
fi
if ! cmp -s "$tmpdir/want" "$tmpdir/out"; then
  echo "stdout differs (expected, then got):" >&2
  diff "$tmpdir/want" "$tmpdir/out" >&2
  ok=0
fi
if [[ -n $stderr_re ]]; then
  lines=$(wc -l <"$tmpdir/err")
  if ((lines != 1)) || ! grep -Eq -- "$stderr_re" "$tmpdir/err"; then
    echo "stderr is not one line matching /$stderr_re/" >&2
    ok=0
  fi
fi
if ((!ok)); then
  echo "command: $*" >&2
  echo "--- stderr:" >&2
  cat "$tmpdir/err" >&2
  exit 1
fi
if ((${#reference[@]})); then
  echo "PASS: $* (reference agrees: ${reference[*]})"
else
  echo "PASS: $*"
fi
