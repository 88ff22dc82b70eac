/*
 * Sandboxed runs of guest programs for /v1/exec: each run is its own process tree, so that
 * a hostile binary can harm neither paddockd nor the other runs.
 *
 * A run is started by cloning a child into new user, pid, mount, network, IPC, UTS and
 * cgroup namespaces which executes paddock-sandbox (server/exec-init.h): pid 1 of the run,
 * it builds a private root for the guest (a tmpfs with the program and files, the sysroot
 * read-only under an overlay, its own /proc, no host files but the emulator and its
 * libraries), then runs `paddock run` as an unprivileged user with rlimits, watches the
 * memory of the whole run, and reports. paddockd feeds stdin, collects stdout and stderr,
 * and enforces the wall clock and the output limit; ending pid 1 ends every process of the
 * run. Where the kernel refuses unprivileged namespaces, runs fall back to a session of
 * their own with the same rlimits and memory watch, a scratch directory for a root, and
 * no confinement of the filesystem or the network: sandbox_runner_protections() says
 * which applies, and paddockd logs it at start.
 *
 * The runner is paddockd's server-wide limit on concurrent runs: sandbox_run() queues its
 * runs and waits for them; the queue is bounded, so a caller never waits for more than
 * the runs ahead of it, each of which is bounded by its wall-clock limit.
 *
 *     SandboxRunner *r = sandbox_runner_new(&(SandboxConfig){.run_dir = dir}, &err);
 *     SandboxResult *res;
 *     if (sandbox_run(r, &spec, &res, 1, &err)) { ...; sandbox_result_free(res); }
 */
#ifndef SERVER_SANDBOX_H
#define SERVER_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <glib.h>

#define SANDBOX_ERROR sandbox_error_quark()
GQuark sandbox_error_quark(void);

typedef enum SandboxError {
    SANDBOX_ERROR_SETUP,    /* the runner cannot start (helper or emulator missing) */
    SANDBOX_ERROR_BUSY,     /* the queue cannot take these runs now */
    SANDBOX_ERROR_STOPPING, /* the runner is stopping */
    SANDBOX_ERROR_SYSROOT,  /* a sysroot's tar cannot be unpacked */
    SANDBOX_ERROR_N_CODES
} SandboxError;

typedef enum SandboxStatus {
    SANDBOX_STATUS_EXITED,       /* the guest exited: exit_code */
    SANDBOX_STATUS_SIGNALED,     /* the guest died of a signal: signal */
    SANDBOX_STATUS_TIMEOUT,      /* the wall-clock or the instruction limit passed */
    SANDBOX_STATUS_MEMORY_LIMIT, /* resident memory plus scratch files passed memory_mib */
    SANDBOX_STATUS_OUTPUT_LIMIT, /* stdout plus stderr passed output_bytes */
    SANDBOX_STATUS_CANCELLED,    /* paddockd stopped while the run was queued or running */
    SANDBOX_STATUS_ERROR,        /* the run could not be set up: message */
    SANDBOX_N_STATUS
} SandboxStatus;

/* "exited", "memory_limit", … as the API spells them. */
const char *sandbox_status_name(SandboxStatus status);

typedef struct SandboxLimits {
    uint64_t wall_ms;      /* from the start of the run to the end of its last process */
    uint64_t memory_mib;   /* the guest's resident memory and files (see sandbox.c) */
    uint64_t output_bytes; /* stdout and stderr together */
    uint64_t instructions; /* guest instructions of every process of the run; 0: no limit */
} SandboxLimits;

/* Defaults and ceilings of the limits (a request may lower or raise up to the ceiling). */
#define SANDBOX_WALL_MS_DEFAULT      10000
#define SANDBOX_WALL_MS_MAX          600000
#define SANDBOX_MEMORY_MIB_DEFAULT   256
#define SANDBOX_MEMORY_MIB_MIN       16
#define SANDBOX_MEMORY_MIB_MAX       16384
#define SANDBOX_OUTPUT_BYTES_DEFAULT (1u << 20)
#define SANDBOX_OUTPUT_BYTES_MAX     (64u << 20)

/* The guest's PATH when the request gives none. */
#define SANDBOX_DEFAULT_PATH "/usr/local/bin:/usr/bin:/bin"
/* Where the program is in the guest's root. */
#define SANDBOX_PROGRAM_PATH "/program"

typedef struct SandboxFile {
    char *guest_path; /* absolute, without "." or ".." components (sandbox_guest_path_valid) */
    char *host_path;  /* the file copied there */
} SandboxFile;

/* One run to do; every member is owned (sandbox_spec_free). */
typedef struct SandboxSpec {
    char *program;      /* host path of the program */
    char *arch;         /* NULL: from the program's ELF header */
    char *argv0;        /* argv[0] as the guest sees it */
    GPtrArray *args;    /* char *: argv[1…] */
    GPtrArray *env;     /* char *: "NAME=value"; SANDBOX_DEFAULT_PATH added without PATH */
    GBytes *stdin_data; /* NULL: empty stdin */
    char *sysroot;      /* host directory of an unpacked sysroot, or NULL */
    GArray *files;      /* SandboxFile, placed after the program */
    SandboxLimits limits;
} SandboxSpec;

SandboxSpec *sandbox_spec_new(void);
void sandbox_spec_free(SandboxSpec *spec);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SandboxSpec, sandbox_spec_free)

/* True when path is absolute, not "/", of at most PATH_MAX-1 bytes, and has no empty,
 * "." or ".." component, no control character, and no component over NAME_MAX. */
bool sandbox_guest_path_valid(const char *path);

typedef struct SandboxResult {
    SandboxStatus status;
    int exit_code;   /* SANDBOX_STATUS_EXITED */
    int signal;      /* SANDBOX_STATUS_SIGNALED */
    GByteArray *out; /* stdout as kept (at most output_bytes with err) */
    GByteArray *err; /* stderr as kept */
    bool out_truncated, err_truncated;
    uint64_t wall_ms;
    uint64_t cpu_ms;     /* user + system time of every process of the run */
    int64_t max_rss_kib; /* largest peak resident set of one process; -1 when unknown */
    /* Guest instructions executed by every process of the run (server/exec-init.h says how
     * exact); -1 when unknown (the run did not start, or was cancelled before). */
    int64_t guest_instructions;
    bool instruction_limit; /* SANDBOX_STATUS_TIMEOUT: the instruction limit, not the clock */
    const char *arch;    /* the guest's architecture (static), or NULL when unknown */
    char *message;       /* SANDBOX_STATUS_ERROR: what went wrong */
} SandboxResult;

void sandbox_result_free(SandboxResult *res);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SandboxResult, sandbox_result_free)

typedef struct SandboxConfig {
    const char *run_dir;     /* where runs are rooted: the pool's run/ directory (created) */
    const char *sysroot_dir; /* unpacked sysroots: the pool's sysroots/ directory (created) */
    const char *helper;      /* paddock-sandbox; NULL: beside this executable */
    const char *emulator;    /* paddock; NULL: beside this executable, or ../cli/paddock */
    unsigned max_running;    /* concurrent runs; 0: two per CPU */
    unsigned max_queued;     /* runs waiting for a slot; 0: 1024 */
    bool no_namespaces;      /* the fallback even where namespaces work (tests) */
    uid_t guest_uid;         /* paddockd as root: the host uid and gid guests run as; */
    gid_t guest_gid;         /* 0: 65534 (nobody) */
} SandboxConfig;

typedef struct SandboxRunner SandboxRunner;

/* Finds the helper and the emulator, probes the namespaces, starts the workers. */
SandboxRunner *sandbox_runner_new(const SandboxConfig *cfg, GError **errp);
/* Cancels what is queued or running (reported as cancelled), waits for it, frees. */
void sandbox_runner_free(SandboxRunner *r);
/* Ends every queued and running run as cancelled; later sandbox_run() calls fail. */
void sandbox_runner_cancel(SandboxRunner *r);

/* The protections in effect, as one line for the log. */
const char *sandbox_runner_protections(const SandboxRunner *r);
bool sandbox_runner_namespaces(const SandboxRunner *r);
/* Runs waiting for a slot, and runs in progress (for the metrics). */
unsigned sandbox_runner_queued(SandboxRunner *r);
unsigned sandbox_runner_running(SandboxRunner *r);

/*
 * The directory of the sysroot in the tar file at tar, named digest (its content's
 * digest): unpacked under sysroot_dir the first time (by paddock-sandbox --unpack-tar, in
 * a process of its own: the tar is untrusted input), reused after. Members with absolute
 * paths or "..", device nodes and FIFOs are refused (SANDBOX_ERROR_SYSROOT); symlinks are
 * kept as they are, since runs resolve them inside the guest's root.
 */
char *sandbox_sysroot(SandboxRunner *r, const char *digest, const char *tar, GError **errp);
/* Every successful sandbox_sysroot is paired with a release once its run has ended. */
void sandbox_sysroot_release(SandboxRunner *r, const char *digest);
/* digest's blob is gone: its unpacked tree is removed now, or when the last run holding it
 * lets go (a new upload of the same tar before then keeps it). */
void sandbox_sysroot_forget(SandboxRunner *r, const char *digest);

/*
 * Runs specs[0..n) concurrently under the runner's limit and waits until every one has
 * ended; results[i] is specs[i]'s. Returns false (nothing run, results untouched) with
 * SANDBOX_ERROR_BUSY when the queue cannot take n more runs, or SANDBOX_ERROR_STOPPING.
 */
bool sandbox_run(SandboxRunner *r, SandboxSpec *const *specs, SandboxResult **results, size_t n,
                 GError **errp);

#endif
