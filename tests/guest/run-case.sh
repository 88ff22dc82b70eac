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
set -uo pipefail

status=0 stdout='' stderr_re='' tmpdir=''
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
  --) shift && break ;;
  *) fail "run-case.sh: unknown option $1" ;;
  esac
done
(($#)) || fail "run-case.sh: no command"

tmpdir=$(mktemp -d "${TMPDIR:-/tmp}/paddock-guest-case.XXXXXX") || fail mktemp
"$@" >"$tmpdir/out" 2>"$tmpdir/err"
got=$?
printf '%b' "$stdout" >"$tmpdir/want"

ok=1
if ((got != status)); then
  echo "exit status $got, expected $status" >&2
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
echo "PASS: $*"
