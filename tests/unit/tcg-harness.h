/*
 * A bench for running hand-built IR on every backend: the same test runs on the
 * interpreter (the oracle) and on the x86-64 JIT, so a disagreement shows up as one test
 * failing on one backend only.
 *
 * A Harness owns a code buffer, a backend on it, a TCGContext whose globals live in a
 * TestEnv (i64 r0..r15 and pc, i32 w0..w7), and a user-mode guest memory with a guard
 * page after it. A test builds a TB between harness_begin() and harness_finish(), runs it
 * with harness_exec(), and reads the results from the TestEnv. Usage:
 *
 *     HarnessTB *tb = harness_begin(h);
 *     tcg_gen_add(h->s, h->r[0], h->r[1], h->r[2]);
 *     tcg_gen_exit_tb(h->s, 0);
 *     if (harness_finish(h, tb)) { harness_exec(h, tb); ... h->env->regs[0] ... }
 *
 * Tests register through harness_add_tests(), which repeats them for every entry of
 * harness_backends[] under /tcg/<suite>/<backend>/<name>.
 */
#ifndef PADDOCK_TESTS_UNIT_TCG_HARNESS_H
#define PADDOCK_TESTS_UNIT_TCG_HARNESS_H

#include <setjmp.h>

#include "tcg/backend.h"
#include "tcg/ir.h"
#include "tcg/tcg-op.h"

#define HARNESS_NB_REGS    16
#define HARNESS_NB_REGS32  8
#define HARNESS_DATA_WORDS 8192
#define HARNESS_GUEST_SIZE 0x10000u
#define HARNESS_CODE_SIZE  (16u << 20)

/* What the harness's fault_helper received last, and how many times it was called. */
typedef struct HarnessFault {
    unsigned count;
    uint64_t addr;
    uint32_t access; /* memop | is_store << 8 */
    uintptr_t retaddr;
} HarnessFault;

/* The CPU state of the test machine: what env points to while a TB runs. */
typedef struct TestEnv {
    uint64_t regs[HARNESS_NB_REGS];     /* i64 globals r0..r15 */
    uint32_t regs32[HARNESS_NB_REGS32]; /* i32 globals w0..w7 */
    uint64_t pc;                        /* i64 global "pc" */
    uint64_t data[HARNESS_DATA_WORDS];  /* scratch for ld/st through env */
    HarnessFault fault;
    sigjmp_buf *fault_jmp; /* set by harness_exec_catch() */
} TestEnv;

/* A backend under test; prepare (may be NULL) runs after the optimizer, before gen_code. */
typedef struct HarnessBackend {
    const char *name;
    const TCGBackendOps *ops;
    void (*prepare)(TCGContext *s);
} HarnessBackend;

extern const HarnessBackend harness_backends[];
extern const unsigned harness_nb_backends;

/* One generated TB; its address (aligned, so the low 2 bits are free) is the TB pointer
 * exit_tb_slot() returns. */
typedef struct HarnessTB {
    const void *code; /* rx address of its code */
    TCGTBCode info;
} HarnessTB;

typedef struct Harness {
    const HarnessBackend *backend;
    TCGCodeBuffer *cb;
    TCGBackend *be;
    TCGContext *s;
    TestEnv *env;
    uint8_t *guest; /* HARNESS_GUEST_SIZE bytes, then a PROT_NONE page */
    size_t guest_map_size;
    TCGv r[HARNESS_NB_REGS];
    TCGv w[HARNESS_NB_REGS32];
    TCGv pc;
    bool optimize;
    GPtrArray *tbs; /* HarnessTB, freed by harness_reset() and harness_free() */
} Harness;

Harness *harness_new(const HarnessBackend *backend);
void harness_free(Harness *h);

/* Runs tcg_optimize() on every TB before code generation (off by default). */
void harness_set_optimize(Harness *h, bool on);

/* Starts a TB's IR in h->s. */
HarnessTB *harness_begin(Harness *h);
/* Optimizes (if enabled), generates and commits the TB; on failure marks the test failed
 * and returns false. */
bool harness_finish(Harness *h, HarnessTB *tb);
/* Runs from tb's code until an exit; returns the exit value. */
uintptr_t harness_exec(Harness *h, const HarnessTB *tb);
/* The same, but a guest fault returns false (h->env->fault tells what) instead of
 * aborting the test. */
bool harness_exec_catch(Harness *h, const HarnessTB *tb, uintptr_t *ret);
/* Drops every TB and empties the code buffer. */
void harness_reset(Harness *h);

/* The guest instruction (0-based) whose code contains host_pc, or -1 (tb_insn_data's rule). */
int harness_insn_index(const HarnessTB *tb, uintptr_t host_pc);

typedef void (*HarnessTestFn)(Harness *h, const void *data);
/* Registers /tcg/<suite>/<backend>/<name> for every backend; each run gets a new Harness. */
void harness_add_tests(const char *suite, const char *name, HarnessTestFn fn, const void *data);

#endif /* PADDOCK_TESTS_UNIT_TCG_HARNESS_H */
