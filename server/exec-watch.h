/*
 * Starting one run's paddock-sandbox in its namespaces and watching it to its end
 * (exec-watch.c); exec-run.c prepares its command line and turns the outcome into a result.
 */
#ifndef SERVER_EXEC_WATCH_H
#define SERVER_EXEC_WATCH_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>

#include <glib.h>

#include "server/exec-run.h"
#include "server/sandbox.h"

/* A started helper: its pid, pidfd, and paddockd's ends of its pipes (non-blocking). */
typedef struct ExecProc {
    pid_t pid;
    int pidfd;
    int in_w, out_r, err_r, rep_r;
} ExecProc;

typedef struct ExecOutcome {
    /* Why paddockd ended the run (SANDBOX_STATUS_TIMEOUT, _OUTPUT_LIMIT, _CANCELLED, or _ERROR
     * when it could not watch it), or SANDBOX_N_STATUS when it ran its course. */
    SandboxStatus stop;
    GString *report;  /* what the helper wrote on fd 3 */
    siginfo_t exit;   /* how the helper ended */
    struct rusage ru; /* the helper's and everything it reaped */
    uint64_t wall_ms; /* from the start of the watch to the helper's end */
} ExecOutcome;

/* Starts the helper as argv with envp (argv[0] is env->helper). */
bool exec_start(const ExecEnv *env, char *const *argv, char *const *envp, ExecProc *p,
                GError **errp);

/*
 * Feeds spec's stdin, keeps stdout and stderr in res->out and res->err up to the output
 * limit (setting the truncated flags), reads the report into o->report, ends the run on
 * its wall clock, output limit or the runner's cancel, and reaps the helper. Closes p's fds.
 */
void exec_watch(const ExecEnv *env, ExecProc *p, const SandboxSpec *spec, SandboxResult *res,
                ExecOutcome *o);

#endif
