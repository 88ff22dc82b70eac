#!/bin/sh
# A POSIX sh workout for Debian's busybox under emulation: `paddock run busybox sh
# busybox-script.sh`. Shell features (pipes, subshells, command substitution, traps on EXIT
# and on a signal the shell sends itself, functions, loops, case, arithmetic, here-docs,
# redirections, background jobs) and the text tools (awk, sed, sort, uniq, tr, cut, wc,
# head, tail, grep -E, xargs), then tar and gzip round trips and checksums, in a private
# directory from mktemp -d (removed by the EXIT trap). Busybox runs its applets in-process
# or by re-executing itself, so this needs fork, exec, pipes, wait and signals. The output
# is deterministic (no names of temporary files, no pids, no dates): tests/guest/expected/
# busybox-script.out is Debian's qemu-riscv64 running the same busybox on this script.

work=$(mktemp -d) || exit 2
trap 'rm -rf "$work"; echo "exit trap ran"' EXIT
cd "$work" || exit 2

echo "== shell basics"
x=1
# shellcheck disable=SC2030,SC2031 # the point: the subshell's x is its own
(x=2; echo "subshell sees x=$x")
# shellcheck disable=SC2031
echo "parent keeps x=$x"
# shellcheck disable=SC2116 # nested substitutions on purpose
echo "nested: $(echo "a $(echo "b $(echo c)")")"
echo "backticks: $(printf '%s' "$(echo old style | tr '[:lower:]' '[:upper:]')")"
out=$(echo partial; false) || echo "status of a failed substitution: $? ($out)"
false | true
echo "pipeline status is the last command's: $?"
{ echo "brace group"; echo "to stderr" >&2; } 2>/dev/null
set -- one "two words" three
echo "positional: $# first=$1 second=$2"
shift
echo "after shift: $#: $*"
var=hello.tar.gz
echo "prefix/suffix: ${var%%.*} ${var#*.} ${var%.gz} ${#var}"
unset maybe
echo "defaults: ${maybe:-fallback} ${maybe:=assigned} $maybe"
printf '%s|%5s|%-5s|%03d|%x|%c\n' str right left 7 255 zebra

echo "== arithmetic"
i=7
echo "$((i * 6)) $((i / 2)) $((-i / 2)) $((i % 3)) $((-i % 3)) $((1 << 10)) $((0x1f)) $((i > 5 ? 100 : 200))"
i=$((i + 1))
: $((i += 10))
echo "i=$i $((i & 6)) $((i | 1)) $((i ^ 3)) $((~0)) $((2147483647 + 1)) $((9223372036854775807))"

echo "== functions, loops, case"
fact() {
  if [ "$1" -le 1 ]; then
    echo 1
  else
    echo $(($1 * $(fact $(($1 - 1)))))
  fi
}
echo "10! = $(fact 10)"
classify() {
  case $1 in
  [0-9]*) echo "$1: number" ;;
  *.txt | *.md) echo "$1: text" ;;
  ?) echo "$1: one character" ;;
  *) echo "$1: other" ;;
  esac
}
for w in 42 notes.txt README.md x something; do classify "$w"; done
n=0
while [ $n -lt 5 ]; do
  n=$((n + 1))
  [ $n -eq 2 ] && continue
  [ $n -eq 4 ] && break
  echo "while n=$n"
done
until [ $n -le 0 ]; do n=$((n - 2)); done
echo "until ended at n=$n"
count_args() { return $#; }
count_args a b c
echo "function return status: $?"

echo "== here-docs and redirections"
name=world
cat <<EOF
expanded: hello $name, $((6 * 7))
EOF
cat <<'EOF'
quoted: hello $name, $((6 * 7))
EOF
exec 3>fd3.txt
echo "through fd 3" >&3
echo "again" >&3
exec 3>&-
echo "appended" >>fd3.txt
wc -l <fd3.txt
while IFS=: read -r user id shell; do
  echo "user=$user id=$id shell=$shell"
done <<EOF
root:0:/bin/sh
daemon:1:/usr/sbin/nologin
EOF
echo "piped" | (read -r line; echo "subshell read: $line")

echo "== text tools"
cat >data.txt <<'EOF'
alice 34 engineering 5200.50
bob 28 sales 3100.00
carol 45 engineering 7300.25
dave 28 support 2900.75
erin 39 sales 4100.00
frank 51 engineering 8100.10
EOF
awk '{ n++; sum += $4; dept[$3] += $4; if ($2 > oldest) { oldest = $2; who = $1 } }
  END {
    printf "rows=%d total=%.2f mean=%.3f oldest=%s\n", n, sum, sum / n, who
    for (d in dept) printf "%s %.2f\n", d, dept[d]
  }' data.txt | sort
# Debian's busybox is built without awk's libm functions (sqrt, exp, ^): plain arithmetic.
awk 'BEGIN { x = 0.1 + 0.2; printf "%.6f %.4e %d %s %.17g %s\n", 22 / 7, 1 / 3e5, int(-3.7), 1e6 * 3, x, -7 / 2 }'
awk -F' ' '$3 == "sales" { print toupper($1), length($1), substr($3, 2, 3) }' data.txt
awk 'BEGIN { s = "a-b-c-d"; n = split(s, p, "-"); gsub(/-/, "+", s); print n, p[4], s }'
sort -k2,2n -k1,1r data.txt | cut -d' ' -f1,2
sort -k4 -n -r data.txt | head -n 2
cut -d' ' -f2 data.txt | sort -n -u | xargs
cut -d' ' -f3 data.txt | sort | uniq -c | sort -k1,1nr -k2
cut -c1-3 data.txt | tr '[:lower:]' '[:upper:]' | tr -d 'AEIOU' | xargs
# shellcheck disable=SC2126 # a pipe on purpose
grep -E '^(a|c|e)[a-z]+ [0-9]{2} ' data.txt | wc -l
grep -c engineering data.txt
grep -v -E 'sales|support' data.txt | awk '{ print $1 }' | xargs -n 2 echo pair:
sed -n '2,4p' data.txt | sed 's/ /_/g'
sed -e '/^bob/,/^dave/d' -e 's/\([a-z]*\) \([0-9]*\)/\2=\1/' data.txt
sed -n '1!G;h;$p' data.txt | head -n 3
sed '/sales/{x;p;x;}' data.txt | grep -c '^$'
printf 'a  b   c\n' | tr -s ' '
seq 1 100 | awk '{ s += $1 } END { print "sum 1..100 =", s }'
seq 1 20 | tail -n 3 | tr '\n' ','
echo
seq 1 20 | tail -n +18 | head -n 2 | xargs echo
wc -w <data.txt
wc -c <data.txt
printf '%s\n' z y x y z z | sort | uniq -d
printf '%s\n' 3 1 2 | xargs printf '[%s]'
echo

echo "== tar and gzip"
mkdir -p src/sub/deeper src/empty
i=0
while [ $i -lt 50 ]; do
  echo "line $i of a file that compresses well" >>src/big.txt
  i=$((i + 1))
done
seq 1 3000 >src/sub/numbers.txt
printf 'binary\000zero\377byte' >src/sub/deeper/bin.dat
ln -s ../big.txt src/sub/link
chmod 0600 src/sub/numbers.txt
tar cf archive.tar src
tar tf archive.tar | sort
mkdir dst
tar xf archive.tar -C dst
diff -r src dst/src && echo "tar round trip: identical"
[ -L dst/src/sub/link ] && echo "symlink kept: $(readlink dst/src/sub/link)"
stat -c '%a %n' dst/src/sub/numbers.txt
tar czf archive.tgz -C src .
mkdir dst2
tar xzf archive.tgz -C dst2
diff -r src dst2 && echo "tar.gz round trip: identical"
cat src/big.txt src/sub/numbers.txt >plain
gzip -9 -c plain >plain.gz
gunzip -c plain.gz | cmp - plain && echo "gzip round trip: identical"
[ "$(wc -c <plain.gz)" -lt "$(wc -c <plain)" ] && echo "gzip made it smaller"
cp plain copy
gzip copy
[ -f copy.gz ] && [ ! -f copy ] && echo "gzip replaced the file"
gunzip copy.gz
cmp copy plain && echo "gunzip restored it"
zcat plain.gz | md5sum | cut -d' ' -f1
printf 'abc' | md5sum
printf 'abc' | sha256sum
sha256sum plain | cut -d' ' -f1
md5sum src/sub/numbers.txt | sed 's/ .*\// /'

echo "== traps and background jobs"
trap 'echo "caught USR1"' USR1
kill -s USR1 $$
echo "after kill"
trap - USR1
(trap 'echo "subshell exit trap"' EXIT; echo "in subshell")
(exit 3) &
wait $!
echo "background job status: $?"
sleep 0.1 &
sleep 0.1 &
wait
echo "waited for two jobs"

echo "== done"
exit 0
