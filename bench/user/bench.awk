# The awk workload of bench/user/run, over records.csv (id,name,category,price,qty,code):
# per-category sums, means, deviations and extremes in floating point, and string work
# (case mapping, substr, index, split, gsub, sprintf, regex matches, associative arrays).
# Only +, -, *, /, % and int() (Debian's busybox awk has no sqrt: root() is Newton's method
# with a fixed number of steps), so results are bit-identical on every host. Output order
# never depends on the order of `for (k in a)`.
function root(x,    r, i) {
    if (x <= 0) return 0
    r = x > 1 ? x / 2 : 1
    for (i = 0; i < 24; i++) r = (r + x / r) / 2
    return r
}
BEGIN { FS = "," }
{
    price = $4 + 0
    qty = $5 + 0
    amount = price * qty
    c = $3
    n[c]++
    sum[c] += amount
    sq[c] += amount * amount
    if (!(c in lo) || amount < lo[c]) lo[c] = amount
    if (!(c in hi) || amount > hi[c]) hi[c] = amount
    acc += root(amount + 1) / (qty + 1)
    if (qty > 1) geo += (amount / qty - price) * 1e6

    name = toupper(substr($2, 1, 1)) tolower(substr($2, 2))
    u = index(name, "_")
    first = substr(name, 1, u - 1)
    second = substr(name, u + 1)
    firsts[first]++
    pairs[length(first) "x" length(second)]++
    if (second ~ /^(ka|lo|mi)/) kalomi++
    if (name ~ /(an|el|is)[a-z]*$/) suffix++

    code = $6
    parts = split(code, p, "-")
    shape = code
    gsub(/[0-9]/, "9", shape)
    gsub(/[A-Z]/, "A", shape)
    shapes[shape]++
    tag = sprintf("%s|%08.2f|%5d|%s", c, price, qty, p[3])
    taglen += length(tag)
    chk = (chk * 131 + length(tag) * 7 + parts + qty) % 1000003
    if (int(price) % 7 == 3) sevens += price
}
END {
    for (i = 0; i < 64; i++) {
        c = "cat" i
        if (!(c in n)) continue
        mean = sum[c] / n[c]
        var = sq[c] / n[c] - mean * mean
        printf "%-6s %7d sum %.2f mean %.4f sd %.4f min %.2f max %.2f\n", c, n[c], sum[c], mean,
            root(var), lo[c], hi[c]
    }
    for (k in firsts) { nf++; fs = (fs + firsts[k] * length(k)) % 1000003 }
    for (k in pairs) { np++; ps = (ps + pairs[k] * (length(k) + 1)) % 1000003 }
    for (k in shapes) { ns++; ss = (ss + shapes[k] * length(k)) % 1000003 }
    printf "first names %d (%d), length pairs %d (%d), code shapes %d (%d)\n", nf, fs, np, ps, ns, ss
    printf "ka/lo/mi %d, suffixed %d, sevens %.2f, tags %d, check %d\n", kalomi, suffix, sevens, taglen, chk
    printf "acc %.6f geo %.6f\n", acc, geo
}
