/* The fixture shared by the user-mode syscall tests (user-fixture.h). */
#define _GNU_SOURCE
#include "tests/unit/user-fixture.h"

#include <elf.h>
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

const UserArch user_fixture_riscv64 = {.name = "riscv64", .elf_machine = EM_RISCV};

void user_fixture_setup(UserFixture *uf, const UserArch *arch, uint64_t scratch_size,
                        bool unmapped_guard)
{
    g_autoptr(GError) err = NULL;
    memset(uf, 0, sizeof(*uf));
    g_assert_true(guest_space_init(&uf->proc.space, 1ull << 32, &err));
    uf->proc.arch = arch;
    uf->proc.exe_path = g_strdup("/bin/true");
    g_assert_cmpint(pthread_mutex_init(&uf->proc.thread_lock, NULL), ==, 0);
    uf->thread.proc = &uf->proc;
    uf->thread.tid = (int)gettid();
    int64_t a = guest_mmap(&uf->proc.space, 0, scratch_size + GUEST_PAGE_SIZE,
                           PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    g_assert_cmpint(a, >, 0);
    if (unmapped_guard) {
        g_assert_cmpint(guest_munmap(&uf->proc.space, a + scratch_size, GUEST_PAGE_SIZE), ==, 0);
    } else {
        g_assert_cmpint(
            guest_mprotect(&uf->proc.space, a + scratch_size, GUEST_PAGE_SIZE, PROT_READ), ==, 0);
    }
    uf->scratch = (uint64_t)a;
    uf->host = g2h(&uf->proc.space, uf->scratch);
}

void user_fixture_teardown(UserFixture *uf)
{
    guest_space_destroy(&uf->proc.space);
    g_free(uf->proc.exe_path);
    g_free(uf->proc.sysroot);
    pthread_mutex_destroy(&uf->proc.thread_lock);
}

uint64_t user_fixture_put_str(UserFixture *uf, uint64_t off, const char *s)
{
    memcpy(uf->host + off, s, strlen(s) + 1);
    return uf->scratch + off;
}
