/*
 * paddock-sandbox, the init process of one /v1/exec run, and what paddockd and it agree on.
 *
 * paddockd clones a child into new user, pid, mount, network, IPC, UTS and cgroup
 * namespaces (or, where the kernel refuses, into nothing but a new session), and that
 * child executes paddock-sandbox at once. Why a separate executable rather than code run
 * in the clone child: the child of a multithreaded server may only make async-signal-safe
 * calls, and a process that executes a fresh image carries none of the server's memory,
 * so the resource usage it reports (ru_maxrss above all) is the guest's, not paddockd's.
 *
 * paddock-sandbox, as pid 1 of the run's pid namespace, builds the new root (the guest's
 * own: a private tmpfs with the guest's files and a few /dev nodes, the read-only sysroot
 * under an overlay; around it /proc and read-only binds of the emulator and its host
 * libraries, which the emulator confines the guest away from with --root), pivots into it,
 * starts the emulator as an unprivileged user with rlimits, watches the memory of every
 * process of the run, reaps them all, and writes one report on fd 3. Its stdin, stdout and
 * stderr (fds 0-2) are the guest's; it never writes to them.
 *
 *     paddock-sandbox [OPTIONS] -- EMULATOR ARGS...      (options: exec-init.c)
 *     paddock-sandbox --unpack-tar TAR DIR                (a sysroot: exec-tar.c)
 *
 * The report, one "key value" line each, in this order, written once at the end:
 *     result ready|exited|signaled|memory_limit|instruction_limit|killed|error
 *     wstatus N       the emulator's wait status (exited, signaled)
 *     cpu_us N        user + system time of every process of the run
 *     maxrss_kib N    the largest peak resident set of one process of the run
 *     instructions N  guest instructions every process of the run executed
 *     message TEXT    what failed (error); a single line
 * "ready" answers --probe (the root was built). "killed" answers SIGTERM from paddockd
 * (timeout, output limit, cancel): the run was stopped from outside, which knows why.
 * "instruction_limit": the run spent the instructions --insn-limit allowed.
 *
 * Guest instructions are counted in every run: paddock-sandbox makes the run's shared
 * counter (a memfd holding an InsnPool, accel/tcg/icount.h) and hands it to the emulator
 * as fd EXEC_INSN_COUNT_FD, which paddockd's emulator command line names
 * (`--insn-count-fd`); every emulator process of the run counts into it. When the limit is
 * spent the processes end as killed by SIGXCPU, and the watch ends whatever is left. The
 * count misses the last chunk (up to a million instructions per thread) of processes
 * killed from outside: by paddockd, the memory watch, SIGKILL, or a default-action signal.
 */
#ifndef SERVER_EXEC_INIT_H
#define SERVER_EXEC_INIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

/* Where the guest's root is in the sandbox's mount namespace, as the emulator sees it: the
 * emulator runs with `--root` it, and the guest sees nothing of the skeleton around it. */
#define EXEC_GUEST_DIR "/guest"
/* Where the emulator is there, outside the guest's root. */
#define EXEC_EMULATOR_PATH "/.paddock/paddock"
/* The fd the report is written to. */
#define EXEC_REPORT_FD 3
/* The fd the emulator finds the run's instruction counter on. */
#define EXEC_INSN_COUNT_FD 4
/* The fd the emulator reads the guest's environment from (--guest-env-fd): paddock-sandbox
 * and the emulator themselves run with an empty one, whatever the request asked for. */
#define EXEC_GUEST_ENV_FD 5
/* paddock-sandbox's exit status when it could not even write its report. */
#define EXEC_INIT_EXIT_FAILED 125

/* ---- paddock-sandbox's own parts (not used by paddockd) ---- */

typedef struct ExecPlace {
    const char *guest; /* absolute guest path, validated by paddockd */
    const char *host;  /* the file copied (or bound) there */
    bool bind;         /* --bind-place: bound read-only where the sandbox can */
} ExecPlace;

typedef struct ExecRlimit {
    int resource;
    rlim_t value;
} ExecRlimit;

typedef struct ExecInitPlan {
    bool namespaces;           /* false: --root, no namespaces (the fallback) */
    bool probe;                /* build the root, report, exit: no emulator */
    bool nested_userns;        /* run the emulator as uid 1000 of a nested user namespace */
    const char *mount_on;      /* namespaces: the directory the new root is mounted on */
    const char *root;          /* fallback: the guest's root directory */
    const char *sysroot;       /* namespaces: the overlay's read-only lower layer, or NULL */
    uint64_t scratch_bytes;    /* namespaces: size of the guest's writable tmpfs */
    uint64_t memory_bytes;     /* resident memory + scratch files allowed; 0: unwatched */
    uint64_t insn_limit;       /* guest instructions allowed; 0: counted without a limit */
    long guest_uid, guest_gid; /* the emulator's ids (-1: keep); chown target of the root */
    ExecPlace *places;
    size_t n_places;
    char **guest_env; /* --env: the guest's environment, for the emulator's EXEC_GUEST_ENV_FD */
    size_t n_guest_env;
    ExecRlimit rlimits[8];
    size_t n_rlimits;
    char **emu_argv; /* NULL-terminated; emu_argv[0] is the emulator's host path, which
                        becomes EXEC_EMULATOR_PATH in the namespace sandbox */
} ExecInitPlan;

/* A failure: what was being done and why, for the report's message line. */
typedef struct ExecInitError {
    char message[512];
} ExecInitError;

/* Sets err to fmt... followed by ": " and strerror(errno); returns false. */
bool exec_init_fail(ExecInitError *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Builds the new root, pivots into it and enters the guest's root, EXEC_GUEST_DIR (with
 * namespaces), or fills the guest's root directory and enters it (fallback): the emulator
 * starts there, which `--root` takes as the guest's "/". The caller is pid 1
 * of fresh namespaces (or a session leader) and nothing of the guest runs yet.
 */
bool exec_root_build(const ExecInitPlan *plan, ExecInitError *err);
/* Bytes the guest's files use in its writable layer (namespaces), or 0. */
uint64_t exec_root_scratch_used(const ExecInitPlan *plan);

/*
 * Opens (O_PATH) the directory path below rootfd, resolved in root (RESOLVE_IN_ROOT:
 * symlinks and ".." stay inside), creating the missing components (0755); "" is rootfd
 * itself. Returns the fd or -1 with err set.
 */
int exec_root_mkdirs(int rootfd, const char *path, ExecInitError *err);

/* --unpack-tar: the archive tar unpacked into the directory dir (exec-tar.c). */
bool exec_tar_unpack(const char *tar, const char *dir, ExecInitError *err);

#endif
