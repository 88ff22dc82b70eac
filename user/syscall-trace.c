/*
 * strace-like lines for PADDOCK_LOG=syscall, one per call, prefixed by the thread id:
 *
 *     4242 openat(AT_FDCWD, "/etc/hostname", 0x80000, 0) = 3
 *     4242 read(3, 0x3fffff7e10, 4096) = 9
 *     4242 faccessat(AT_FDCWD, "/nonexistent", 0) = -1 ENOENT (No such file or directory)
 *
 * Arguments are shown as their row's trace letters say (SyscallDef in user/user.h).
 * Strings and buffers are read through lock_user like any handler reads them; one the
 * guest cannot read is shown as its address. Errno names are the host's, whose numbering
 * the generic ABI shares (see host_to_guest_errno).
 */
#define _GNU_SOURCE
#include "user/syscall.h"

#include <fcntl.h>
#include <inttypes.h>
#include <string.h>

enum { TRACE_STRING_MAX = 64, TRACE_BUFFER_MAX = 32, TRACE_ERRNO_MAX = 4095 };

static void trace_char(GString *line, unsigned char c)
{
    switch (c) {
    case '\n': g_string_append(line, "\\n"); break;
    case '\t': g_string_append(line, "\\t"); break;
    case '\r': g_string_append(line, "\\r"); break;
    case '"':
    case '\\':
        g_string_append_c(line, '\\');
        g_string_append_c(line, (char)c);
        break;
    default:
        if (c >= 0x20 && c < 0x7f) {
            g_string_append_c(line, (char)c);
        } else {
            g_string_append_printf(line, "\\x%02x", c);
        }
    }
}

static void trace_bytes(GString *line, const char *p, size_t len, bool more)
{
    g_string_append_c(line, '"');
    for (size_t i = 0; i < len; i++) {
        trace_char(line, (unsigned char)p[i]);
    }
    g_string_append_c(line, '"');
    if (more) {
        g_string_append(line, "...");
    }
}

static void trace_string(UserThread *t, GString *line, uint64_t addr)
{
    if (!addr) {
        g_string_append(line, "NULL");
        return;
    }
    const char *s = lock_user_string(t, addr);
    if (!s) {
        g_string_append_printf(line, "%#" PRIx64, addr);
        return;
    }
    size_t len = strnlen(s, TRACE_STRING_MAX + 1);
    trace_bytes(line, s, MIN(len, TRACE_STRING_MAX), len > TRACE_STRING_MAX);
}

static void trace_buffer(UserThread *t, GString *line, uint64_t addr, uint64_t len)
{
    uint64_t shown = MIN(len, TRACE_BUFFER_MAX);
    const char *p = sys_lock(t, addr, shown, PAGE_READ);
    if (!p) {
        g_string_append_printf(line, "%#" PRIx64, addr);
        return;
    }
    trace_bytes(line, p, shown, len > shown);
}

static void trace_arg(UserThread *t, GString *line, char kind, const uint64_t *args, unsigned i)
{
    uint64_t v = args[i];
    switch (kind) {
    case 'd': g_string_append_printf(line, "%d", (int)v); break;
    case 'l': g_string_append_printf(line, "%" PRId64, (int64_t)v); break;
    case 'u': g_string_append_printf(line, "%" PRIu64, v); break;
    case 'o': g_string_append_printf(line, "%#" PRIo64, v); break;
    case 'f':
        if ((int)v == AT_FDCWD) {
            g_string_append(line, "AT_FDCWD");
        } else {
            g_string_append_printf(line, "%d", (int)v);
        }
        break;
    case 's': trace_string(t, line, v); break;
    case 'b': trace_buffer(t, line, v, i + 1 < 6 ? args[i + 1] : 0); break;
    default: g_string_append_printf(line, "%#" PRIx64, v); break;
    }
}

void syscall_trace_call(UserThread *t, unsigned nr, const SyscallDef *d, const uint64_t *args,
                        GString *line)
{
    if (!d) {
        g_string_append_printf(line, "syscall_%u(...)", nr);
        return;
    }
    g_string_append_printf(line, "%s(", d->name);
    if (!d->args) {
        g_string_append(line, "...");
    }
    for (unsigned i = 0; d->args && d->args[i] && i < 6; i++) {
        if (i) {
            g_string_append(line, ", ");
        }
        trace_arg(t, line, d->args[i], args, i);
    }
    g_string_append_c(line, ')');
}

void syscall_trace_result(const SyscallDef *d, int64_t ret, GString *line)
{
    if (ret < 0 && ret >= -TRACE_ERRNO_MAX) {
        int err = (int)-ret;
        const char *name = strerrorname_np(err);
        const char *desc = strerrordesc_np(err);
        g_string_append_printf(line, " = -1 %s (%s)\n", name ? name : "E?", desc ? desc : "?");
        return;
    }
    char kind = d ? d->ret : 0;
    if (kind == 'x') {
        g_string_append_printf(line, " = %#" PRIx64 "\n", (uint64_t)ret);
    } else if (kind == 'o') {
        g_string_append_printf(line, " = %#" PRIo64 "\n", (uint64_t)ret);
    } else {
        g_string_append_printf(line, " = %" PRId64 "\n", ret);
    }
}
