/* PADDOCK_LOG parsing; see log.h. */
#include "vmcore/log.h"

#include <errno.h>
#include <glib.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

unsigned log_mask;

static const struct {
    const char *name;
    LogCategory cat;
} log_names[] = {
    {"in_asm", LOG_IN_ASM},
    {"ir", LOG_IR},
    {"out_asm", LOG_OUT_ASM},
    {"exec", LOG_EXEC},
    {"syscall", LOG_SYSCALL},
    {"signal", LOG_SIGNAL},
    {"guest_errors", LOG_GUEST_ERROR},
    {"perfmap", LOG_PERFMAP},
};

static bool log_lookup(const char *name, unsigned *mask)
{
    for (size_t i = 0; i < G_N_ELEMENTS(log_names); i++) {
        if (!strcmp(name, log_names[i].name)) {
            *mask |= log_names[i].cat;
            return true;
        }
    }
    return false;
}

bool log_set_categories(const char *list, char **bad)
{
    g_auto(GStrv) parts = g_strsplit(list, ",", -1);
    unsigned mask = 0;
    bool ok = true;
    *bad = NULL;
    for (char **p = parts; *p; p++) {
        g_strstrip(*p);
        if (**p && !log_lookup(*p, &mask) && ok) {
            *bad = g_strdup(*p);
            ok = false;
        }
    }
    log_mask = mask;
    return ok;
}

void log_init_from_env(void)
{
    const char *env = g_getenv("PADDOCK_LOG");
    g_autofree char *bad = NULL;
    if (env && !log_set_categories(env, &bad)) {
        fprintf(stderr,
                "paddock: PADDOCK_LOG: unknown category '%s' (known: in_asm, ir, "
                "out_asm, exec, syscall, signal, guest_errors, perfmap)\n",
                bad);
    }
}

FILE *log_stream(void)
{
    return stderr;
}

/*
 * perf's convention for JIT code: /tmp/perf-PID.map, one "START SIZE NAME" line (hex) per
 * region. The file follows the pid, since a forked guest translates code of its own.
 */
void log_perfmap(uintptr_t start, size_t size, const char *name)
{
    static GMutex lock;
    static FILE *map;
    static pid_t map_pid;
    g_mutex_lock(&lock);
    if (map_pid != getpid()) {
        g_autofree char *path = g_strdup_printf("/tmp/perf-%d.map", (int)getpid());
        map = fopen(path, "a");
        if (!map) {
            fprintf(stderr, "paddock: PADDOCK_LOG=perfmap: %s: %s\n", path, g_strerror(errno));
            log_mask &= ~(unsigned)LOG_PERFMAP;
        }
        map_pid = getpid();
    }
    if (map) {
        fprintf(map, "%" PRIxPTR " %zx %s\n", start, size, name);
        fflush(map);
    }
    g_mutex_unlock(&lock);
}
