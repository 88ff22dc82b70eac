/*
 * Running one guest program in this host process (`paddock run`, `paddock-riscv64`):
 * the entry point of user mode, and the guest architectures it knows.
 *
 *     g_autoptr(GError) err = NULL;
 *     user_run(NULL, sysroot, NULL, prog, argv, environ, NULL, &err); // returns only on failure
 */
#ifndef USER_RUN_H
#define USER_RUN_H

#include <glib.h>

#include "user/user.h"

#define USER_ERROR user_error_quark()

/* Why a program could not be started; the CLI turns each into its own exit status. */
typedef enum UserError {
    USER_ERROR_NOT_FOUND, /* the program or its interpreter does not exist */
    USER_ERROR_EXEC,      /* not an executable for this architecture (format, arch, type) */
    USER_ERROR_SETUP,     /* the host refused something the emulator needs (memory ...) */
    USER_ERROR_ROOT,      /* the --root directory cannot be opened or entered */
} UserError;

GQuark user_error_quark(void);

extern const UserArch user_arch_riscv64;

/* The architecture called name (as --arch and uname -m spell it), or NULL. */
const UserArch *user_arch_by_name(const char *name);
/* The architecture of ELF e_machine, or NULL. */
const UserArch *user_arch_by_machine(uint16_t machine);
/* The supported architecture names, comma-separated, for messages. */
const char *user_arch_names(void);

/*
 * Loads prog (with arch NULL: for the architecture its ELF header names) and runs it with
 * argv (argv[0] as the guest sees it) and envp. Does not return when the program starts:
 * the process ends with the guest's exit status. Returns -1 with *errp set in USER_ERROR
 * when the program cannot be started.
 *
 * At most one of sysroot (-L: the host's files, absolute paths tried under sysroot first)
 * and root (--root: the guest sees root as "/" and nothing outside it; prog is a guest
 * path, user/fs-root.h) is given; both NULL: the host's files as they are. icount, when
 * not NULL, sets up guest instruction counting (UserIcountConfig, user/icount.c).
 */
int user_run(const UserArch *arch, const char *sysroot, const char *root, const char *prog,
             char **argv, char **envp, const UserIcountConfig *icount, GError **errp);

#endif
