/*
 * One sandboxed run, from paddockd's side (the runner in sandbox.c queues them): the
 * command line of paddock-sandbox, the clone into namespaces, stdin, stdout and stderr,
 * the wall clock and output limits, the reaping, and the result.
 */
#ifndef SERVER_EXEC_RUN_H
#define SERVER_EXEC_RUN_H

#include <stdbool.h>
#include <sys/types.h>

#include <glib.h>

#include "server/sandbox.h"

/* What every run of a runner shares; read-only while runs are going. */
typedef struct ExecEnv {
    char *helper;   /* paddock-sandbox */
    char *emulator; /* paddock */
    char *run_dir;  /* the mount point of the runs' roots; the fallback's scratch dirs */
    bool namespaces;
    bool privileged; /* paddockd is root: it maps the guest to guest_uid/gid */
    uid_t guest_uid; /* privileged: the host ids guests run as */
    gid_t guest_gid;
    int cancel_fd; /* an eventfd: readable once the runner is stopping */
} ExecEnv;

/* Runs spec and fills res (every field; res->out and res->err allocated). */
void exec_run(const ExecEnv *env, const SandboxSpec *spec, SandboxResult *res);

/* The scratch directories of the fallback, and the sysroots' temporary directories. */
#define EXEC_SCRATCH_PREFIX "run-"
#define EXEC_UNPACK_PREFIX  ".unpack-"

/* Removes the tree at path, without following symlinks; false with errno. */
bool exec_remove_tree(const char *path);
/* Removes the entries of dir named prefix… (left by a paddockd that died). */
bool exec_clear_dir(const char *dir, const char *prefix, GError **errp);

/* The directory of tar unpacked in sysroot_dir/<digest's hex> (exec-sysroot.c); callers
 * hold the runner's sysroot lock. */
char *exec_sysroot_unpack(const ExecEnv *env, const char *sysroot_dir, const char *digest,
                          const char *tar, GError **errp);
/* Removes digest's unpacked sysroot, if there is one (a failure is only logged); callers
 * hold the runner's sysroot lock. */
void exec_sysroot_remove(const char *sysroot_dir, const char *digest);

/* Builds a root with env (namespaces or not) without running anything; true when the
 * helper reports it ready. */
bool exec_probe(const ExecEnv *env, GError **errp);

#endif
