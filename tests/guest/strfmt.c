// The C library's string, formatting and sorting code on the guest: glibc's optimised
// mem*/str* routines at every alignment and length (checked against byte loops), printf
// and snprintf conversions with flags/width/precision/length modifiers and truncation,
// sscanf, strtol/strtoul bases and overflow, qsort (ints, strings, structs; checked sorted
// and a permutation) and bsearch, and a few ctype/strtok/strstr cases. Prints formatted
// results and one line per check, then a summary; exits 1 if a check fails.
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check.h"

static uint32_t rng_state = 88172645u;
static uint32_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

static int sign(int v)
{
    return (v > 0) - (v < 0);
}

// mem*/str* at alignments 0..15 and lengths 0..200 against simple byte loops.
static void test_memstr(void)
{
    static unsigned char a[512], b[512], c[512];
    int copy_ok = 1, move_ok = 1, set_ok = 1, cmp_ok = 1, len_ok = 1, chr_ok = 1, scmp_ok = 1;

    printf("== mem/str functions at every alignment\n");
    for (int al = 0; al < 16; al++) {
        for (int bl = 0; bl < 16; bl += 5) {
            for (size_t n = 0; n <= 200; n += (n < 40 ? 1 : 13)) {
                for (size_t i = 0; i < sizeof(a); i++) {
                    a[i] = (unsigned char)rng();
                    b[i] = c[i] = (unsigned char)~a[i];
                }
                memcpy(b + bl, a + al, n);
                for (size_t i = 0; i < sizeof(b); i++) {
                    unsigned char want = (i >= (size_t)bl && i < bl + n) ? a[al + i - bl] : c[i];
                    copy_ok &= b[i] == want;
                }
                // Overlapping moves in both directions.
                memcpy(c, a, sizeof(a));
                memmove(c + al + 3, c + al, n);
                for (size_t i = 0; i < n; i++)
                    move_ok &= c[al + 3 + i] == a[al + i];
                memcpy(c, a, sizeof(a));
                memmove(c + al, c + al + 5, n);
                for (size_t i = 0; i < n; i++)
                    move_ok &= c[al + i] == a[al + 5 + i];

                memcpy(c, a, sizeof(a));
                memset(c + al, 0xa5, n);
                for (size_t i = 0; i < sizeof(c); i++)
                    set_ok &= c[i] == ((i >= (size_t)al && i < al + n) ? 0xa5 : a[i]);

                // memcmp: equal, then one byte differs at the end or the middle.
                memcpy(b + bl, a + al, n);
                cmp_ok &= memcmp(a + al, b + bl, n) == 0;
                if (n) {
                    size_t at = (n - 1) / (1 + (rng() & 1));
                    b[bl + at] = (unsigned char)(a[al + at] + 1);
                    int want = a[al + at] < b[bl + at] ? -1 : 1;
                    cmp_ok &= sign(memcmp(a + al, b + bl, n)) == want;
                }

                // strlen/strchr/strrchr/strcmp on a string of n non-zero bytes.
                for (size_t i = 0; i < n; i++)
                    a[al + i] = (unsigned char)(1 + rng() % 255);
                a[al + n] = 0;
                len_ok &= strlen((char *)a + al) == n;
                len_ok &= strnlen((char *)a + al, n / 2) == n / 2;
                if (n) {
                    unsigned char ch = a[al + n / 2];
                    char *first = NULL, *last = NULL;
                    for (size_t i = 0; i < n; i++) {
                        if (a[al + i] == ch) {
                            if (!first)
                                first = (char *)a + al + i;
                            last = (char *)a + al + i;
                        }
                    }
                    chr_ok &= strchr((char *)a + al, ch) == first;
                    chr_ok &= strrchr((char *)a + al, ch) == last;
                    chr_ok &= memchr(a + al, ch, n) == first;
                }
                chr_ok &= strchr((char *)a + al, 0) == (char *)a + al + n;
                strcpy((char *)b + bl, (char *)a + al);
                scmp_ok &= strcmp((char *)a + al, (char *)b + bl) == 0;
                if (n) {
                    b[bl + n - 1] = (unsigned char)(b[bl + n - 1] == 255 ? 1 : b[bl + n - 1] + 1);
                    int want = a[al + n - 1] < b[bl + n - 1] ? -1 : 1;
                    scmp_ok &= sign(strcmp((char *)a + al, (char *)b + bl)) == want;
                    scmp_ok &= strncmp((char *)a + al, (char *)b + bl, n - 1) == 0;
                }
            }
        }
    }
    check("memcpy", copy_ok);
    check("memmove (overlapping, both directions)", move_ok);
    check("memset", set_ok);
    check("memcmp", cmp_ok);
    check("strlen, strnlen", len_ok);
    check("strchr, strrchr, memchr", chr_ok);
    check("strcpy, strcmp, strncmp", scmp_ok);

    check("memcmp compares unsigned bytes", memcmp("\x80", "\x7f", 1) > 0);
    check("strcmp compares unsigned bytes", strcmp("\xff", "a") > 0);
    check("strcasecmp", strcasecmp("HeLLo", "hello") == 0 && strncasecmp("ABx", "aby", 2) == 0);
    check("strstr", strcmp(strstr("find the needle here", "needle"), "needle here") == 0 &&
                        strstr("abc", "abd") == NULL && strstr("abc", "") != NULL);
    check("memmem", memmem("aaab", 4, "ab", 2) != NULL);
    check("strspn, strcspn", strspn("aabbcx", "abc") == 5 && strcspn("hello, world", ",") == 5);
    char buf[64] = "a,b,,c";
    char *save, *tok;
    char out[32] = "";
    for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
        strcat(out, tok);
    check("strtok_r skips empty fields", strcmp(out, "abc") == 0);
    char *dup = strndup("truncate me", 8);
    check("strndup", dup && strcmp(dup, "truncate") == 0);
    free(dup);
    check("ctype", isalpha('a') && !isalpha('1') && isdigit('7') && isspace('\t') &&
                       toupper('q') == 'Q' && tolower('Z') == 'z' && isxdigit('F'));
}

static void test_printf(void)
{
    char buf[128];

    printf("== printf conversions\n");
    printf("[%d] [%i] [%u] [%x] [%X] [%o] [%c] [%s] [%%]\n", -42, 42, 42u, 0xbeefu, 0xbeefu, 8u,
           'z', "str");
    printf("[%5d] [%-5d] [%05d] [%+d] [% d] [%+5d] [%-+5d]\n", 42, 42, 42, 42, 42, -42, 42);
    printf("[%.3d] [%8.3d] [%-8.3d] [%.0d] [%#x] [%#o] [%#X]\n", 7, 7, 7, 0, 255u, 8u, 255u);
    printf("[%ld] [%lld] [%lu] [%llx] [%hd] [%hhd] [%hhu] [%zu] [%td] [%jd]\n", LONG_MIN, LLONG_MAX,
           ULONG_MAX, 0x123456789abcdefULL, (short)-32768, (signed char)-128, (unsigned char)255,
           (size_t)123, (ptrdiff_t)-5, (intmax_t)INTMAX_MIN);
    printf("[%" PRId64 "] [%" PRIu64 "] [%" PRIx32 "] [%08" PRIX64 "]\n", INT64_MIN, UINT64_MAX,
           UINT32_MAX, (uint64_t)0xabc);
    printf("[%10s] [%-10s] [%.2s] [%*d] [%-*d] [%.*s]\n", "right", "left", "truncated", 6, 1, 6, 2,
           3, "abcdef");
    printf("[%5c] [%-3c] [%s]\n", 'x', 'y', (char *)"");
    printf("[%1$s %2$s %1$s]\n", "pos", "args");
    int n1 = 0, n2 = 0;
    printf("count%n chars%n\n", &n1, &n2);
    check("%n counts", n1 == 5 && n2 == 11);

    const char *volatile digits = "0123456789";
    int r = snprintf(buf, 8, "%s", digits);
    check("snprintf truncates, returns full length", r == 10 && strcmp(buf, "0123456") == 0);
    r = snprintf(NULL, 0, "%d-%s", 12345, "xyz");
    check("snprintf(NULL, 0) measures", r == 9);
    r = snprintf(buf, sizeof(buf), "%08.3f|%-8.2e|%g|%g|%g", -3.14159, 12345.678, 1e-5, 123456789.0,
                 100000.0);
    printf("%s\n", buf);
    check("float formats", strcmp(buf, "-003.142|1.23e+04|1e-05|1.23457e+08|100000") == 0);
    char *dyn = NULL;
    r = asprintf(&dyn, "%s/%d/%c", "as", 99, '!');
    check("asprintf", r == 7 && dyn && strcmp(dyn, "as/99/!") == 0);
    free(dyn);
}

static void test_scan(void)
{
    printf("== sscanf and strtol\n");
    int a = 0, b = 0;
    char word[16] = "", rest[16] = "";
    unsigned x = 0;
    double d = 0;
    int got =
        sscanf("12 -7 hello 0x1f 2.5e3 tail", "%d %d %15s %x %lf %15s", &a, &b, word, &x, &d, rest);
    check("sscanf six conversions", got == 6 && a == 12 && b == -7 && strcmp(word, "hello") == 0 &&
                                        x == 0x1f && d == 2500.0 && strcmp(rest, "tail") == 0);
    char c1 = 0;
    int n = 0;
    got = sscanf("key=value;", "%15[^=]=%15[^;]%c%n", word, rest, &c1, &n);
    check("sscanf scan sets and %n", got == 3 && strcmp(word, "key") == 0 &&
                                         strcmp(rest, "value") == 0 && c1 == ';' && n == 10);
    check("sscanf stops at a mismatch", sscanf("10 apples", "%d pears", &a) == 1 && a == 10);
    check("sscanf on empty input is EOF", sscanf("", "%d", &a) == EOF);

    struct {
        const char *s;
        int base;
    } cases[] = {{"  -123xyz", 10},
                 {"0x7fffffffffffffff", 0},
                 {"0777", 0},
                 {"z", 36},
                 {"9223372036854775808", 10},
                 {"-9223372036854775809", 10},
                 {"101", 2},
                 {"", 10},
                 {"+", 10}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *end;
        errno = 0;
        long v = strtol(cases[i].s, &end, cases[i].base);
        printf("strtol(\"%s\", %d) = %ld end+%td%s\n", cases[i].s, cases[i].base, v,
               end - cases[i].s, errno == ERANGE ? " ERANGE" : "");
    }
    char *end;
    errno = 0;
    unsigned long u = strtoul("-1", &end, 10);
    printf("strtoul(\"-1\") = %lu errno %d\n", u, errno);
    errno = 0;
    unsigned long long ull = strtoull("18446744073709551616", &end, 10);
    printf("strtoull(2^64) = %llu%s\n", ull, errno == ERANGE ? " ERANGE" : "");
    check("atoi, atol", atoi("  42abc") == 42 && atol("-9") == -9);
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

struct rec {
    int key;
    int seq;
    char name[8];
};

static int cmp_rec(const void *a, const void *b)
{
    const struct rec *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->seq - y->seq; // total order: the result is deterministic
}

static void test_sort(void)
{
    enum { N = 20000 };
    static int v[N];
    static struct rec recs[N / 4];

    printf("== qsort and bsearch\n");
    long long sum_before = 0, sum_after = 0;
    for (int i = 0; i < N; i++) {
        v[i] = (int)(rng() % 100000) - 50000;
        sum_before += v[i];
    }
    qsort(v, N, sizeof(v[0]), cmp_int);
    int sorted = 1;
    for (int i = 0; i < N; i++) {
        sum_after += v[i];
        if (i)
            sorted &= v[i - 1] <= v[i];
    }
    check("20000 ints sorted, same sum", sorted && sum_before == sum_after);
    printf("min %d max %d median %d\n", v[0], v[N - 1], v[N / 2]);
    int key = v[1234];
    int *found = bsearch(&key, v, N, sizeof(v[0]), cmp_int);
    check("bsearch finds a present key", found && *found == key);
    key = 1000000;
    check("bsearch misses an absent key", bsearch(&key, v, N, sizeof(v[0]), cmp_int) == NULL);

    char *words[] = {"pear", "apple", "fig", "banana", "cherry", "date", "apple", "elderberry"};
    size_t nw = sizeof(words) / sizeof(words[0]);
    qsort(words, nw, sizeof(words[0]), cmp_str);
    char line[128] = "";
    for (size_t i = 0; i < nw; i++) {
        strcat(line, words[i]);
        strcat(line, i + 1 < nw ? " " : "");
    }
    printf("words: %s\n", line);
    check("strings sorted",
          strcmp(line, "apple apple banana cherry date elderberry fig pear") == 0);

    for (int i = 0; i < N / 4; i++) {
        recs[i].key = (int)(rng() % 50);
        recs[i].seq = i;
        snprintf(recs[i].name, sizeof(recs[i].name), "r%d", i % 1000);
    }
    qsort(recs, N / 4, sizeof(recs[0]), cmp_rec);
    int rec_ok = 1;
    unsigned long long h = 1469598103934665603ULL;
    for (int i = 0; i < N / 4; i++) {
        if (i)
            rec_ok &= cmp_rec(&recs[i - 1], &recs[i]) < 0;
        h = (h ^ (unsigned)recs[i].seq) * 1099511628211ULL;
    }
    check("5000 structs sorted by key then sequence", rec_ok);
    printf("struct order hash %016llx\n", h);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    test_memstr();
    test_printf();
    test_scan();
    test_sort();
    printf("strfmt: %d checks, %d failed\n", checks, failures);
    return failures ? 1 : 0;
}
