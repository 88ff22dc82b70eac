/*
 * An environment handed to a new emulator process by fd rather than as its own: the
 * guest's variables (LD_PRELOAD, GLIBC_TUNABLES, …) must never reach the host's dynamic
 * loader. The block is what /proc/PID/environ holds: each string followed by a NUL. Plain
 * libc, for paddock-sandbox as well as user mode.
 */
#ifndef VMCORE_ENV_BLOCK_H
#define VMCORE_ENV_BLOCK_H

#include <stddef.h>

/* A memfd (inherited across execve, positioned at 0) holding strs[0..n); -1 with errno. */
int env_block_memfd(char *const *strs, size_t n);

/* The strings of the block read from fd, NULL-terminated (free each and the array with
 * free()), the fd closed; NULL with errno. A last string without its NUL counts. */
char **env_block_read(int fd);

#endif
