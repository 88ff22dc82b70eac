/*
 * `paddock run [--arch ARCH] [-L SYSROOT | --root DIR] [--argv0 NAME] [--] PROG [ARGS...]`:
 * runs a Linux program of another architecture in this process, like qemu-riscv64. With
 * --root, DIR is the guest's "/" and nothing outside it can be reached (user/fs-root.h);
 * PROG is then a guest path, as chroot's command is. Options end at PROG,
 * so the program's own options pass through untouched. Invoked as paddock-<arch> (a link
 * to paddock, as binfmt_misc would call it), paddock behaves as `paddock run --arch <arch>`.
 * A guest's execve of a guest program runs `paddock run` again with --argv0, so that the
 * new program sees the argv[0] it was given rather than its path, and with
 * --insn-count-fd when instructions are counted (--insn-*: user/icount.c), so that the
 * whole process tree counts against one shared counter, and with --guest-env-fd: the
 * guest's environment goes by fd, never into the host process's own environment, where
 * the host's dynamic loader would act on LD_PRELOAD and its kind (vmcore/env-block.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "user/run.h"
#include "vmcore/env-block.h"

/* Exit statuses of our own, as a shell would give them for a program it cannot run. */
enum {
    RUN_EXIT_SETUP = 1,     /* the emulator could not set itself up */
    RUN_EXIT_USAGE = 2,     /* bad arguments */
    RUN_EXIT_NOEXEC = 126,  /* PROG cannot be executed: not ELF, wrong arch or type */
    RUN_EXIT_NOTFOUND = 127 /* PROG or its interpreter does not exist */
};

static void run_usage(FILE *out, const char *argv0)
{
    const char *me = strcmp(argv0, "run") ? argv0 : "paddock run";
    fprintf(out,
            "usage: %s [--arch ARCH] [-L SYSROOT | --root DIR] [--argv0 NAME] [--] PROG "
            "[ARGS...]\n"
            "       (and --insn-limit N, --insn-count-fd FD, --insn-report, --guest-env-fd FD)\n\n"
            "Runs the Linux program PROG of another architecture (%s) on this host.\n\n"
            "  --arch ARCH   PROG's architecture (default: from its ELF header)\n"
            "  -L SYSROOT    look absolute paths (the dynamic loader, libraries) up under\n"
            "                SYSROOT first, as qemu-user's -L does\n"
            "  --root DIR    confine PROG to DIR, its \"/\": every path it uses, PROG's own\n"
            "                and its interpreter's included, is looked up inside DIR, and\n"
            "                \"..\" and symlinks cannot leave it; the working directory\n"
            "                starts at \"/\" unless already inside DIR; not with -L\n"
            "  --argv0 NAME  argv[0] as PROG sees it (default: PROG; may be empty)\n"
            "  --insn-limit N      stop after N guest instructions, counted over PROG and\n"
            "                      every process it starts: they end as killed by SIGXCPU\n"
            "  --insn-count-fd FD  count in the shared file open at FD (a memfd of at\n"
            "                      least 32 bytes: the total at offset 0, the limit at 8,\n"
            "                      as 64-bit host-order integers; 0 for no limit)\n"
            "  --insn-report       print \"paddock: N guest instructions\" on stderr at exit\n"
            "  --guest-env-fd FD   PROG's environment, read from FD (NUL-terminated strings);\n"
            "                      default: paddock's own\n\n"
            "exit status: PROG's own; 128+N when PROG dies of signal N (152, SIGXCPU, when\n"
            "the instruction limit ends it); %d when PROG cannot be executed (not ELF,\n"
            "another architecture, not an executable); %d when PROG\n"
            "or its interpreter is not found; %d for a usage error (a --root that is not a\n"
            "directory one can enter too); %d when the emulator cannot set itself up.\n",
            me, user_arch_names(), RUN_EXIT_NOEXEC, RUN_EXIT_NOTFOUND, RUN_EXIT_USAGE,
            RUN_EXIT_SETUP);
}

typedef struct RunArgs {
    const char *arch;
    const char *sysroot;
    const char *root;
    const char *argv0; /* or NULL: PROG */
    int prog;          /* index of PROG in argv, or 0 */
    int guest_env_fd;  /* --guest-env-fd, or -1 */
    UserIcountConfig icount;
} RunArgs;

/* The decimal value v of option opt in [min, max], or false after saying why not. */
static bool parse_number(const char *argv0, const char *opt, const char *v, guint64 min,
                         guint64 max, guint64 *out)
{
    if (!*v || g_ascii_string_to_unsigned(v, 10, min, max, out, NULL)) {
        return true; /* an empty value is reported as missing */
    }
    fprintf(stderr, "paddock: %s: %s needs a number from %" G_GUINT64_FORMAT ", not '%s'\n", argv0,
            opt, min, v);
    return false;
}

/* The value of option opt at argv[*i] ("--opt V", "--opt=V", or "-LV" for short ones). */
static const char *option_value(int argc, char **argv, int *i, const char *opt)
{
    const char *a = argv[*i];
    size_t n = strlen(opt);
    if (strncmp(a, opt, n) != 0) {
        return NULL;
    }
    if (a[n] == '=' || (a[n] && opt[1] != '-')) {
        return a + n + (a[n] == '=');
    }
    if (a[n] == '\0' && *i + 1 < argc) {
        return argv[++*i];
    }
    return a[n] == '\0' ? "" : NULL;
}

/* Parses options up to PROG; returns -1 to go on, else an exit status. */
static int parse_run_args(int argc, char **argv, RunArgs *ra)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        if (!strcmp(a, "--")) {
            ra->prog = i + 1 < argc ? i + 1 : 0;
            break;
        }
        if (a[0] != '-' || !a[1]) {
            ra->prog = i;
            break;
        }
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            run_usage(stdout, argv[0]);
            return 0;
        }
        if ((v = option_value(argc, argv, &i, "--arch"))) {
            ra->arch = v;
        } else if ((v = option_value(argc, argv, &i, "-L"))) {
            ra->sysroot = v;
        } else if ((v = option_value(argc, argv, &i, "--root"))) {
            ra->root = v;
        } else if ((v = option_value(argc, argv, &i, "--argv0"))) {
            ra->argv0 = v;
            continue; /* may be empty: so may a guest's argv[0] */
        } else if (!strcmp(a, "--insn-report")) {
            ra->icount.report = true;
            continue;
        } else if ((v = option_value(argc, argv, &i, "--insn-limit"))) {
            guint64 n = 0;
            if (!parse_number(argv[0], "--insn-limit", v, 1, G_MAXINT64, &n)) {
                return RUN_EXIT_USAGE;
            }
            ra->icount.limit = n;
        } else if ((v = option_value(argc, argv, &i, "--guest-env-fd"))) {
            guint64 n = 0;
            if (!parse_number(argv[0], "--guest-env-fd", v, 0, G_MAXINT, &n)) {
                return RUN_EXIT_USAGE;
            }
            ra->guest_env_fd = (int)n;
        } else if ((v = option_value(argc, argv, &i, "--insn-count-fd"))) {
            guint64 n = 0;
            if (!parse_number(argv[0], "--insn-count-fd", v, 0, G_MAXINT, &n)) {
                return RUN_EXIT_USAGE;
            }
            ra->icount.fd = (int)n;
        } else {
            fprintf(stderr, "paddock: %s: unknown option '%s' (try --help)\n", argv[0], a);
            return RUN_EXIT_USAGE;
        }
        if (!*v) {
            fprintf(stderr, "paddock: %s: option '%s' needs a value\n", argv[0], a);
            return RUN_EXIT_USAGE;
        }
    }
    if (!ra->prog) {
        run_usage(stderr, argv[0]);
        return RUN_EXIT_USAGE;
    }
    /* -L shows the host's files with some replaced; --root hides them all. */
    if (ra->sysroot && ra->root) {
        fprintf(stderr, "paddock: %s: -L and --root cannot be used together\n", argv[0]);
        return RUN_EXIT_USAGE;
    }
    return -1;
}

static int run_exit_status(const GError *err)
{
    if (err->domain != USER_ERROR) {
        return RUN_EXIT_SETUP;
    }
    switch (err->code) {
    case USER_ERROR_NOT_FOUND: return RUN_EXIT_NOTFOUND;
    case USER_ERROR_EXEC: return RUN_EXIT_NOEXEC;
    case USER_ERROR_ROOT: return RUN_EXIT_USAGE;
    default: return RUN_EXIT_SETUP;
    }
}

int cli_cmd_run(int argc, char **argv)
{
    RunArgs ra = {.guest_env_fd = -1, .icount = {.fd = -1}};
    int status = parse_run_args(argc, argv, &ra);
    if (status >= 0) {
        return status;
    }
    const UserArch *arch = NULL;
    if (ra.arch && !(arch = user_arch_by_name(ra.arch))) {
        fprintf(stderr, "paddock: unknown architecture '%s' (known: %s)\n", ra.arch,
                user_arch_names());
        return RUN_EXIT_USAGE;
    }
    extern char **environ;
    char **envp = environ;
    if (ra.guest_env_fd >= 0 && !(envp = env_block_read(ra.guest_env_fd))) {
        fprintf(stderr, "paddock: --guest-env-fd %d: %s\n", ra.guest_env_fd, g_strerror(errno));
        return RUN_EXIT_USAGE;
    }
    g_autoptr(GError) err = NULL;
    char *prog = argv[ra.prog];
    if (ra.argv0) {
        argv[ra.prog] = (char *)ra.argv0;
    }
    user_run(arch, ra.sysroot, ra.root, prog, argv + ra.prog, envp, &ra.icount, &err);
    fprintf(stderr, "paddock: %s\n", err->message);
    return run_exit_status(err);
}

const char *cli_run_personality(const char *argv0)
{
    const char *base = strrchr(argv0, '/');
    base = base ? base + 1 : argv0;
    if (strncmp(base, "paddock-", 8) != 0 || !user_arch_by_name(base + 8)) {
        return NULL;
    }
    return base + 8;
}

int cli_cmd_run_as(const char *arch, int argc, char **argv)
{
    g_autofree char **args = g_new0(char *, (size_t)argc + 3);
    args[0] = argv[0];
    args[1] = "--arch";
    args[2] = (char *)arch;
    memcpy(args + 3, argv + 1, (size_t)(argc - 1) * sizeof(char *));
    return cli_cmd_run(argc + 2, args);
}
