#!/usr/bin/env bash
# Builds the root tests/guest/root-escape.c runs in (`paddock run --root DIR`), afresh:
#   make-root.sh DIR PROG [LIBDIR]
# DIR/etc/passwd is a fake one, DIR/bin/root-escape a copy of PROG, DIR/abs-link an absolute
# symlink to /etc/passwd, DIR/sub/dir an empty directory, and DIR/canary-link an absolute
# symlink to DIR.canary, a file made beside DIR, outside it: the guest must not reach it.
# With LIBDIR (a dynamic PROG), its dynamic loader and libc are copied to DIR/lib.
set -euo pipefail
(($# == 2 || $# == 3)) || {
  echo "usage: make-root.sh DIR PROG [LIBDIR]" >&2
  exit 2
}
dir=$1 prog=$2 libs=${3:-}
[[ $dir == /* ]] || {
  echo "make-root.sh: DIR must be absolute (the canary link names it)" >&2
  exit 2
}
rm -rf -- "$dir" "$dir.canary"
mkdir -p -- "$dir/etc" "$dir/bin" "$dir/sub/dir"
printf 'paddock-root:x:4242:4242:the root fixture:/:/bin/sh\n' >"$dir/etc/passwd"
cp -- "$prog" "$dir/bin/root-escape"
ln -s /etc/passwd "$dir/abs-link"
printf 'canary\n' >"$dir.canary"
ln -s "$dir.canary" "$dir/canary-link"
if [[ -n $libs ]]; then
  mkdir -p -- "$dir/lib"
  cp -- "$libs/ld-linux-riscv64-lp64d.so.1" "$libs/libc.so.6" "$dir/lib/"
fi
