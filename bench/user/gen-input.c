/*
 * gen-input: the fixed inputs of bench/user/run, from a seeded generator (xorshift64*), so
 * every run and every machine sees the same bytes. Built natively by bench/user/run.
 *
 *     gen-input text BYTES SEED      words of a made-up language, Zipf-like, in lines
 *     gen-input numbers COUNT SEED   one signed integer per line, magnitudes of 1 to 12 digits
 *     gen-input records COUNT SEED   CSV lines: id,name,category,price,qty,code
 *
 * The text compresses somewhat like prose (gzip -6 about 2.7:1, bzip2 about 3.9:1): words of
 * a made-up vocabulary drawn by Zipf's law, some numbers and punctuation.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VOCAB   8192
#define WORDMAX 24

static uint64_t state;

static uint64_t next(void)
{
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * 0x2545f4914f6cdd1dull;
}

/* Uniform in [0, n). */
static uint32_t below(uint32_t n)
{
    return (uint32_t)(((next() >> 32) * (uint64_t)n) >> 32);
}

/* Skewed towards 0: the product of two uniforms, so low indexes are more frequent. */
static uint32_t skewed(uint32_t n)
{
    uint64_t a = below(1u << 16), b = below(1u << 16);
    return (uint32_t)(a * b * n >> 32);
}

/* Roughly Zipf's law over [0, n), n a power of two up to 2^16: a rank drawn log-uniformly
 * (an exponent uniform in 16ths, then uniform within the octave), as words are in prose. */
static uint32_t zipf(uint32_t n)
{
    int bits = 0;
    while ((1u << bits) < n)
        bits++;
    uint32_t e = below((uint32_t)bits * 16);
    uint32_t lo = 1u << (e / 16), span = lo * (e % 16 + 1) / 16;
    return (lo - 1 + below(span + 1)) % n;
}

static char vocab[VOCAB][WORDMAX];

static void make_vocab(void)
{
    static const char *const syll[] = {
        "ka", "lo",   "mi",  "ne",  "ru",  "sa",  "ti",  "vo",  "an",  "el",  "is",  "or",  "ul",
        "ba", "de",   "fi",  "go",  "hu",  "ja",  "ke",  "li",  "ma",  "no",  "pe",  "qua", "ri",
        "so", "tu",   "va",  "we",  "xi",  "yo",  "za",  "ch",  "st",  "tr",  "pl",  "gr",  "th",
        "sh", "en",   "ar",  "in",  "on",  "er",  "at",  "ing", "ion", "est", "ent", "al",  "ous",
        "ly", "ness", "dra", "bel", "cor", "dun", "fel", "gar", "hol", "mer", "nor", "pol",
    };
    const uint32_t nsyll = sizeof syll / sizeof syll[0];
    for (int i = 0; i < VOCAB; i++) {
        int n = 1 + (int)below(3) + (i > 256) + (i > 2048);
        vocab[i][0] = 0;
        for (int k = 0; k < n; k++) {
            const char *s = syll[below(nsyll)];
            if (strlen(vocab[i]) + strlen(s) < WORDMAX)
                strcat(vocab[i], s);
        }
    }
}

static void gen_text(uint64_t bytes)
{
    char line[1024];
    uint64_t done = 0;
    while (done < bytes) {
        size_t len = 0;
        int words = 4 + (int)below(13);
        for (int w = 0; w < words; w++) {
            const char *word = vocab[zipf(VOCAB)];
            char num[24];
            if (below(40) == 0) {
                snprintf(num, sizeof num, "%" PRIu32, below(below(7) == 0 ? 100000 : 1000));
                word = num;
            }
            if (w)
                line[len++] = ' ';
            size_t wl = strlen(word);
            memcpy(line + len, word, wl);
            if (w == 0 && line[len] >= 'a' && line[len] <= 'z')
                line[len] = (char)(line[len] - 'a' + 'A');
            len += wl;
            if (w + 1 < words && below(9) == 0)
                line[len++] = ',';
        }
        line[len++] = below(6) == 0 ? (below(2) ? '?' : '!') : '.';
        line[len++] = '\n';
        if (done + len > bytes)
            len = (size_t)(bytes - done);
        fwrite(line, 1, len, stdout);
        done += len;
    }
}

static void gen_numbers(uint64_t count)
{
    static const int64_t pow10[] = {10,         100,         1000,         10000,
                                    100000,     1000000,     10000000,     100000000,
                                    1000000000, 10000000000, 100000000000, 1000000000000};
    for (uint64_t i = 0; i < count; i++) {
        int64_t v = (int64_t)(next() >> 1) % pow10[below(12)];
        if (below(10) == 0)
            v = -v;
        printf("%" PRId64 "\n", v);
    }
}

static void gen_records(uint64_t count)
{
    for (uint64_t i = 0; i < count; i++) {
        uint32_t cents = below(4) ? below(10000) : below(5000000);
        printf("%" PRIu64 ",%s_%s,cat%" PRIu32 ",%" PRIu32 ".%02" PRIu32 ",%" PRIu32
               ",%c%c-%" PRIu32 "-%s\n",
               i + 1, vocab[skewed(VOCAB)], vocab[below(VOCAB)], skewed(64), cents / 100,
               cents % 100, 1 + skewed(1000), 'A' + (char)below(26), 'A' + (char)skewed(26),
               below(below(3) ? 10000 : 1000000), vocab[skewed(512)]);
    }
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: gen-input text|numbers|records SIZE SEED\n");
        return 2;
    }
    uint64_t n = strtoull(argv[2], NULL, 0);
    state = strtoull(argv[3], NULL, 0) * 0x9e3779b97f4a7c15ull + 1;
    static char buf[1 << 16];
    setvbuf(stdout, buf, _IOFBF, sizeof buf);
    make_vocab();
    if (!strcmp(argv[1], "text"))
        gen_text(n);
    else if (!strcmp(argv[1], "numbers"))
        gen_numbers(n);
    else if (!strcmp(argv[1], "records"))
        gen_records(n);
    else {
        fprintf(stderr, "gen-input: unknown kind '%s'\n", argv[1]);
        return 2;
    }
    return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
}
