/*
 * The fixture shared by the user-mode syscall tests (test-user-syscall.c, -signal.c,
 * -thread.c): a UserProcess with a real GuestSpace, a thread of it on which user_syscall is
 * called as a CPU loop calls it, and a scratch area mapped in the guest.
 */
#ifndef PADDOCK_TESTS_UNIT_USER_FIXTURE_H
#define PADDOCK_TESTS_UNIT_USER_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "user/syscall.h"

typedef struct UserFixture {
    UserProcess proc;
    UserThread thread;
    uint64_t scratch; /* the scratch area's guest address, a guard page after it */
    uint8_t *host;    /* the scratch area's host address */
} UserFixture;

/* A riscv64 process for tests that run no guest code: a name and an ELF machine only. */
extern const UserArch user_fixture_riscv64;

/*
 * Zeroes uf and sets it up: a 4 GiB guest space, proc->arch = arch, exe_path "/bin/true",
 * thread_lock initialised, the thread belonging to the process with the caller's tid, and
 * scratch_size read-write bytes of scratch followed by one guard page, read-only or (with
 * unmapped_guard) not mapped at all.
 */
void user_fixture_setup(UserFixture *uf, const UserArch *arch, uint64_t scratch_size,
                        bool unmapped_guard);

/* Undoes user_fixture_setup: the guest space, exe_path and sysroot, thread_lock. */
void user_fixture_teardown(UserFixture *uf);

/* Copies s (with its NUL) into the scratch area at off; returns its guest address. */
uint64_t user_fixture_put_str(UserFixture *uf, uint64_t off, const char *s);

/* A syscall on uf's thread with up to six arguments, the rest zero. */
#define USER_SYS(uf, nr, ...) user_syscall(&(uf)->thread, (nr), (const uint64_t[6]){__VA_ARGS__})

/* Unaligned host-endian accesses at p + off. */
static inline uint64_t get_u64(const uint8_t *p, size_t off)
{
    uint64_t v;
    memcpy(&v, p + off, sizeof(v));
    return v;
}

static inline uint32_t get_u32(const uint8_t *p, size_t off)
{
    uint32_t v;
    memcpy(&v, p + off, sizeof(v));
    return v;
}

static inline void put_u64(uint8_t *p, size_t off, uint64_t v)
{
    memcpy(p + off, &v, sizeof(v));
}

#endif /* PADDOCK_TESTS_UNIT_USER_FIXTURE_H */
