/*
 * execve and execveat: the guest process becomes another program, which is one of
 *  - an ELF executable of a guest architecture user mode runs: this emulator is executed
 *    again, as `paddock run --arch A [-L SYSROOT | --root DIR] --argv0 ARGV0 -- PATH
 *    ARGS...`, which is how a guest execve re-enters the emulator without binfmt_misc;
 *    --argv0 keeps the guest's argv[0] (busybox picks its applet by it);
 *  - a `#!` script: its interpreter runs it, as Linux's binfmt_script has it (argv becomes
 *    interpreter, its one optional argument, the script's path, argv[1...]), and the
 *    interpreter, a guest path, is classified the same way, up to 4 levels deep (ELOOP);
 *  - an ELF executable of the host (x86-64): the host runs it directly. qemu-user without
 *    binfmt_misc would fail with ENOEXEC; running it is what a CI script calling a host
 *    tool from a guest program needs, and what a host with binfmt_misc does the other way.
 *    Not with a root (--root): the host program would run outside it (ENOEXEC).
 * Anything else is ENOEXEC. What Linux checks before the old program is gone (the file
 * exists, is a regular file, executable, on a mount that allows it, its ELF interpreter
 * exists, the arguments fit) is checked here, so the guest gets -errno back and goes on;
 * what the new emulator refuses later ends the new program with paddock run's status.
 *
 * Guest paths go through user_path (the sysroot) when absolute, or with a root are made
 * guest-absolute and opened below it (the new emulator gets the same root and the guest
 * path); /proc/self/exe is the guest program. The guest's argv and envp are copied out of
 * guest memory first, within the host's argument space (E2BIG beyond), since the host
 * execve reads them from us.
 */
#define _GNU_SOURCE
#include "user/syscall.h"
#include "user/fd-reserved.h"
#include "vmcore/env-block.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "user/run.h"
#include "user/user-internal.h"
#include "vmcore/elf.h"

/* Linux's BINPRM_BUF_SIZE (the bytes a `#!` line is read from), BINPRM_MAX_RECURSION,
 * MAX_ARG_STRLEN, and the least argument space it gives (ARG_MAX), for when the host's
 * cannot be read. */
enum {
    EXEC_HEAD_SIZE = 256,
    EXEC_MAX_DEPTH = 4,
    EXEC_ARG_STRLEN = 32 * 4096,
    EXEC_ARG_MIN = 32 * 4096,
};
/* The ELF machine the host runs itself. */
#define EXEC_HOST_MACHINE EM_X86_64

typedef enum ExecKind { EXEC_GUEST, EXEC_HOST, EXEC_SCRIPT } ExecKind;

/* One execve in the making; every string is ours (g_free). */
typedef struct ExecRequest {
    char *path;      /* the file to run, as the host names it */
    char *name;      /* as the guest named it: what a script gets as its path */
    GPtrArray *argv; /* NULL-terminated once complete */
    GPtrArray *envp;
    size_t room; /* argument bytes left (pointers included) */
} ExecRequest;

/* Appends the guest's NULL-terminated string array at addr (0: empty) to out. */
static int64_t read_strings(UserThread *t, uint64_t addr, GPtrArray *out, size_t *room)
{
    if (!addr) {
        return 0;
    }
    for (uint64_t a = addr;; a += sizeof(uint64_t)) {
        const void *slot = lock_user(t, a, sizeof(uint64_t), PAGE_READ);
        if (!slot) {
            return host_to_guest_errno(EFAULT);
        }
        uint64_t s;
        memcpy(&s, slot, sizeof(s));
        if (!s) {
            return 0;
        }
        const char *str = lock_user_string(t, s);
        if (!str) {
            return host_to_guest_errno(EFAULT);
        }
        size_t len = strlen(str) + 1;
        if (len > EXEC_ARG_STRLEN || len + sizeof(char *) > *room) {
            return host_to_guest_errno(E2BIG);
        }
        *room -= len + sizeof(char *);
        g_ptr_array_add(out, g_strdup(str));
    }
}

/* The checks Linux's do_open_execat and may_open make, on the file open at fd. */
static int64_t exec_check_file(int fd)
{
    struct stat st;
    struct statvfs vfs;
    if (fstat(fd, &st) != 0 || fstatvfs(fd, &vfs) != 0) {
        return host_to_guest_errno(errno);
    }
    if (!S_ISREG(st.st_mode) || (vfs.f_flag & ST_NOEXEC)) {
        return host_to_guest_errno(EACCES);
    }
    return sys_result(syscall(SYS_faccessat2, fd, "", X_OK, AT_EACCESS | AT_EMPTY_PATH));
}

/* Whether the ELF interpreter interp exists: below the root, or through user_path. */
static int64_t exec_interp_exists(UserProcess *p, const char *interp)
{
    if (!p->root) {
        g_autofree char *host = user_path(p, interp);
        return access(host, F_OK) == 0 ? 0 : host_to_guest_errno(errno);
    }
    int fd = user_open_exec(p, interp);
    if (fd < 0) {
        return fd;
    }
    close(fd);
    return 0;
}

/* An ELF file: the host's, or a guest architecture's with its interpreter present. */
static int64_t exec_classify_elf(UserProcess *p, int fd, ExecKind *kind, const UserArch **arch)
{
    g_autoptr(ElfImage) img = elf_parse_fd(fd, NULL);
    if (!img || (img->type != ET_EXEC && img->type != ET_DYN)) {
        return host_to_guest_errno(ENOEXEC);
    }
    if (img->machine == EXEC_HOST_MACHINE) {
        /* A host program would run natively, outside the root's confinement. */
        *kind = EXEC_HOST;
        return p->root ? host_to_guest_errno(ENOEXEC) : 0;
    }
    *arch = user_arch_by_machine(img->machine);
    if (!*arch) {
        return host_to_guest_errno(ENOEXEC);
    }
    *kind = EXEC_GUEST;
    return img->interp ? exec_interp_exists(p, img->interp) : 0;
}

/* What the file open at fd is, with its first EXEC_HEAD_SIZE bytes in head. */
static int64_t exec_classify_fd(UserProcess *p, int fd, char *head, ExecKind *kind,
                                const UserArch **arch)
{
    int64_t err = exec_check_file(fd);
    if (err) {
        return err;
    }
    ssize_t n = pread(fd, head, EXEC_HEAD_SIZE, 0);
    if (n < 0) {
        return host_to_guest_errno(errno);
    }
    head[n] = '\0';
    if (n >= 2 && head[0] == '#' && head[1] == '!') {
        *kind = EXEC_SCRIPT;
        return 0;
    }
    if (n >= SELFMAG && !memcmp(head, ELFMAG, SELFMAG)) {
        return exec_classify_elf(p, fd, kind, arch);
    }
    return host_to_guest_errno(ENOEXEC);
}

static int64_t exec_classify(UserProcess *p, const char *path, char *head, ExecKind *kind,
                             const UserArch **arch)
{
    int fd = user_open_exec(p, path);
    if (fd < 0) {
        return fd;
    }
    int64_t ret = exec_classify_fd(p, fd, head, kind, arch);
    close(fd);
    return ret;
}

/*
 * The file a guest path names, as exec_classify opens it: with a root, the guest-absolute
 * path (the new emulator looks it up below the root again); without, the host path
 * (user_path). /proc/self/exe stands for the guest program.
 */
static int64_t exec_path(UserProcess *p, int dirfd, const char *guest, char **out)
{
    if (procfs_is_exe(guest)) {
        *out = g_strdup(p->exe_path);
        return 0;
    }
    if (p->root) {
        return user_root_abs(p->root, dirfd, guest, out);
    }
    *out = sys_host_path(p, guest);
    return 0;
}

/*
 * binfmt_script: "#!INTERP [ARG]" up to the newline, spaces and tabs around. argv[0]
 * gives way to INTERP, ARG and the script's name; INTERP is the next file to run.
 */
static int64_t exec_script(UserProcess *p, ExecRequest *r, char *head)
{
    char *line = head + 2;
    line[strcspn(line, "\n")] = '\0';
    line += strspn(line, " \t");
    size_t n = strcspn(line, " \t");
    if (!n) {
        return host_to_guest_errno(ENOEXEC);
    }
    char *arg = line + n + strspn(line + n, " \t");
    size_t arg_len = strlen(arg);
    while (arg_len && (arg[arg_len - 1] == ' ' || arg[arg_len - 1] == '\t')) {
        arg[--arg_len] = '\0';
    }
    g_ptr_array_remove_index(r->argv, 0);
    g_ptr_array_insert(r->argv, 0, r->name);
    if (arg_len) {
        g_ptr_array_insert(r->argv, 0, g_strdup(arg));
    }
    g_ptr_array_insert(r->argv, 0, g_strndup(line, n));
    r->name = g_strdup(g_ptr_array_index(r->argv, 0));
    g_free(r->path);
    r->path = NULL;
    return exec_path(p, AT_FDCWD, r->name, &r->path);
}

/* What the process executed so far is counted first (user/icount.c). */
static int64_t host_execve(const char *path, GPtrArray *argv, GPtrArray *envp)
{
    g_ptr_array_add(argv, NULL);
    g_ptr_array_add(envp, NULL);
    user_icount_exec(user_current_thread());
    fflush(NULL);
    execve(path, (char **)argv->pdata, (char **)envp->pdata);
    int err = errno;
    g_ptr_array_set_size(argv, argv->len - 1);
    g_ptr_array_set_size(envp, envp->len - 1);
    return host_to_guest_errno(err);
}

static void args_add(GPtrArray *args, const char *const *strs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        g_ptr_array_add(args, (char *)strs[i]);
    }
}

/*
 * `paddock run --arch A [-L SYSROOT | --root DIR] [--insn-count-fd=N] --guest-env-fd=E
 * --argv0 ARGV0 -- PATH ARGV[1...]`, in this process's own host environment: the guest's
 * goes by fd (vmcore/env-block.h), out of the host dynamic loader's reach.
 */
static int64_t exec_guest(UserProcess *p, const UserArch *arch, ExecRequest *r)
{
    if (!p->host_exe) {
        return host_to_guest_errno(ENOEXEC);
    }
    int env_fd = env_block_memfd((char *const *)r->envp->pdata, r->envp->len);
    if (env_fd < 0) {
        return host_to_guest_errno(errno);
    }
    g_autofree char *env_arg = g_strdup_printf("--guest-env-fd=%d", env_fd);
    const char *run[] = {"paddock", "run", "--arch", arch->name};
    const char *sysroot[] = {"-L", p->sysroot};
    const char *root[] = {"--root", p->root ? user_root_host_dir(p->root) : NULL};
    const char *prog[] = {"--argv0", g_ptr_array_index(r->argv, 0), "--", r->path};
    g_autoptr(GPtrArray) args = g_ptr_array_new();
    args_add(args, run, G_N_ELEMENTS(run));
    if (p->sysroot) {
        args_add(args, sysroot, G_N_ELEMENTS(sysroot));
    }
    if (p->root) {
        args_add(args, root, G_N_ELEMENTS(root));
    }
    user_icount_exec_args(p, args); /* --insn-count-fd=N [--insn-report] */
    g_ptr_array_add(args, env_arg);
    args_add(args, prog, G_N_ELEMENTS(prog));
    args_add(args, (const char *const *)r->argv->pdata + 1, r->argv->len - 1);
    extern char **environ;
    g_autoptr(GPtrArray) host_env = g_ptr_array_new();
    args_add(host_env, (const char *const *)environ, g_strv_length(environ));
    int64_t ret = host_execve(p->host_exe, args, host_env);
    close(env_fd);
    return ret;
}

static int64_t exec_request(UserProcess *p, ExecRequest *r)
{
    char head[EXEC_HEAD_SIZE + 1];
    for (unsigned depth = 0;; depth++) {
        ExecKind kind = EXEC_HOST;
        const UserArch *arch = NULL;
        int64_t err = exec_classify(p, r->path, head, &kind, &arch);
        if (err) {
            return err;
        }
        switch (kind) {
        case EXEC_GUEST: return exec_guest(p, arch, r);
        case EXEC_HOST: return host_execve(r->path, r->argv, r->envp);
        case EXEC_SCRIPT:
            if (depth == EXEC_MAX_DEPTH) {
                return host_to_guest_errno(ELOOP);
            }
            if ((err = exec_script(p, r, head))) {
                return err;
            }
        }
    }
}

/* Runs path (ours), which the guest named name, with the guest's argv and envp. */
static int64_t do_exec(UserThread *t, char *path, const char *name, uint64_t argv, uint64_t envp)
{
    ExecRequest r = {
        .path = path,
        .name = g_strdup(name),
        .argv = g_ptr_array_new_with_free_func(g_free),
        .envp = g_ptr_array_new_with_free_func(g_free),
    };
    long arg_max = sysconf(_SC_ARG_MAX);
    r.room = arg_max > 0 ? (size_t)arg_max : EXEC_ARG_MIN;
    int64_t ret = read_strings(t, argv, r.argv, &r.room);
    if (!ret) {
        ret = read_strings(t, envp, r.envp, &r.room);
    }
    if (!ret && !r.argv->len) {
        g_ptr_array_add(r.argv, g_strdup("")); /* Linux gives argc 0 an empty argv[0] */
    }
    if (!ret) {
        ret = exec_request(t->proc, &r);
    }
    g_free(r.path);
    g_free(r.name);
    g_ptr_array_unref(r.argv);
    g_ptr_array_unref(r.envp);
    return ret;
}

int64_t sys_execve(UserThread *t, const uint64_t *a)
{
    const char *guest;
    char *path = NULL;
    int64_t err = sys_string(t, a[0], PATH_MAX, &guest);
    if (err || (err = exec_path(t->proc, AT_FDCWD, guest, &path))) {
        return err;
    }
    return do_exec(t, path, guest, a[1], a[2]);
}

/*
 * The host path for rel under the directory open at fd (or for the file itself when rel
 * is NULL), and the name Linux gives it (/dev/fd/N[/rel]). The file's own name is used
 * while it still exists, so that the new emulator can open it after a close-on-exec fd is
 * gone; otherwise /proc/self/fd/N, which it can open only if fd survives the exec.
 */
static int64_t fd_host_path(int fd, const char *rel, char **path, char **name)
{
    g_autofree char *link = g_strdup_printf("/proc/self/fd/%d", fd);
    g_autofree char *target = g_file_read_link(link, NULL);
    if (!target) {
        return host_to_guest_errno(EBADF);
    }
    const char *base = target[0] == '/' && access(target, F_OK) == 0 ? target : link;
    *path = rel ? g_build_filename(base, rel, NULL) : g_strdup(base);
    *name = rel ? g_strdup_printf("/dev/fd/%d/%s", fd, rel) : g_strdup_printf("/dev/fd/%d", fd);
    return 0;
}

/* With a root: the guest path of rel under dirfd (or of the file open at dirfd when rel is
 * NULL), named as fd_host_path names it. */
static int64_t fd_root_path(const UserRoot *root, int dirfd, const char *rel, char **path,
                            char **name)
{
    int err = rel ? user_root_abs(root, dirfd, rel, path) : user_root_fd_path(root, dirfd, path);
    if (err) {
        return err == -ENOTDIR && !rel ? host_to_guest_errno(ENOENT) : err;
    }
    *name =
        rel ? g_strdup_printf("/dev/fd/%d/%s", dirfd, rel) : g_strdup_printf("/dev/fd/%d", dirfd);
    return 0;
}

/* execveat's path: as execve's when absolute or relative to the cwd, else under dirfd. */
static int64_t execveat_path(UserThread *t, int dirfd, const char *guest, int flags, char **path,
                             char **name)
{
    if (guest[0] == '/' || (guest[0] && dirfd == AT_FDCWD)) {
        *name = g_strdup(guest);
        return exec_path(t->proc, AT_FDCWD, guest, path);
    }
    if (!guest[0] && !(flags & AT_EMPTY_PATH)) {
        return host_to_guest_errno(ENOENT);
    }
    if (user_fd_reserved_dirfd(t->proc, dirfd, guest)) {
        return host_to_guest_errno(EBADF);
    }
    if (t->proc->root) {
        return fd_root_path(t->proc->root, dirfd, guest[0] ? guest : NULL, path, name);
    }
    return fd_host_path(dirfd, guest[0] ? guest : NULL, path, name);
}

/* Whether path (as exec_path made it) names a symlink itself. */
static bool exec_is_symlink(UserProcess *p, const char *path)
{
    struct stat st;
    if (!p->root) {
        return lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
    }
    int fd = user_root_open(p->root, path, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
    bool link = fd >= 0 && fstat(fd, &st) == 0 && S_ISLNK(st.st_mode);
    if (fd >= 0) {
        close(fd);
    }
    return link;
}

int64_t sys_execveat(UserThread *t, const uint64_t *a)
{
    int flags = (int)a[4];
    if (flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW)) {
        return host_to_guest_errno(EINVAL);
    }
    const char *guest;
    int64_t err = sys_string(t, a[1], PATH_MAX, &guest);
    char *path = NULL;
    g_autofree char *name = NULL;
    if (!err) {
        err = execveat_path(t, (int)a[0], guest, flags, &path, &name);
    }
    if (!err && guest[0] && (flags & AT_SYMLINK_NOFOLLOW) && exec_is_symlink(t->proc, path)) {
        err = host_to_guest_errno(ELOOP);
    }
    if (err) {
        g_free(path);
        return err;
    }
    return do_exec(t, path, name, a[2], a[3]);
}
