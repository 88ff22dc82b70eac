/* Environment blocks; see env-block.h. */
#define _GNU_SOURCE
#include "vmcore/env-block.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            return -1;
        }
        p += w, n -= (size_t)w;
    }
    return 0;
}

/* Closes fd keeping errno, for a failure's path: -1. */
static int close_failed(int fd)
{
    int err = errno;
    close(fd);
    errno = err;
    return -1;
}

int env_block_memfd(char *const *strs, size_t n)
{
    int fd = memfd_create("paddock-env", 0);
    if (fd < 0) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (write_all(fd, strs[i], strlen(strs[i]) + 1) != 0) {
            return close_failed(fd);
        }
    }
    return lseek(fd, 0, SEEK_SET) == 0 ? fd : close_failed(fd);
}

/* The whole content of fd (malloc'd, NUL-terminated past *len), or NULL. */
static char *read_all(int fd, size_t *len)
{
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            if (r == 0) {
                buf[n] = '\0';
                *len = n;
                return buf;
            }
            break;
        }
        n += (size_t)r;
        if (n == cap) {
            char *bigger = cap < SIZE_MAX / 4 ? realloc(buf, 2 * cap + 1) : NULL;
            if (!bigger) {
                break;
            }
            buf = bigger, cap *= 2;
        }
    }
    int err = errno;
    free(buf);
    errno = err ? err : ENOMEM;
    return NULL;
}

char **env_block_read(int fd)
{
    size_t len = 0;
    char *buf = read_all(fd, &len);
    int err = errno;
    close(fd);
    if (!buf) {
        errno = err;
        return NULL;
    }
    size_t count = 0;
    for (size_t i = 0; i < len; i += strlen(buf + i) + 1) {
        count++;
    }
    char **strs = calloc(count + 1, sizeof(*strs));
    size_t k = 0;
    for (size_t i = 0; strs && i < len; i += strlen(buf + i) + 1) {
        if (!(strs[k++] = strdup(buf + i))) {
            while (k--) {
                free(strs[k]);
            }
            free(strs);
            strs = NULL;
        }
    }
    free(buf);
    if (!strs) {
        errno = ENOMEM;
    }
    return strs;
}
