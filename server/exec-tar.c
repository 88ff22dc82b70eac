/*
 * `paddock-sandbox --unpack-tar TAR DIR`: a sysroot's tar unpacked into DIR, which must be
 * empty. The tar is untrusted (any client may upload one), hence a reader of our own in a
 * process of its own rather than tar(1) or libarchive in paddockd:
 *   - formats: POSIX ustar, with GNU long names and links ('L', 'K', base-256 sizes) and
 *     pax extended headers ('x': path, linkpath, size; 'g' ignored), which is what GNU
 *     tar and bsdtar write;
 *   - members: regular files, directories, symlinks (kept verbatim: runs resolve them in
 *     the guest's root, where an absolute target is root-relative), hard links (copied);
 *     anything else (devices, FIFOs, sparse files) refuses the archive;
 *   - names: a leading "./" is dropped; an absolute name, a ".." component or a control
 *     character refuses the archive; every file is created with openat2 RESOLVE_IN_ROOT
 *     below DIR, so no symlink of the archive leads out of it;
 *   - modes: permission bits only, at most 0755; owners are not kept.
 */
#define _GNU_SOURCE
#include "server/exec-init.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

enum { TAR_BLOCK = 512, TAR_META_MAX = 1 << 20, TAR_COPY = 1 << 16 };

typedef struct TarHeader {
    char name[100], mode[8], uid[8], gid[8], size[12], mtime[12], chksum[8];
    char typeflag;
    char linkname[100], magic[6], version[2], uname[32], gname[32], devmajor[8], devminor[8];
    char prefix[155], pad[12];
} TarHeader;
_Static_assert(sizeof(TarHeader) == TAR_BLOCK, "a tar header is one block");

typedef struct TarReader {
    int fd;                      /* the archive */
    int rootfd;                  /* DIR */
    char *long_name, *long_link; /* from 'L'/'K' or 'x' headers, for the next member */
    uint64_t pax_size;           /* from an 'x' header, for the next member; 0: none */
    char *buf;                   /* TAR_COPY */
    ExecInitError *err;
} TarReader;

/* The archive is refused: what (a member's name, or a description) and why. */
static bool tar_fail(TarReader *t, const char *what, const char *why)
{
    snprintf(t->err->message, sizeof(t->err->message), "%s: %s", what, why);
    return false;
}

static bool tar_read(TarReader *t, void *buf, size_t n)
{
    for (size_t got = 0; got < n;) {
        ssize_t r = read(t->fd, (char *)buf + got, n - got);
        if (r == 0) {
            return tar_fail(t, "the archive", "truncated");
        }
        if (r < 0 && errno != EINTR) {
            return exec_init_fail(t->err, "read the archive");
        }
        got += r > 0 ? (size_t)r : 0;
    }
    return true;
}

/* Bytes of padding after n bytes of member data. */
static uint64_t tar_padding(uint64_t n)
{
    return (TAR_BLOCK - n % TAR_BLOCK) % TAR_BLOCK;
}

/* Moves n bytes on in the archive. */
static bool tar_seek(TarReader *t, uint64_t n)
{
    if (n > INT64_MAX || lseek(t->fd, (off_t)n, SEEK_CUR) < 0) {
        return exec_init_fail(t->err, "seek in the archive");
    }
    return true;
}

/* An octal field (NUL- or space-terminated), or GNU's base-256 for large values. */
static bool tar_number(const char *f, size_t n, uint64_t *out)
{
    uint64_t v = 0;
    if ((unsigned char)f[0] == 0x80) {
        for (size_t i = 1; i < n; i++) {
            if (v >> 56) {
                return false;
            }
            v = v << 8 | (unsigned char)f[i];
        }
        *out = v;
        return true;
    }
    size_t i = 0;
    while (i < n && f[i] == ' ') {
        i++;
    }
    for (; i < n && f[i] >= '0' && f[i] <= '7'; i++) {
        if (v >> 60) {
            return false;
        }
        v = v << 3 | (uint64_t)(f[i] - '0');
    }
    *out = v;
    return i == n || f[i] == '\0' || f[i] == ' ';
}

static bool tar_checksum_ok(const TarHeader *h)
{
    const unsigned char *b = (const unsigned char *)h;
    uint64_t sum = 0, want;
    for (size_t i = 0; i < TAR_BLOCK; i++) {
        bool in_field =
            i >= offsetof(TarHeader, chksum) && i < offsetof(TarHeader, chksum) + sizeof(h->chksum);
        sum += in_field ? ' ' : b[i];
    }
    return tar_number(h->chksum, sizeof(h->chksum), &want) && want == sum;
}

/* A member's data as a string (long names, pax records), at most TAR_META_MAX bytes. */
static char *tar_read_meta(TarReader *t, uint64_t size)
{
    if (size > TAR_META_MAX) {
        tar_fail(t, "the archive", "an extended header is too large");
        return NULL;
    }
    char *s = malloc(size + 1);
    if (!s) {
        exec_init_fail(t->err, "allocate an extended header");
        return NULL;
    }
    if (!tar_read(t, s, size) || !tar_seek(t, tar_padding(size))) {
        free(s);
        return NULL;
    }
    s[size] = '\0';
    return s;
}

/* pax records "LEN key=value\n": path, linkpath and size are taken. */
static bool tar_pax(TarReader *t, char *recs, size_t len)
{
    for (size_t off = 0; off < len;) {
        char *end;
        unsigned long n = strtoul(recs + off, &end, 10);
        char *eq = *end == ' ' ? strchr(end, '=') : NULL;
        if (n == 0 || n > len - off || !eq || eq >= recs + off + n || recs[off + n - 1] != '\n') {
            return tar_fail(t, "the archive", "a malformed pax record");
        }
        recs[off + n - 1] = '\0';
        const char *key = end + 1, *value = eq + 1;
        *eq = '\0';
        if (!strcmp(key, "path")) {
            free(t->long_name);
            t->long_name = strdup(value);
        } else if (!strcmp(key, "linkpath")) {
            free(t->long_link);
            t->long_link = strdup(value);
        } else if (!strcmp(key, "size") && !tar_number(value, strlen(value), &t->pax_size)) {
            return tar_fail(t, "the archive", "a malformed pax size");
        }
        off += n;
    }
    return true;
}

/* A member's name made relative: "./" and trailing slashes dropped; false when it is
 * absolute or has a ".." component or a control character. "" is the root itself. */
static bool tar_clean_name(char *name)
{
    size_t len = strlen(name);
    while (len > 0 && name[len - 1] == '/') {
        name[--len] = '\0';
    }
    while (name[0] == '.' && (name[1] == '/' || name[1] == '\0')) {
        memmove(name, name + 1 + (name[1] == '/'), strlen(name + 1 + (name[1] == '/')) + 1);
    }
    if (name[0] == '/') {
        return false;
    }
    for (const char *p = name; *p; p++) {
        if ((unsigned char)*p < 0x20) {
            return false;
        }
    }
    for (const char *c = name; c; c = strchr(c, '/') ? strchr(c, '/') + 1 : NULL) {
        if (c[0] == '.' && c[1] == '.' && (c[2] == '/' || c[2] == '\0')) {
            return false;
        }
    }
    return true;
}

/* The member's name: the long name if one came before, else prefix/name. */
static char *tar_member_name(TarReader *t, const TarHeader *h)
{
    if (t->long_name) {
        char *n = t->long_name;
        t->long_name = NULL;
        return n;
    }
    char *n = malloc(sizeof(h->prefix) + sizeof(h->name) + 2);
    if (n) {
        bool ustar = !memcmp(h->magic, "ustar", 5) && h->prefix[0];
        sprintf(n, "%.*s%s%.*s", ustar ? (int)sizeof(h->prefix) : 0, h->prefix, ustar ? "/" : "",
                (int)sizeof(h->name), h->name);
    }
    return n;
}

static char *tar_member_link(TarReader *t, const TarHeader *h)
{
    if (t->long_link) {
        char *l = t->long_link;
        t->long_link = NULL;
        return l;
    }
    return strndup(h->linkname, sizeof(h->linkname));
}

/* The directory of name (created) and its last component. */
static int tar_parent(TarReader *t, char *name, const char **base)
{
    char *slash = strrchr(name, '/');
    *base = slash ? slash + 1 : name;
    if (!slash) {
        return fcntl(t->rootfd, F_DUPFD_CLOEXEC, 0);
    }
    *slash = '\0';
    int dir = exec_root_mkdirs(t->rootfd, name, t->err);
    *slash = '/';
    return dir;
}

static bool tar_copy(TarReader *t, int dst, uint64_t size, const char *name)
{
    for (uint64_t left = size; left > 0;) {
        size_t n = left < TAR_COPY ? (size_t)left : TAR_COPY;
        if (!tar_read(t, t->buf, n)) {
            return false;
        }
        if (write(dst, t->buf, n) != (ssize_t)n) {
            return exec_init_fail(t->err, "write %s", name);
        }
        left -= n;
    }
    return tar_seek(t, tar_padding(size));
}

static bool tar_file(TarReader *t, char *name, mode_t mode, uint64_t size)
{
    const char *base;
    int dir = tar_parent(t, name, &base);
    if (dir < 0) {
        return false;
    }
    int fd = openat(dir, base, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    close(dir);
    if (fd < 0) {
        return exec_init_fail(t->err, "create %s", name);
    }
    bool ok = tar_copy(t, fd, size, name) &&
              (fchmod(fd, mode & 0755) == 0 || exec_init_fail(t->err, "chmod %s", name));
    close(fd);
    return ok;
}

static bool tar_dir(TarReader *t, char *name, mode_t mode)
{
    if (!*name) {
        return true; /* "./": the root itself */
    }
    int dir = exec_root_mkdirs(t->rootfd, name, t->err);
    if (dir < 0) {
        return false;
    }
    close(dir);
    struct open_how how = {.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
                           .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
    int fd = (int)syscall(SYS_openat2, t->rootfd, name, &how, sizeof(how));
    bool ok = fd >= 0 && fchmod(fd, (mode & 0755) | 0700) == 0;
    if (fd >= 0) {
        close(fd);
    }
    return ok || exec_init_fail(t->err, "chmod %s", name);
}

static bool tar_symlink(TarReader *t, char *name, const char *target)
{
    const char *base;
    int dir = tar_parent(t, name, &base);
    if (dir < 0) {
        return false;
    }
    bool ok = symlinkat(target, dir, base) == 0 || exec_init_fail(t->err, "symlink %s", name);
    close(dir);
    return ok;
}

/* A hard link becomes a copy of the member it names, which must have come before. */
static bool tar_hardlink(TarReader *t, char *name, char *target)
{
    if (!tar_clean_name(target)) {
        return tar_fail(t, name, "a hard link out of the archive");
    }
    struct open_how how = {.flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW,
                           .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
    int src = (int)syscall(SYS_openat2, t->rootfd, target, &how, sizeof(how));
    struct stat st;
    if (src < 0 || fstat(src, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (src >= 0) {
            close(src);
        }
        return exec_init_fail(t->err, "hard link %s to %s", name, target);
    }
    const char *base;
    int dir = tar_parent(t, name, &base);
    int dst = dir >= 0 ? openat(dir, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                                st.st_mode & 0755)
                       : -1;
    bool ok = dst >= 0 || exec_init_fail(t->err, "create %s", name);
    for (ssize_t n = 1; ok && n > 0;) {
        n = read(src, t->buf, TAR_COPY);
        ok = n >= 0 && (n == 0 || write(dst, t->buf, (size_t)n) == n);
        ok = ok || exec_init_fail(t->err, "copy %s to %s", target, name);
    }
    close(src);
    if (dir >= 0) {
        close(dir);
    }
    if (dst >= 0) {
        close(dst);
    }
    return ok;
}

/* One member other than the extended headers; name is ours (freed by the caller). */
static bool tar_member(TarReader *t, const TarHeader *h, char *name, uint64_t size)
{
    uint64_t mode;
    if (!tar_number(h->mode, sizeof(h->mode), &mode)) {
        return tar_fail(t, name, "a malformed mode");
    }
    if (!tar_clean_name(name)) {
        return tar_fail(t, name, "an absolute name, or one with '..' or a control character");
    }
    switch (h->typeflag) {
    case '0':
    case '\0':
    case '7':
        return *name ? tar_file(t, name, (mode_t)mode, size)
                     : tar_fail(t, "the archive", "a file without a name");
    case '5': return tar_dir(t, name, (mode_t)mode) && tar_seek(t, size + tar_padding(size));
    case '1':
    case '2': {
        char *link = tar_member_link(t, h);
        bool ok =
            link && (h->typeflag == '2' ? tar_symlink(t, name, link) : tar_hardlink(t, name, link));
        free(link);
        return ok && tar_seek(t, size + tar_padding(size));
    }
    default: return tar_fail(t, name, "a device, FIFO or other special member");
    }
}

/* One header and what follows it; *end at the archive's end (a zero block). */
static bool tar_next(TarReader *t, bool *end)
{
    TarHeader h;
    static const TarHeader zero;
    ssize_t r = read(t->fd, &h, sizeof(h));
    if (r == 0 || (r == (ssize_t)sizeof(h) && !memcmp(&h, &zero, sizeof(h)))) {
        *end = true;
        return true;
    }
    if (r != (ssize_t)sizeof(h) && !(r > 0 && tar_read(t, (char *)&h + r, sizeof(h) - (size_t)r))) {
        return r < 0 ? exec_init_fail(t->err, "read the archive") : false;
    }
    uint64_t size;
    if (!tar_checksum_ok(&h) || !tar_number(h.size, sizeof(h.size), &size)) {
        return tar_fail(t, "the archive", "not a tar archive, or a corrupt header");
    }
    if (t->pax_size) {
        size = t->pax_size;
        t->pax_size = 0;
    }
    if (h.typeflag == 'L' || h.typeflag == 'K' || h.typeflag == 'x') {
        char *meta = tar_read_meta(t, size);
        if (!meta) {
            return false;
        }
        bool ok = true;
        if (h.typeflag == 'x') {
            ok = tar_pax(t, meta, (size_t)size);
            free(meta);
        } else {
            char **slot = h.typeflag == 'L' ? &t->long_name : &t->long_link;
            free(*slot);
            *slot = meta;
        }
        return ok;
    }
    if (h.typeflag == 'g') {
        return tar_seek(t, size + tar_padding(size));
    }
    char *name = tar_member_name(t, &h);
    bool ok = name ? tar_member(t, &h, name, size) : exec_init_fail(t->err, "allocate a name");
    free(name);
    return ok;
}

bool exec_tar_unpack(const char *tar, const char *dir, ExecInitError *err)
{
    TarReader t = {.fd = open(tar, O_RDONLY | O_CLOEXEC), .rootfd = -1, .err = err};
    if (t.fd < 0) {
        return exec_init_fail(err, "open %s", tar);
    }
    bool ok = (t.rootfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC)) >= 0 ||
              exec_init_fail(err, "open %s", dir);
    ok = ok && ((t.buf = malloc(TAR_COPY)) || exec_init_fail(err, "allocate a buffer"));
    for (bool end = false; ok && !end;) {
        ok = tar_next(&t, &end);
    }
    free(t.buf);
    free(t.long_name);
    free(t.long_link);
    if (t.rootfd >= 0) {
        close(t.rootfd);
    }
    close(t.fd);
    return ok;
}
