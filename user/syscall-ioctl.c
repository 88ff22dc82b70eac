/*
 * ioctl: the terminal and descriptor requests programs make (isatty, line editing, window
 * size, job control, pseudo-terminals). For each of them the generic ABI and x86-64 agree
 * on the request number and on the argument's layout (the kernel's struct termios, not
 * glibc's, and struct winsize), checked against the cross toolchains' headers; so each
 * row says how big the argument is and which way it goes, and the host gets it in place.
 * Any other request fails with -ENOTTY: passing an unchecked request through would let
 * the guest drive host drivers with structures whose layout nobody compared.
 */
#define _GNU_SOURCE
#include "user/syscall.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <asm/termbits.h>

_Static_assert(TCGETS == 0x5401 && TCSETS == 0x5402 && TCSETSW == 0x5403 && TCSETSF == 0x5404 &&
                   TCSBRK == 0x5409 && TCXONC == 0x540a && TCFLSH == 0x540b &&
                   TIOCSCTTY == 0x540e && TIOCGPGRP == 0x540f && TIOCSPGRP == 0x5410 &&
                   TIOCGWINSZ == 0x5413 && TIOCSWINSZ == 0x5414 && FIONREAD == 0x541b &&
                   FIONBIO == 0x5421 && FIONCLEX == 0x5450 && FIOCLEX == 0x5451 &&
                   TIOCGPTN == 0x80045430 && TIOCSPTLCK == 0x40045431,
               "host ioctl numbers differ from the generic ones");
_Static_assert(sizeof(struct termios) == 36 && sizeof(struct winsize) == 8,
               "host terminal structures differ from the generic ones");

/* A request: its argument is a pointer to size bytes accessed with prot, or, with size 0,
 * an integer passed by value. */
typedef struct IoctlDef {
    uint32_t cmd;
    uint32_t size;
    unsigned prot;
} IoctlDef;

static const IoctlDef ioctl_defs[] = {
    {TCGETS, sizeof(struct termios), PAGE_WRITE},
    {TCSETS, sizeof(struct termios), PAGE_READ},
    {TCSETSW, sizeof(struct termios), PAGE_READ},
    {TCSETSF, sizeof(struct termios), PAGE_READ},
    {TIOCGWINSZ, sizeof(struct winsize), PAGE_WRITE},
    {TIOCSWINSZ, sizeof(struct winsize), PAGE_READ},
    {TIOCGPGRP, sizeof(int), PAGE_WRITE},
    {TIOCSPGRP, sizeof(int), PAGE_READ},
    {TIOCGPTN, sizeof(unsigned), PAGE_WRITE},
    {TIOCSPTLCK, sizeof(int), PAGE_READ},
    {FIONREAD, sizeof(int), PAGE_WRITE},
    {FIONBIO, sizeof(int), PAGE_READ},
    {FIOCLEX, 0, 0},
    {FIONCLEX, 0, 0},
    {TIOCSCTTY, 0, 0},
    {TCSBRK, 0, 0},
    {TCXONC, 0, 0},
    {TCFLSH, 0, 0},
};

static const IoctlDef *ioctl_lookup(uint32_t cmd)
{
    for (size_t i = 0; i < G_N_ELEMENTS(ioctl_defs); i++) {
        if (ioctl_defs[i].cmd == cmd) {
            return &ioctl_defs[i];
        }
    }
    return NULL;
}

/*
 * The request number is an unsigned int in Linux: the register's upper half is ignored.
 * A bad descriptor is EBADF whatever the request, as in Linux.
 */
int64_t sys_ioctl(UserThread *t, const uint64_t *a)
{
    const IoctlDef *d = ioctl_lookup((uint32_t)a[1]);
    if (!d) {
        int64_t ret = sys_result(fcntl((int)a[0], F_GETFD));
        return ret < 0 ? ret : host_to_guest_errno(ENOTTY);
    }
    if (!d->size) {
        return sys_result(ioctl((int)a[0], (unsigned long)d->cmd, (unsigned long)a[2]));
    }
    void *arg = lock_user(t, a[2], d->size, d->prot);
    if (!arg) {
        return host_to_guest_errno(EFAULT);
    }
    return sys_result(ioctl((int)a[0], (unsigned long)d->cmd, arg));
}
