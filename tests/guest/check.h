// The check-and-report helpers the guest programs share. Each check prints one line and
// counts itself in `checks` and, when it fails, in `failures`, which the program's summary
// line and exit status read. Include after the system headers (and after _GNU_SOURCE).
#ifndef PADDOCK_GUEST_CHECK_H
#define PADDOCK_GUEST_CHECK_H

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
