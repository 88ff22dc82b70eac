/*
 * A user-mode process from start to exit: the guest space, the program loaded into it,
 * the translator that runs it (code buffer, backend, TB cache sharing the space's memory
 * model) and the main guest thread. One UserProcess per host process: the guest's exit
 * is the host process's exit.
 *
 * Order matters for the messages a user sees: the program is found, checked and loaded
 * before the translator is set up, so that a bad path or a foreign binary is reported
 * without a 256 MiB code buffer having been mapped first.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "user/fs-root.h"
#include "user/run.h"
#include "user/user-internal.h"
#include "vmcore/elf.h"
#include "vmcore/thread.h"

/* The guest's user address space: 2^38 bytes, the user half of riscv64's Sv39. */
#define GUEST_SPACE_SIZE (1ull << 38)
#define CODE_BUFFER_SIZE (256u << 20)

G_DEFINE_QUARK(user - error - quark, user_error)

static const UserArch *const user_arches[] = {&user_arch_riscv64};

const UserArch *user_arch_by_name(const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(user_arches); i++) {
        if (!strcmp(user_arches[i]->name, name)) {
            return user_arches[i];
        }
    }
    return NULL;
}

const UserArch *user_arch_by_machine(uint16_t machine)
{
    for (size_t i = 0; i < G_N_ELEMENTS(user_arches); i++) {
        if (user_arches[i]->elf_machine == machine) {
            return user_arches[i];
        }
    }
    return NULL;
}

/* Kept in step with user_arches by hand: one entry for now. */
const char *user_arch_names(void)
{
    return "riscv64";
}

/* The architecture prog's ELF header names. */
static const UserArch *detect_arch(UserProcess *p, const char *prog, GError **errp)
{
    int fd = user_open_exec(p, prog);
    if (fd < 0) {
        int err = -fd;
        g_set_error(errp, USER_ERROR,
                    err == ENOENT || err == ENOTDIR ? USER_ERROR_NOT_FOUND : USER_ERROR_EXEC,
                    "%s: %s", prog, g_strerror(err));
        return NULL;
    }
    GError *elf_err = NULL;
    g_autoptr(ElfImage) img = elf_parse_fd(fd, &elf_err);
    close(fd);
    if (!img) {
        g_set_error(errp, USER_ERROR, USER_ERROR_EXEC, "%s: %s", prog, elf_err->message);
        g_error_free(elf_err);
        return NULL;
    }
    const UserArch *arch = user_arch_by_machine(img->machine);
    if (!arch) {
        g_set_error(errp, USER_ERROR, USER_ERROR_EXEC,
                    "%s: %s executable (e_machine %u): paddock runs %s programs", prog,
                    elf_machine_name(img->machine), img->machine, user_arch_names());
    }
    return arch;
}

static const TCGBackendOps *choose_backend(GError **errp)
{
    const char *name = getenv("PADDOCK_BACKEND");
    if (!name || !*name || !strcmp(name, "x86_64") || !strcmp(name, "jit")) {
        return &tcg_x86_64_backend;
    }
    if (!strcmp(name, "interp")) {
        return &tcg_interp_backend;
    }
    g_set_error(errp, USER_ERROR, USER_ERROR_SETUP,
                "PADDOCK_BACKEND=%s: unknown backend (x86_64 or interp)", name);
    return NULL;
}

/* The translator for the process: code buffer, backend on the guest space, TB cache. */
static bool translator_init(UserProcess *p, GError **errp)
{
    const TCGBackendOps *ops = choose_backend(errp);
    if (!ops) {
        return false;
    }
    GError *err = NULL;
    p->cb = tcg_code_buffer_new(CODE_BUFFER_SIZE, TCG_CB_AUTO, &err);
    TCGGuestMemory mem = {
        .model = TCG_MEM_USER,
        .guest_base = (uintptr_t)p->space.base,
        .guest_limit = p->space.size,
        .fault_helper = p->arch->cpu_class->mem_fault,
    };
    p->be = p->cb ? tcg_backend_new(ops, p->cb, &mem, &err) : NULL;
    if (!p->be) {
        g_set_error(errp, USER_ERROR, USER_ERROR_SETUP, "translator: %s", err->message);
        g_error_free(err);
        return false;
    }
    p->tbs = tb_cache_new(p->be, p->arch->cpu_class->insn_start_words);
    p->space.tbs = p->tbs;
    return true;
}

static void process_free(UserProcess *p)
{
    if (p->tbs) {
        tb_cache_free(p->tbs);
    }
    tcg_backend_free(p->be);
    if (p->cb) {
        tcg_code_buffer_free(p->cb);
    }
    guest_space_destroy(&p->space);
    if (p->auxv) {
        g_byte_array_unref(p->auxv);
    }
    if (p->cmdline) {
        g_byte_array_unref(p->cmdline);
    }
    mutex_destroy(&p->thread_lock);
    user_root_free(p->root);
    g_free(p->icount.exec_arg);
    g_free(p->host_exe);
    g_free(p->sysroot);
    g_free(p->exe_path);
    g_free(p->execfn);
    g_free(p);
}

/* Loads the program and builds its stack: the entry point and sp in *entry, *sp. */
static bool process_load(UserProcess *p, char **argv, char **envp, uint64_t *entry, uint64_t *sp,
                         GError **errp)
{
    GError *err = NULL;
    if (!guest_space_init(&p->space, GUEST_SPACE_SIZE, &err)) {
        g_set_error(errp, USER_ERROR, USER_ERROR_SETUP, "%s", err->message);
        g_error_free(err);
        return false;
    }
    UserLoadInfo info;
    if (!user_load_program(p, &info, errp) || !user_setup_stack(p, &info, argv, envp, sp, errp)) {
        return false;
    }
    *entry = info.has_interp ? info.interp.entry : info.prog.entry;
    p->cmdline = g_byte_array_new();
    for (char **a = argv; *a; a++) {
        g_byte_array_append(p->cmdline, (const guint8 *)*a, (guint)strlen(*a) + 1);
    }
    /* With a root, the loader has set the guest's name for it already. */
    char *real = p->root ? NULL : realpath(p->execfn, NULL);
    if (real) {
        g_free(p->exe_path);
        p->exe_path = g_strdup(real);
        free(real);
    }
    return true;
}

int user_run(const UserArch *arch, const char *sysroot, const char *root, const char *prog,
             char **argv, char **envp, const UserIcountConfig *icount, GError **errp)
{
    UserProcess *p = g_new0(UserProcess, 1);
    /* Absolute, so that a guest execve after a chdir passes the same one on. */
    p->sysroot = sysroot ? g_canonicalize_filename(sysroot, NULL) : NULL;
    p->exe_path = g_strdup(prog);
    p->execfn = g_strdup(prog);
    p->host_exe = g_file_read_link("/proc/self/exe", NULL);
    mutex_init(&p->thread_lock);
    uint64_t entry, sp;
    if ((root && !user_root_init(p, root, errp)) ||
        (!arch && !(arch = detect_arch(p, prog, errp)))) {
        process_free(p);
        return -1;
    }
    p->arch = arch;
    if (!process_load(p, argv, envp, &entry, &sp, errp) || !translator_init(p, errp) ||
        !user_icount_init(p, icount, errp) || !user_signals_init(p, errp)) {
        process_free(p);
        return -1;
    }
    UserThread *t = user_thread_new(p);
    user_signal_thread_init(t, NULL, true);
    GError *err = NULL;
    if (!user_thread_attach(t, &err)) {
        g_set_error(errp, USER_ERROR, USER_ERROR_SETUP, "%s", err->message);
        g_error_free(err);
        user_thread_free(t);
        process_free(p);
        return -1;
    }
    user_thread_enlist(t);
    arch->cpu_start(t->cpu, entry, sp);
    arch->cpu_loop(t);
    g_error("user: the %s CPU loop returned", arch->name);
}

/* Robust futexes first: another process may be waiting on one in shared memory. */
_Noreturn void user_exit_group(UserThread *t, int status)
{
    atomic_store(&t->proc->exit_group, 1);
    user_threads_exit_robust(t->proc);
    user_icount_end(t);
    fflush(NULL);
    _exit(status & 0xff);
}
