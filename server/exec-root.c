/*
 * The guest's root, built by paddock-sandbox before anything of the guest runs
 * (exec-init.h). With namespaces, the new root is a small read-only tmpfs holding:
 *
 *     /guest        the guest's root: a tmpfs of scratch_bytes (its only writable place),
 *                   or an overlay of that tmpfs over the read-only sysroot; /guest/dev
 *                   holds binds of five harmless device nodes (null, zero, full, random,
 *                   urandom)
 *     /proc         the run's own procfs (only its pid namespace is visible), for the
 *                   emulator: the guest has the few /proc/self files it emulates
 *     /usr/lib …    read-only binds of the host's libraries, which the emulator needs
 *     /.paddock/paddock  a read-only bind of the emulator (EXEC_EMULATOR_PATH), which it
 *                   finds again through /proc/self/exe to run a guest's execve
 *
 * and the old root is detached after pivot_root, so nothing else of the host is reachable
 * by any path. The emulator runs with `--root /guest` (user/fs-root.h): every guest path is
 * resolved below /guest by the kernel (openat2's RESOLVE_IN_ROOT), so "..", symlinks
 * (absolute ones included, a sysroot's too) and the guest's cwd cannot leave it, and the
 * skeleton around it (the emulator, the host's libraries, /proc) is out of the guest's
 * reach as well. The program is a read-only bind of its pool blob (blobs are 0555 in a
 * 0700 pool; an older 0600 one is copied instead); the request's files are copied into
 * the guest's tmpfs, so they count against its size, are executable whatever the pool's
 * file modes, and cannot change the pool; paddock-sandbox places them with
 * RESOLVE_IN_ROOT below the guest's root.
 *
 * Without namespaces (the fallback) the guest's root is a directory paddockd made under
 * the pool's run/ directory: the files, the program too, are copied there, the emulator runs
 * with `--root` that directory, and the device nodes are made there with mknod when
 * paddock-sandbox may (as root); an unprivileged fallback's guest has no /dev.
 */
#define _GNU_SOURCE
#include "server/exec-init.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Host files the emulator needs once the old root is gone: its dynamic loader and shared
 * libraries. A symlink (merged-/usr hosts link /lib to usr/lib) is copied as a symlink;
 * a directory or file is bound read-only; a missing one is skipped. */
static const char *const root_host_libs[] = {
    "/lib",       "/lib32",     "/lib64",      "/libx32",        "/usr/lib",
    "/usr/lib32", "/usr/lib64", "/usr/libx32", "/usr/local/lib",
};
static const char *const root_dev_nodes[] = {"null", "zero", "full", "random", "urandom"};

/* The skeleton holds mount points only; the guest's files are bounded by inodes too, since
 * tmpfs inodes take memory that its size option does not count. */
#define ROOT_SKELETON_SIZE  "1m"
#define ROOT_SCRATCH_INODES "65536"
#define ROOT_HOSTNAME       "paddock"

static int root_openat2(int dirfd, const char *path, int flags, uint64_t resolve)
{
    struct open_how how = {.flags = (uint64_t)flags, .resolve = resolve};
    return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
}

/* The last component of path and the length of what precedes it. */
static const char *root_split(const char *path, size_t *dir_len)
{
    const char *slash = strrchr(path, '/');
    *dir_len = slash ? (size_t)(slash - path) : 0;
    return slash ? slash + 1 : path;
}

/* Opens (O_PATH) the directory made of the first len bytes of path below rootfd, resolved
 * in root; creates it (0755) when its parent exists and it does not. */
static int root_open_dir(int rootfd, int parent, const char *path, size_t len, ExecInitError *err)
{
    char prefix[PATH_MAX];
    if (len >= sizeof(prefix)) {
        errno = ENAMETOOLONG;
        return exec_init_fail(err, "directory %.64s…", path), -1;
    }
    memcpy(prefix, path, len);
    prefix[len] = '\0';
    const int flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
    const uint64_t resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    int fd = root_openat2(rootfd, prefix, flags, resolve);
    if (fd < 0 && errno == ENOENT) {
        size_t dlen;
        const char *name = root_split(prefix, &dlen);
        if (mkdirat(parent, name, 0755) != 0 && errno != EEXIST) {
            return exec_init_fail(err, "create directory %s", prefix), -1;
        }
        fd = root_openat2(rootfd, prefix, flags, resolve);
    }
    if (fd < 0) {
        exec_init_fail(err, "open directory %s", prefix);
    }
    return fd;
}

int exec_root_mkdirs(int rootfd, const char *path, ExecInitError *err)
{
    int dir = fcntl(rootfd, F_DUPFD_CLOEXEC, 0);
    if (dir < 0) {
        return exec_init_fail(err, "dup the root directory"), -1;
    }
    size_t len = strlen(path);
    for (size_t i = 1; i <= len && dir >= 0; i++) {
        if ((path[i] == '/' || path[i] == '\0') && path[i - 1] != '/') {
            int next = root_open_dir(rootfd, dir, path, i, err);
            close(dir);
            dir = next;
        }
    }
    return dir;
}

static bool root_copy(int src, int dst, const char *what, ExecInitError *err)
{
    for (;;) {
        ssize_t n = sendfile(dst, src, NULL, 1 << 30);
        if (n == 0) {
            return true;
        }
        if (n < 0 && errno != EINTR) {
            return exec_init_fail(err, "copy %s", what);
        }
    }
}

/* Copies the host file p->host to p->guest below rootfd, mode 0555. */
static bool root_place(int rootfd, const ExecPlace *p, ExecInitError *err)
{
    size_t dlen;
    const char *name = root_split(p->guest, &dlen);
    char dirpath[PATH_MAX];
    snprintf(dirpath, sizeof(dirpath), "%.*s", (int)dlen, p->guest);
    int dir = exec_root_mkdirs(rootfd, dirpath, err);
    if (dir < 0) {
        return false;
    }
    bool ok = false;
    int src = open(p->host, O_RDONLY | O_CLOEXEC);
    int dst = -1;
    if (src < 0) {
        exec_init_fail(err, "open %s (for %s)", p->host, p->guest);
    } else if ((dst = openat(dir, name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
                             0555)) < 0) {
        exec_init_fail(err, "create %s in the guest's root", p->guest);
    } else if (root_copy(src, dst, p->guest, err)) {
        ok = fchmod(dst, 0555) == 0 || exec_init_fail(err, "chmod %s", p->guest);
    }
    if (src >= 0) {
        close(src);
    }
    if (dst >= 0) {
        close(dst);
    }
    close(dir);
    return ok;
}

static bool root_bind_host(int rootfd, const char *path, const char *at, bool is_dir,
                           ExecInitError *err);

/* A pool blob, readable and executable by all, may be bound instead of copied: the guest
 * sees the same bytes, read-only, and no copy is made for each run. */
static bool root_bindable(const ExecPlace *p)
{
    struct stat st;
    return p->bind && stat(p->host, &st) == 0 && S_ISREG(st.st_mode) &&
           (st.st_mode & 0555) == 0555;
}

/* The guest's /tmp (1777), its root owned by the guest, and the placed files: bound
 * read-only where they may be and can_bind (the namespace sandbox), else copied. */
static bool root_fill(int rootfd, const ExecInitPlan *plan, bool can_bind, ExecInitError *err)
{
    if (plan->guest_uid >= 0 &&
        fchownat(rootfd, "", (uid_t)plan->guest_uid, (gid_t)plan->guest_gid, AT_EMPTY_PATH) != 0) {
        return exec_init_fail(err, "chown the guest's root to %ld", plan->guest_uid);
    }
    if (mkdirat(rootfd, "tmp", 01777) != 0 && errno != EEXIST) {
        return exec_init_fail(err, "create the guest's /tmp");
    }
    if (fchmodat(rootfd, "tmp", 01777, 0) != 0) {
        return exec_init_fail(err, "chmod the guest's /tmp");
    }
    for (size_t i = 0; i < plan->n_places; i++) {
        const ExecPlace *p = &plan->places[i];
        bool ok = can_bind && root_bindable(p) ? root_bind_host(rootfd, p->host, p->guest, false, err)
                                               : root_place(rootfd, p, err);
        if (!ok) {
            return false;
        }
    }
    return true;
}

/* ---- namespaces: mounts with the fd-based mount API ---- */

/* A new, detached mount of fs type with opts (name, value pairs; a NULL value is a flag;
 * NULL-terminated), with mount attributes attrs; returns its fd or -1. */
static int root_fs_new(const char *type, const char *const *opts, unsigned attrs,
                       ExecInitError *err)
{
    int fs = fsopen(type, FSOPEN_CLOEXEC);
    if (fs < 0) {
        return exec_init_fail(err, "fsopen %s", type), -1;
    }
    for (const char *const *o = opts; o && o[0]; o += 2) {
        int r = o[1] ? fsconfig(fs, FSCONFIG_SET_STRING, o[0], o[1], 0)
                     : fsconfig(fs, FSCONFIG_SET_FLAG, o[0], NULL, 0);
        if (r != 0) {
            close(fs);
            return exec_init_fail(err, "%s option %s=%s", type, o[0], o[1] ? o[1] : ""), -1;
        }
    }
    int m = -1;
    if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) != 0) {
        exec_init_fail(err, "create a %s", type);
    } else if ((m = fsmount(fs, FSMOUNT_CLOEXEC, attrs)) < 0) {
        exec_init_fail(err, "fsmount %s", type);
    }
    close(fs);
    return m;
}

/* A detached recursive bind of host path with attributes attrs; returns its fd or -1. */
static int root_bind_new(const char *path, unsigned attrs, ExecInitError *err)
{
    int t = open_tree(AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
    if (t < 0) {
        return exec_init_fail(err, "bind %s", path), -1;
    }
    struct mount_attr attr = {.attr_set = attrs};
    if (mount_setattr(t, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) != 0) {
        close(t);
        return exec_init_fail(err, "set the attributes of the bind of %s", path), -1;
    }
    return t;
}

/* Attaches the detached mount m at path below dirfd (which must exist) and closes m. */
static bool root_attach(int m, int dirfd, const char *path, ExecInitError *err)
{
    bool ok = move_mount(m, "", dirfd, path, MOVE_MOUNT_F_EMPTY_PATH) == 0 ||
              exec_init_fail(err, "attach a mount at %s", path);
    close(m);
    return ok;
}

/* An empty file at path below rootfd (creating its directories), to mount a file on. */
static bool root_touch(int rootfd, const char *path, ExecInitError *err)
{
    size_t dlen;
    const char *name = root_split(path, &dlen);
    char dirpath[PATH_MAX];
    snprintf(dirpath, sizeof(dirpath), "%.*s", (int)dlen, path);
    int dir = exec_root_mkdirs(rootfd, dirpath, err);
    if (dir < 0) {
        return false;
    }
    int fd = openat(dir, name, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0444);
    close(dir);
    if (fd < 0) {
        return exec_init_fail(err, "create mount point %s", path);
    }
    close(fd);
    return true;
}

/* Binds host path (a directory or file) read-only at at (absolute) below rootfd. */
static bool root_bind_host(int rootfd, const char *path, const char *at, bool is_dir,
                           ExecInitError *err)
{
    int dir;
    if (is_dir) {
        if ((dir = exec_root_mkdirs(rootfd, at, err)) < 0) {
            return false;
        }
        close(dir);
    } else if (!root_touch(rootfd, at + 1, err)) {
        return false;
    }
    int m = root_bind_new(path, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, err);
    return m >= 0 && root_attach(m, rootfd, at + 1, err);
}

static bool root_host_files(int rootfd, const char *emulator, ExecInitError *err)
{
    for (size_t i = 0; i < sizeof(root_host_libs) / sizeof(root_host_libs[0]); i++) {
        const char *path = root_host_libs[i];
        struct stat st;
        char target[PATH_MAX];
        if (lstat(path, &st) != 0) {
            if (errno == ENOENT) {
                continue;
            }
            return exec_init_fail(err, "stat %s", path);
        }
        if (S_ISLNK(st.st_mode)) {
            ssize_t n = readlink(path, target, sizeof(target) - 1);
            if (n < 0) {
                return exec_init_fail(err, "readlink %s", path);
            }
            target[n] = '\0';
            if (symlinkat(target, rootfd, path + 1) != 0) {
                return exec_init_fail(err, "symlink %s", path);
            }
        } else if (!root_bind_host(rootfd, path, path, S_ISDIR(st.st_mode), err)) {
            return false;
        }
    }
    return root_bind_host(rootfd, emulator, EXEC_EMULATOR_PATH, false, err);
}

/* The emulator's /proc in the skeleton, and the device nodes in the guest's root. */
static bool root_proc_dev(int rootfd, int guestfd, ExecInitError *err)
{
    if (mkdirat(rootfd, "proc", 0555) != 0) {
        return exec_init_fail(err, "create /proc");
    }
    int m =
        root_fs_new("proc", NULL, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, err);
    if (m < 0 || !root_attach(m, rootfd, "proc", err)) {
        return false;
    }
    for (size_t i = 0; i < sizeof(root_dev_nodes) / sizeof(root_dev_nodes[0]); i++) {
        char path[64];
        snprintf(path, sizeof(path), "/dev/%s", root_dev_nodes[i]);
        if (!root_touch(guestfd, path + 1, err)) {
            return false;
        }
        m = root_bind_new(path, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, err);
        if (m < 0 || !root_attach(m, guestfd, path + 1, err)) {
            return false;
        }
    }
    return true;
}

/* The guest's layer at rootfd/guest: its tmpfs alone, or under an overlay with the
 * sysroot. The tmpfs is first attached at .scratch for the overlay to name its upper and
 * work directories, then detached: the overlay keeps its own reference. */
static bool root_guest_layer(int rootfd, const ExecInitPlan *plan, ExecInitError *err)
{
    char size[32];
    snprintf(size, sizeof(size), "%llu", (unsigned long long)plan->scratch_bytes);
    const char *const scratch_opts[] = {"size", size,   "nr_inodes", ROOT_SCRATCH_INODES,
                                        "mode", "0755", NULL};
    const unsigned attrs = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
    const char *dir = plan->sysroot ? ".scratch" : EXEC_GUEST_DIR + 1;
    if (mkdirat(rootfd, EXEC_GUEST_DIR + 1, 0755) != 0 ||
        (plan->sysroot && mkdirat(rootfd, ".scratch", 0700) != 0)) {
        return exec_init_fail(err, "create the guest's mount points");
    }
    int m = root_fs_new("tmpfs", scratch_opts, attrs, err);
    if (m < 0 || !root_attach(m, rootfd, dir, err)) {
        return false;
    }
    if (!plan->sysroot) {
        return true;
    }
    char upper[PATH_MAX], work[PATH_MAX];
    snprintf(upper, sizeof(upper), "%s/.scratch/upper", plan->mount_on);
    snprintf(work, sizeof(work), "%s/.scratch/work", plan->mount_on);
    if (mkdir(upper, 0755) != 0 || mkdir(work, 0700) != 0) {
        return exec_init_fail(err, "create the overlay's directories");
    }
    const char *const ovl_opts[] = {"lowerdir", plan->sysroot, "upperdir", upper, "workdir",
                                    work,       "userxattr",   NULL,       NULL};
    m = root_fs_new("overlay", ovl_opts, attrs, err);
    if (m < 0 || !root_attach(m, rootfd, EXEC_GUEST_DIR + 1, err)) {
        return false;
    }
    char scratch[PATH_MAX];
    snprintf(scratch, sizeof(scratch), "%s/.scratch", plan->mount_on);
    if (umount2(scratch, MNT_DETACH) != 0 || unlinkat(rootfd, ".scratch", AT_REMOVEDIR) != 0) {
        return exec_init_fail(err, "detach the scratch tmpfs");
    }
    return true;
}

/* pivot_root(".", ".") stacks the old root on the new one; detaching it leaves the new. */
static bool root_pivot(int rootfd, ExecInitError *err)
{
    if (fchdir(rootfd) != 0) {
        return exec_init_fail(err, "chdir to the new root");
    }
    if (syscall(SYS_pivot_root, ".", ".") != 0) {
        return exec_init_fail(err, "pivot_root");
    }
    if (umount2(".", MNT_DETACH) != 0) {
        return exec_init_fail(err, "detach the old root");
    }
    if (chdir(EXEC_GUEST_DIR) != 0) {
        return exec_init_fail(err, "chdir %s", EXEC_GUEST_DIR);
    }
    return true;
}

static bool root_build_ns(const ExecInitPlan *plan, ExecInitError *err)
{
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
        return exec_init_fail(err, "make the mounts private");
    }
    const char *const skel_opts[] = {"size", ROOT_SKELETON_SIZE, "mode", "0755", NULL};
    int m = root_fs_new("tmpfs", skel_opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, err);
    if (m < 0) {
        return false;
    }
    if (move_mount(m, "", AT_FDCWD, plan->mount_on, MOVE_MOUNT_F_EMPTY_PATH) != 0) {
        close(m);
        return exec_init_fail(err, "mount the new root on %s", plan->mount_on);
    }
    int rootfd = open(plan->mount_on, O_PATH | O_DIRECTORY | O_CLOEXEC);
    int guestfd = -1;
    struct mount_attr ro = {.attr_set = MOUNT_ATTR_RDONLY};
    bool ok = rootfd >= 0 || exec_init_fail(err, "open the new root");
    ok = ok && root_guest_layer(rootfd, plan, err);
    ok = ok &&
         ((guestfd = openat(rootfd, EXEC_GUEST_DIR + 1, O_PATH | O_DIRECTORY | O_CLOEXEC)) >= 0 ||
          exec_init_fail(err, "open the guest's root"));
    ok = ok && root_fill(guestfd, plan, true, err) && root_host_files(rootfd, plan->emu_argv[0], err) &&
         root_proc_dev(rootfd, guestfd, err);
    ok = ok && (sethostname(ROOT_HOSTNAME, strlen(ROOT_HOSTNAME)) == 0 ||
                exec_init_fail(err, "sethostname"));
    ok = ok && (mount_setattr(m, "", AT_EMPTY_PATH, &ro, sizeof(ro)) == 0 ||
                exec_init_fail(err, "make the new root read-only"));
    ok = ok && root_pivot(rootfd, err);
    close(m);
    if (guestfd >= 0) {
        close(guestfd);
    }
    if (rootfd >= 0) {
        close(rootfd);
    }
    return ok;
}

/* The fallback's device nodes, made with mknod as only root may: without that privilege
 * (EPERM) the guest goes without. The host's nodes give their numbers. */
static bool root_dev_mknod(int rootfd, ExecInitError *err)
{
    int dev = exec_root_mkdirs(rootfd, "/dev", err);
    if (dev < 0) {
        return false;
    }
    bool ok = true;
    for (size_t i = 0; ok && i < sizeof(root_dev_nodes) / sizeof(root_dev_nodes[0]); i++) {
        const char *name = root_dev_nodes[i];
        char path[64];
        struct stat st;
        snprintf(path, sizeof(path), "/dev/%s", name);
        if (stat(path, &st) != 0 || !S_ISCHR(st.st_mode)) {
            continue;
        }
        if (mknodat(dev, name, S_IFCHR | 0666, st.st_rdev) != 0) {
            ok = errno == EPERM || exec_init_fail(err, "mknod %s in the guest's root", path);
            break;
        }
        ok = fchmodat(dev, name, 0666, 0) == 0 || exec_init_fail(err, "chmod %s", path);
    }
    close(dev);
    return ok;
}

static bool root_build_dir(const ExecInitPlan *plan, ExecInitError *err)
{
    int rootfd = open(plan->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0) {
        return exec_init_fail(err, "open the guest's root %s", plan->root);
    }
    bool ok = root_fill(rootfd, plan, false, err) && root_dev_mknod(rootfd, err);
    close(rootfd);
    return ok && (chdir(plan->root) == 0 || exec_init_fail(err, "chdir %s", plan->root));
}

bool exec_root_build(const ExecInitPlan *plan, ExecInitError *err)
{
    return plan->namespaces ? root_build_ns(plan, err) : root_build_dir(plan, err);
}

uint64_t exec_root_scratch_used(const ExecInitPlan *plan)
{
    struct statfs st;
    if (!plan->namespaces || statfs(EXEC_GUEST_DIR, &st) != 0) {
        return 0;
    }
    return (uint64_t)(st.f_blocks - st.f_bfree) * (uint64_t)st.f_bsize;
}
