#!/usr/bin/env bash
# The reference for busybox cases: Debian's qemu-riscv64 running Debian's busybox the way a
# complete emulator runs it. qemu-user hands a guest execve to the host kernel, which cannot
# run a riscv64 program (there is no binfmt_misc handler here), so when busybox's shell
# re-executes itself for an applet the execve fails and the shell searches PATH, finding the
# host's own awk, sed, tar ... instead. This puts first in PATH a directory with one host
# wrapper per applet that runs the same busybox under qemu-riscv64 again.
#
# Usage: qemu-busybox.sh BUSYBOX ARGS...   (runs qemu-riscv64 BUSYBOX ARGS...)
set -euo pipefail

bb=$1
shift
command -v qemu-riscv64 >/dev/null || {
  echo "qemu-busybox.sh: qemu-riscv64 not found (scripts/setup)" >&2
  exit 127
}
wrappers=$(mktemp -d "${TMPDIR:-/tmp}/paddock-qemu-busybox.XXXXXX")
trap 'rm -rf -- "$wrappers"' EXIT

# shellcheck disable=SC2016 # expanded by the wrapper, not here
printf '#!/bin/sh\nexec qemu-riscv64 %q "${0##*/}" "$@"\n' "$bb" >"$wrappers/.applet"
chmod +x "$wrappers/.applet"
while read -r applet; do
  [[ $applet == */* || -z $applet ]] || ln -s .applet "$wrappers/$applet"
done < <(qemu-riscv64 "$bb" --list)

rc=0
PATH="$wrappers:$PATH" qemu-riscv64 "$bb" "$@" || rc=$?
exit "$rc"
