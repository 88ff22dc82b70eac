/*
 * The initial stack of a guest process, laid out exactly as Linux's create_elf_tables()
 * does for the generic ABI, because C libraries and dynamic loaders read it blind:
 *
 *     top of the guest space   8 bytes of zero
 *                              AT_EXECFN string, envp strings, argv strings
 *                              (16-byte aligned) 16 AT_RANDOM bytes
 *                              (gap)
 *     sp + 8 * (argc + envc + 3)  auxv pairs, ending with AT_NULL
 *                              envp pointers, NULL
 *                              argv pointers, NULL
 *     sp (16-byte aligned)     argc
 *
 * The stack is GUEST_STACK_SIZE bytes at the very top of the guest space (the reservation's
 * guard page follows it); it is executable only when PT_GNU_STACK asks for it.
 */
#include <elf.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <unistd.h>

#include "user/run.h"
#include "user/user-internal.h"

#define AUXV_MAX_PAIRS 24

typedef struct StackBuilder {
    GuestSpace *gs;
    uint64_t pos; /* next free byte is below this */
} StackBuilder;

static uint64_t push_bytes(StackBuilder *b, const void *data, size_t len)
{
    b->pos -= len;
    memcpy(g2h(b->gs, b->pos), data, len);
    return b->pos;
}

static uint64_t push_string(StackBuilder *b, const char *s)
{
    return push_bytes(b, s, strlen(s) + 1);
}

static size_t count_strings(char **v, size_t *bytes)
{
    size_t n = 0;
    for (; v && v[n]; n++) {
        *bytes += strlen(v[n]) + 1;
    }
    return n;
}

/* Pushes the strings of v, last first, so that they end up in order; their addresses. */
static uint64_t *push_strings(StackBuilder *b, char **v, size_t n)
{
    uint64_t *addr = g_new(uint64_t, n + 1);
    for (size_t i = n; i-- > 0;) {
        addr[i] = push_string(b, v[i]);
    }
    addr[n] = 0;
    return addr;
}

typedef struct Auxv {
    uint64_t w[2 * AUXV_MAX_PAIRS];
    size_t n; /* words used */
} Auxv;

static void aux(Auxv *a, uint64_t type, uint64_t val)
{
    g_assert(a->n + 2 <= G_N_ELEMENTS(a->w));
    a->w[a->n++] = type;
    a->w[a->n++] = val;
}

/* The auxiliary vector, in Linux's order. */
static void build_auxv(UserProcess *p, const UserLoadInfo *info, uint64_t random, uint64_t execfn,
                       Auxv *a)
{
    aux(a, AT_HWCAP, p->arch->hwcap());
    aux(a, AT_PAGESZ, GUEST_PAGE_SIZE);
    aux(a, AT_CLKTCK, (uint64_t)sysconf(_SC_CLK_TCK));
    aux(a, AT_PHDR, info->prog.phdr);
    aux(a, AT_PHENT, sizeof(Elf64_Phdr));
    aux(a, AT_PHNUM, info->prog.phnum);
    aux(a, AT_BASE, info->has_interp ? info->interp.bias : 0);
    aux(a, AT_FLAGS, 0);
    aux(a, AT_ENTRY, info->prog.entry);
    aux(a, AT_UID, getuid());
    aux(a, AT_EUID, geteuid());
    aux(a, AT_GID, getgid());
    aux(a, AT_EGID, getegid());
    aux(a, AT_SECURE, 0);
    aux(a, AT_RANDOM, random);
    aux(a, AT_EXECFN, execfn);
    aux(a, AT_NULL, 0);
}

static bool map_stack(GuestSpace *gs, bool exec, GError **errp)
{
    int prot = PROT_READ | PROT_WRITE | (exec ? PROT_EXEC : 0);
    int64_t r = guest_mmap(gs, gs->size - GUEST_STACK_SIZE, GUEST_STACK_SIZE, prot,
                           MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (r < 0) {
        g_set_error(errp, USER_ERROR, USER_ERROR_SETUP, "cannot map the guest stack: %s",
                    g_strerror((int)-r));
        return false;
    }
    return true;
}

/* Writes argc, the pointer vectors and auxv at sp. */
static void write_tables(GuestSpace *gs, uint64_t sp, size_t argc, const uint64_t *argv_addr,
                         size_t envc, const uint64_t *envp_addr, const Auxv *a)
{
    uint64_t *w = g2h(gs, sp);
    *w++ = argc;
    memcpy(w, argv_addr, (argc + 1) * sizeof(uint64_t));
    w += argc + 1;
    memcpy(w, envp_addr, (envc + 1) * sizeof(uint64_t));
    w += envc + 1;
    memcpy(w, a->w, a->n * sizeof(uint64_t));
}

bool user_setup_stack(UserProcess *p, const UserLoadInfo *info, char **argv, char **envp,
                      uint64_t *sp, GError **errp)
{
    GuestSpace *gs = &p->space;
    size_t bytes = strlen(p->execfn) + 1;
    size_t argc = count_strings(argv, &bytes), envc = count_strings(envp, &bytes);
    bytes += (argc + envc + 3 + 2 * AUXV_MAX_PAIRS) * sizeof(uint64_t) + 64;
    if (bytes > GUEST_STACK_SIZE / 4) {
        g_set_error(errp, USER_ERROR, USER_ERROR_SETUP,
                    "arguments and environment take %zu bytes: more than the %llu the guest "
                    "stack allows",
                    bytes, GUEST_STACK_SIZE / 4);
        return false;
    }
    if (!map_stack(gs, info->exec_stack, errp)) {
        return false;
    }
    uint8_t random[16];
    if (getentropy(random, sizeof(random)) != 0) {
        g_set_error(errp, USER_ERROR, USER_ERROR_SETUP, "getentropy for AT_RANDOM: %s",
                    g_strerror(errno));
        return false;
    }
    StackBuilder b = {.gs = gs, .pos = gs->size - sizeof(uint64_t)};
    uint64_t execfn = push_string(&b, p->execfn);
    g_autofree uint64_t *envp_addr = push_strings(&b, envp, envc);
    g_autofree uint64_t *argv_addr = push_strings(&b, argv, argc);
    b.pos &= ~(uint64_t)15;
    uint64_t random_addr = push_bytes(&b, random, sizeof(random));

    Auxv a = {0};
    build_auxv(p, info, random_addr, execfn, &a);
    uint64_t items = (argc + 1) + (envc + 1) + 1;
    uint64_t top = (b.pos - a.n * sizeof(uint64_t) - items * sizeof(uint64_t)) & ~(uint64_t)15;
    write_tables(gs, top, argc, argv_addr, envc, envp_addr, &a);
    p->auxv = g_byte_array_new();
    g_byte_array_append(p->auxv, (const guint8 *)a.w, (guint)(a.n * sizeof(uint64_t)));
    *sp = top;
    return true;
}
