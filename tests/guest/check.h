// The check-and-report helpers the guest programs share. Each check prints one line and
// counts itself in `checks` and, when it fails, in `failures`, which the program's summary
// line and exit status read. Include after the system headers (and after _GNU_SOURCE).
#ifndef PADDOCK_GUEST_CHECK_H
#define PADDOCK_GUEST_CHECK_H

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int checks, failures;

// "what   ok" or "what   FAIL", what padded to 52 columns.
static inline void check(const char *what, int ok)
{
    checks++;
    printf("%-52s %s\n", what, ok ? "ok" : "FAIL");
    if (!ok)
        failures++;
}

// "what: got", followed by " (WRONG)" when got is not want.
static inline void check_eq(const char *what, long got, long want)
{
    checks++;
    printf("%s: %ld%s\n", what, got, got == want ? "" : " (WRONG)");
    if (got != want)
        failures++;
}

// The symbolic name of errno value e: "0" for none, "other" for one not listed here.
static inline const char *errno_name(int e)
{
    static const struct {
        int e;
        const char *name;
    } names[] = {{0, "0"},
                 {EEXIST, "EEXIST"},
                 {ENOENT, "ENOENT"},
                 {ENOTDIR, "ENOTDIR"},
                 {EISDIR, "EISDIR"},
                 {ENOTEMPTY, "ENOTEMPTY"},
                 {EBADF, "EBADF"},
                 {EINVAL, "EINVAL"},
                 {ELOOP, "ELOOP"},
                 {EAGAIN, "EAGAIN"},
                 {EACCES, "EACCES"},
                 {ESPIPE, "ESPIPE"},
                 {EPIPE, "EPIPE"},
                 {ENAMETOOLONG, "ENAMETOOLONG"},
                 {EFBIG, "EFBIG"},
                 {EXDEV, "EXDEV"},
                 {EBUSY, "EBUSY"},
                 {ERANGE, "ERANGE"},
                 {ENOMEM, "ENOMEM"},
                 {EFAULT, "EFAULT"}};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (names[i].e == e)
            return names[i].name;
    return "other";
}

// A call expected to fail (rc < 0) with errno want: "what -> ENAME" (or "-> success").
static inline void check_err(const char *what, long rc, int want)
{
    char line[160];
    int e = errno;
    snprintf(line, sizeof(line), "%s -> %s", what, rc < 0 ? errno_name(e) : "success");
    check(line, rc < 0 && e == want);
}

// Installs fn as sig's SA_SIGINFO handler, with flags added and nothing else blocked in it;
// exits with status 2 if sigaction fails.
static inline void on(int sig, void (*fn)(int, siginfo_t *, void *), int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = fn;
    sa.sa_flags = SA_SIGINFO | flags;
    sigemptyset(&sa.sa_mask);
    if (sigaction(sig, &sa, NULL) != 0) {
        perror("sigaction");
        exit(2);
    }
}

#endif // PADDOCK_GUEST_CHECK_H
