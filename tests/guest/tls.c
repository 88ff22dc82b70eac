// Thread-local storage in the executable, in one thread: initialised (.tdata) and zeroed
// (.tbss) variables, a large and an over-aligned one, and variables forced to each access
// model (local-exec, initial-exec, local-dynamic, global-dynamic: the static build relaxes
// them, the dynamic PIE build goes through the GOT and __tls_get_addr). Checks that every
// model sees the same object, that values persist across calls, that the thread pointer
// does not move, and that errno (itself thread-local in libc) works. Prints one line per
// check (never an address) and a summary; exits 1 if one fails.
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

#define NOINLINE __attribute__((noinline))

__thread int tdata_int = 42;
__thread long long tdata_ll = -1234567890123LL;
__thread const char *tdata_str = "thread-local string";
__thread double tdata_d = 2.5;
__thread int tbss_int;
__thread char tbss_big[64 * 1024];
__thread int tdata_arr[5] = {1, 2, 3, 4, 5};
__thread struct {
    short a;
    char name[12];
    long b;
} tdata_struct = {7, "seven", 77};
__thread int aligned_var __attribute__((aligned(256))) = 0x600d;
__thread char tdata_byte = 'x';

__thread int model_le __attribute__((tls_model("local-exec"))) = 100;
__thread int model_ie __attribute__((tls_model("initial-exec"))) = 200;
__thread int model_ld __attribute__((tls_model("local-dynamic"))) = 300;
__thread int model_gd __attribute__((tls_model("global-dynamic"))) = 400;
static __thread int static_ld __attribute__((tls_model("local-dynamic")));
static __thread int static_ld2 __attribute__((tls_model("local-dynamic"))) = 5;

// Each function reads or writes through one model; noinline so each is its own access.
static NOINLINE int *addr_le(void)
{
    return &model_le;
}
static NOINLINE int *addr_ie(void)
{
    return &model_ie;
}
static NOINLINE int *addr_ld(void)
{
    return &model_ld;
}
static NOINLINE int *addr_gd(void)
{
    return &model_gd;
}
static NOINLINE void bump_all(int n)
{
    model_le += n;
    model_ie += n;
    model_ld += n;
    model_gd += n;
    static_ld += n;
    static_ld2 += n;
}
static NOINLINE int sum_ld(void)
{
    // Two local-dynamic variables: one __tls_get_addr for the module, two offsets.
    return static_ld + static_ld2 + model_ld;
}

static NOINLINE void *thread_pointer(void)
{
    return __builtin_thread_pointer();
}

static NOINLINE int recurse(int depth)
{
    tbss_int++;
    if (depth == 0)
        return tbss_int;
    return recurse(depth - 1);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("== initial values\n");
    check("tdata int 42", tdata_int == 42);
    check("tdata long long", tdata_ll == -1234567890123LL);
    check("tdata string pointer", strcmp(tdata_str, "thread-local string") == 0);
    check("tdata double 2.5", tdata_d == 2.5);
    check("tdata array 1..5", tdata_arr[0] == 1 && tdata_arr[4] == 5);
    check("tdata struct",
          tdata_struct.a == 7 && strcmp(tdata_struct.name, "seven") == 0 && tdata_struct.b == 77);
    check("tdata char", tdata_byte == 'x');
    check("tbss int is zero", tbss_int == 0);
    int zero = 1;
    for (size_t i = 0; i < sizeof(tbss_big); i++)
        zero &= tbss_big[i] == 0;
    check("64 KiB tbss array is zero", zero);
    check("aligned(256) variable", aligned_var == 0x600d && ((uintptr_t)&aligned_var & 255) == 0);
    check("models start at 100 200 300 400",
          model_le == 100 && model_ie == 200 && model_ld == 300 && model_gd == 400);
    check("static local-dynamic 0 and 5", static_ld == 0 && static_ld2 == 5);

    printf("== writes and addresses\n");
    memset(tbss_big, 0x5a, sizeof(tbss_big));
    check("tbss array writable", tbss_big[0] == 0x5a && tbss_big[sizeof(tbss_big) - 1] == 0x5a);
    check("neighbours untouched by the array",
          tdata_int == 42 && tbss_int == 0 && aligned_var == 0x600d && tdata_byte == 'x');
    tdata_int = 43;
    tdata_arr[2] = 30;
    snprintf(tdata_struct.name, sizeof(tdata_struct.name), "%s", "eight");
    check("tdata writable",
          tdata_int == 43 && tdata_arr[2] == 30 && strcmp(tdata_struct.name, "eight") == 0);
    check("local-exec address stable", addr_le() == &model_le);
    check("initial-exec address stable", addr_ie() == &model_ie);
    check("local-dynamic address stable", addr_ld() == &model_ld);
    check("global-dynamic address stable", addr_gd() == &model_gd);
    bump_all(5);
    check("writes through each model land in one object",
          *addr_le() == 105 && *addr_ie() == 205 && *addr_ld() == 305 && *addr_gd() == 405);
    check("local-dynamic sum 5 + 10 + 305", sum_ld() == 320);
    *addr_gd() = 1;
    check("write through a pointer seen by the model", model_gd == 1);

    void *tp = thread_pointer();
    check("thread pointer is set", tp != NULL);
    check("recursion updates tbss", recurse(100) == 101);
    check("thread pointer unchanged", thread_pointer() == tp);
    char *lo = (char *)&model_le, *hi = (char *)&tbss_big[sizeof(tbss_big) - 1];
    check("TLS block near the thread pointer",
          (uintptr_t)(lo > (char *)tp ? lo - (char *)tp : (char *)tp - lo) < (1u << 20) &&
              (uintptr_t)(hi > (char *)tp ? hi - (char *)tp : (char *)tp - hi) < (1u << 20));

    printf("== errno\n");
    errno = 0;
    check("errno after a failed close is EBADF", close(-1) == -1 && errno == EBADF);
    int *e1 = &errno;
    errno = 0;
    check("&errno is stable and writable", e1 == &errno && errno == 0);

    printf("tls: %d checks, %d failed\n", checks, failures);
    return failures ? 1 : 0;
}
