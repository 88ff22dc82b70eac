# Run by Debian's gawk from a sysroot of Debian packages, as `gawk -M -f gawk-test.awk
# gawk-input.txt`: field splitting, gawk's sorted array traversal, gensub and match with
# captures, bit functions and strtonum in libc, then arbitrary-precision integers and floats
# (-M: GMP and MPFR). Every result is fixed by the input and by arithmetic, not by the gawk
# version. Compared with Debian's qemu-riscv64 running the same command.
BEGIN {
    FS = ","
}

/^#/ { next }

{
    n++
    mass[$1] = $4
    number[$2] = $3 + 0
    total += $4
    heavy += ($3 > 20)
    if (match($1, /^([a-z])[a-z]*(on|um)$/, m))
        endings[m[2]] = endings[m[2]] " " m[1]
}

END {
    printf "elements %d, heavy %d, total mass %.3f\n", n, heavy, total
    PROCINFO["sorted_in"] = "@val_num_desc"
    i = 0
    for (e in mass) {
        if (++i > 3)
            break
        printf "heaviest %d: %-8s %8.3f\n", i, e, mass[e]
    }
    PROCINFO["sorted_in"] = "@ind_str_asc"
    line = ""
    for (s in number)
        line = line sprintf("%s=%d ", s, number[s])
    print gensub(/ $/, "", 1, line)
    for (k in endings)
        printf "ending -%s:%s\n", k, endings[k]
    print gensub(/([a-z]+)-([a-z]+)/, "\\2-\\1", "g", "left-right up-down")
    print toupper(substr("arbitrary precision", 1, 9)), length("riscv64"), index("emulator", "la")
    printf "%d %d %d %d %d\n", and(0xF0, 0x3C), or(0xF0, 0x0F), xor(255, 170), lshift(1, 40), rshift(1024, 3)
    printf "%d %d %.4f\n", strtonum("0x1F"), strtonum("017"), strtonum("1.5e2") / 7
    nsplit = split("a1b22c333d", parts, /[0-9]+/, seps)
    printf "split %d: %s %s %s %s | %s %s %s\n", nsplit, parts[1], parts[2], parts[3], parts[4], seps[1], seps[2], seps[3]

    # Arbitrary precision (-M).
    print "2^256 =", 2^256
    f = 1
    for (i = 2; i <= 60; i++)
        f *= i
    print "60! =", f
    a = 0; b = 1
    for (i = 0; i < 300; i++) {
        t = a + b; a = b; b = t
    }
    print "fib(300) =", a
    print "60! / 2^56 =", int(f / 2^56), "remainder", f % 2^56
    r = 1; base = 7; e = 560; mod = 561
    while (e > 0) {
        if (e % 2)
            r = (r * base) % mod
        base = (base * base) % mod
        e = int(e / 2)
    }
    print "7^560 mod 561 =", r
    PREC = 256
    printf "sqrt(2) = %.70f\n", sqrt(2)
    printf "1/7     = %.70f\n", 1 / 7
    printf "exp(1)  = %.60f\n", exp(1)
    printf "atan2(0,-1) = %.60f\n", atan2(0, -1)
}
