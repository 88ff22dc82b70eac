/*
 * Sockets: the calls that carry no more than a socket address and a flat buffer (socket,
 * socketpair, bind, listen, accept, accept4, connect, getsockname, getpeername, sendto,
 * recvfrom, shutdown). struct sockaddr and its families, socklen_t and the SOCK_* type
 * flags are the same on x86-64 and in the generic ABI, so buffers and addresses the kernel
 * writes are handed over in place; addresses the kernel reads are copied first, since one
 * may be rewritten. Options (setsockopt, getsockopt) and messages (sendmsg, recvmsg), whose
 * structures hold guest pointers, are not implemented here.
 *
 * With a root (fs-root.h), an AF_UNIX pathname is a guest path like any other. bind creates
 * the socket in its parent directory, resolved inside the root and named to the host as
 * /proc/self/fd/N/NAME; connect and sendto open the socket file itself (O_PATH, following
 * symlinks inside the root) and name it /proc/self/fd/N, so that the host kernel's own
 * lookup cannot follow a symlink out. A name that no longer fits sun_path is ENAMETOOLONG.
 * The kernel keeps the name it was given, which getsockname, getpeername, accept and
 * recvfrom then report. Abstract and unnamed addresses are left as they are, and so is
 * every address without a root (qemu's -L does not touch them either).
 */
#define _GNU_SOURCE
#include "user/syscall.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

_Static_assert(sizeof(socklen_t) == 4, "the generic socklen_t is 32 bits");
_Static_assert(sizeof(struct sockaddr_un) == 110, "the generic struct sockaddr_un");

/* An address for the kernel to read: the guest's copy, and what keeps a rewritten AF_UNIX
 * name's directory or file open. */
typedef struct SockAddr {
    struct sockaddr_storage ss;
    socklen_t len;
    SysAt at;
} SockAddr;

static void sock_addr_done(SockAddr *sa)
{
    sys_at_done(&sa->at);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(SockAddr, sock_addr_done)

/* With a root: the AF_UNIX pathname in sa, renamed as the host must see it. */
static int64_t sock_unix_root(UserProcess *p, SockAddr *sa, bool create)
{
    struct sockaddr_un *un = (struct sockaddr_un *)&sa->ss;
    if (sa->len > sizeof(*un)) {
        return host_to_guest_errno(EINVAL); /* as Linux's unix_validate_addr */
    }
    size_t max = sa->len - offsetof(struct sockaddr_un, sun_path);
    char guest[sizeof(un->sun_path) + 1];
    memcpy(guest, un->sun_path, max);
    guest[max] = '\0'; /* the kernel, too, stops at the first NUL or at len */
    int64_t err = sys_at_str(p, AT_FDCWD, guest, create ? SYS_AT_PARENT : SYS_AT_FOLLOW, &sa->at);
    if (err) {
        return err;
    }
    int n = create ? snprintf(un->sun_path, sizeof(un->sun_path), "/proc/self/fd/%d/%s", sa->at.fd,
                              sa->at.name)
                   : snprintf(un->sun_path, sizeof(un->sun_path), "/proc/self/fd/%d", sa->at.fd);
    if (n < 0 || (size_t)n >= sizeof(un->sun_path)) {
        return host_to_guest_errno(ENAMETOOLONG);
    }
    sa->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + (size_t)n + 1);
    return 0;
}

/* Copies the guest's address (Linux's move_addr_to_kernel checks), renaming an AF_UNIX
 * pathname inside the root; create is bind's case. */
static int64_t sock_addr_in(UserThread *t, uint64_t addr, uint64_t len, bool create, SockAddr *sa)
{
    if ((int)len < 0 || len > sizeof(sa->ss)) {
        return host_to_guest_errno(EINVAL);
    }
    const void *g = sys_lock(t, addr, len, PAGE_READ);
    if (!g) {
        return host_to_guest_errno(EFAULT);
    }
    memcpy(&sa->ss, g, len);
    sa->len = (socklen_t)len;
    const struct sockaddr_un *un = (const struct sockaddr_un *)&sa->ss;
    bool pathname = len > offsetof(struct sockaddr_un, sun_path) && un->sun_family == AF_UNIX &&
                    un->sun_path[0] != '\0';
    return pathname && t->proc->root ? sock_unix_root(t->proc, sa, create) : 0;
}

/*
 * For a call that writes an address: the guest's buffer and its length word, or NULLs when
 * addr is 0 (the kernel then writes neither). The kernel gets a copy of the length (*len),
 * which the guest's other threads cannot change under it, and the buffer locked for it.
 */
static int64_t sock_addr_out(UserThread *t, uint64_t addr, uint64_t lenp, void **buf,
                             socklen_t **guest_len, socklen_t *len)
{
    *buf = NULL;
    *guest_len = NULL;
    if (!addr) {
        return 0;
    }
    if (!(*guest_len = lock_user(t, lenp, sizeof(socklen_t), PAGE_READ | PAGE_WRITE))) {
        return host_to_guest_errno(EFAULT);
    }
    memcpy(len, *guest_len, sizeof(*len));
    if ((int)*len < 0) {
        return host_to_guest_errno(EINVAL);
    }
    *buf = sys_lock(t, addr, *len, PAGE_WRITE);
    return *buf ? 0 : host_to_guest_errno(EFAULT);
}

/* A call that writes an address (accept4, getsockname, getpeername); may block. */
static int64_t sock_call_addr_out(UserThread *t, long nr, const uint64_t *a, long flags)
{
    void *buf;
    socklen_t *guest_len, len = 0;
    int64_t err = sock_addr_out(t, a[1], a[2], &buf, &guest_len, &len);
    if (err) {
        return err;
    }
    int64_t ret = user_safe_syscall(t, nr, (int)a[0], (long)buf, buf ? (long)&len : 0, flags, 0, 0);
    if (ret >= 0 && guest_len) {
        memcpy(guest_len, &len, sizeof(len));
    }
    return sys_neg_errno(ret);
}

int64_t sys_socket(UserThread *t, const uint64_t *a)
{
    return sys_result(socket((int)a[0], (int)a[1], (int)a[2]));
}

int64_t sys_socketpair(UserThread *t, const uint64_t *a)
{
    int *guest = lock_user(t, a[3], 2 * sizeof(int), PAGE_WRITE);
    int fds[2];
    if (!guest) {
        return host_to_guest_errno(EFAULT);
    }
    if (socketpair((int)a[0], (int)a[1], (int)a[2], fds) < 0) {
        return sys_result(-1);
    }
    memcpy(guest, fds, sizeof(fds));
    return 0;
}

int64_t sys_bind(UserThread *t, const uint64_t *a)
{
    g_auto(SockAddr) sa = {0};
    int64_t err = sock_addr_in(t, a[1], a[2], true, &sa);
    return err ? err : sys_result(bind((int)a[0], (struct sockaddr *)&sa.ss, sa.len));
}

int64_t sys_listen(UserThread *t, const uint64_t *a)
{
    return sys_result(listen((int)a[0], (int)a[1]));
}

int64_t sys_accept(UserThread *t, const uint64_t *a)
{
    return sock_call_addr_out(t, SYS_accept4, a, 0);
}

int64_t sys_accept4(UserThread *t, const uint64_t *a)
{
    return sock_call_addr_out(t, SYS_accept4, a, (int)a[3]);
}

int64_t sys_connect(UserThread *t, const uint64_t *a)
{
    g_auto(SockAddr) sa = {0};
    int64_t err = sock_addr_in(t, a[1], a[2], false, &sa);
    if (err) {
        return err;
    }
    return sys_neg_errno(
        user_safe_syscall(t, SYS_connect, (int)a[0], (long)&sa.ss, (long)sa.len, 0, 0, 0));
}

int64_t sys_getsockname(UserThread *t, const uint64_t *a)
{
    return sock_call_addr_out(t, SYS_getsockname, a, 0);
}

int64_t sys_getpeername(UserThread *t, const uint64_t *a)
{
    return sock_call_addr_out(t, SYS_getpeername, a, 0);
}

/* An address of 0 sends to the connected peer, whatever the length says. */
int64_t sys_sendto(UserThread *t, const uint64_t *a)
{
    uint64_t len = MIN(a[2], SYS_RW_MAX);
    const void *buf = sys_lock(t, a[1], len, PAGE_READ);
    g_auto(SockAddr) sa = {0};
    if (!buf) {
        return host_to_guest_errno(EFAULT);
    }
    int64_t err = a[4] ? sock_addr_in(t, a[4], a[5], false, &sa) : 0;
    if (err) {
        return err;
    }
    long to = a[4] ? (long)&sa.ss : 0;
    return sys_neg_errno(user_safe_syscall(t, SYS_sendto, (int)a[0], (long)buf, (long)len,
                                           (int)a[3], to, (long)sa.len));
}

int64_t sys_recvfrom(UserThread *t, const uint64_t *a)
{
    uint64_t len = MIN(a[2], SYS_RW_MAX);
    void *buf = sys_lock(t, a[1], len, PAGE_WRITE);
    if (!buf) {
        return host_to_guest_errno(EFAULT);
    }
    void *from;
    socklen_t *guest_len, from_len = 0;
    int64_t err = sock_addr_out(t, a[4], a[5], &from, &guest_len, &from_len);
    if (err) {
        return err;
    }
    int64_t ret = user_safe_syscall(t, SYS_recvfrom, (int)a[0], (long)buf, (long)len, (int)a[3],
                                    (long)from, from ? (long)&from_len : 0);
    if (ret >= 0 && guest_len) {
        memcpy(guest_len, &from_len, sizeof(from_len));
    }
    return sys_neg_errno(ret);
}

int64_t sys_shutdown(UserThread *t, const uint64_t *a)
{
    return sys_result(shutdown((int)a[0], (int)a[1]));
}
