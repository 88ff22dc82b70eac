/*
 * Debug logging by category, chosen with PADDOCK_LOG=cat1,cat2 (e.g. in_asm,ir,out_asm).
 * A disabled category costs one load and a branch: call sites test log_enabled() before
 * building any output. The mask is read once at start-up and never changes after, so
 * reading it needs no lock.
 */
#ifndef VMCORE_LOG_H
#define VMCORE_LOG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef enum LogCategory {
    LOG_IN_ASM = 1 << 0,      /* guest instructions as translated */
    LOG_IR = 1 << 1,          /* IR before and after the optimizer */
    LOG_OUT_ASM = 1 << 2,     /* generated host code */
    LOG_EXEC = 1 << 3,        /* every TB executed */
    LOG_SYSCALL = 1 << 4,     /* guest system calls (user mode) */
    LOG_SIGNAL = 1 << 5,      /* guest signal delivery (user mode) */
    LOG_GUEST_ERROR = 1 << 6, /* odd guest behaviour worth knowing about */
    LOG_PERFMAP = 1 << 7,     /* /tmp/perf-PID.map: names translated code for `perf report` */
} LogCategory;

extern unsigned log_mask;

static inline bool log_enabled(LogCategory cat)
{
    return __builtin_expect((log_mask & cat) != 0, 0);
}

/*
 * Parses a PADDOCK_LOG-style list into log_mask. Returns false and names the unknown
 * category in *bad (caller frees) when one is not recognised; the others still apply.
 */
bool log_set_categories(const char *list, char **bad);
/* Applies $PADDOCK_LOG; an unknown category is reported on stderr once. */
void log_init_from_env(void);
/* Where log output goes: stderr, serialised between threads by flockfile. */
FILE *log_stream(void);
/* LOG_PERFMAP: names size bytes of generated code at start, in the map of the current pid. */
void log_perfmap(uintptr_t start, size_t size, const char *name);

#endif
