/*
 * The contract between the machine-neutral translator and a backend (tcg/x86_64/ emits
 * native code, tcg/interp/ emits a bytecode it interprets). Both sit on a code buffer
 * (tcg/code-buffer.h) and produce, for each TB, a block of "code" at an executable
 * address plus the facts the TB cache needs: where the goto_tb jumps are, and where each
 * guest instruction's code ends (for restoring the guest PC after a fault).
 *
 * Execution model: exec(env, code) runs translated code with env in the backend's env
 * register until some TB executes EXIT_TB(v); exec returns v. GOTO_TB(n) continues at
 * whatever its jump slot points to: initially the code right after it (normally an
 * EXIT_TB with the TB pointer | n), after chaining the start of another TB's code.
 * GOTO_PTR continues at an address that is either some TB's code or be->return_zero,
 * where exec returns 0.
 */
#ifndef TCG_BACKEND_H
#define TCG_BACKEND_H

#include <glib.h>

#include "tcg/code-buffer.h"
#include "tcg/ir.h"

#define TCG_NO_JUMP UINT32_MAX

/* What code generation produced for one TB; offsets are from the TB's code start. */
typedef struct TCGTBCode {
    uint32_t size;
    uint32_t jmp_insn_offset[2];  /* goto_tb n's patchable jump, or TCG_NO_JUMP */
    uint32_t jmp_reset_offset[2]; /* where that jump goes while unchained */
    GArray *insn_end;             /* uint32: offset where each guest insn's code ends */
} TCGTBCode;

typedef struct TCGBackend TCGBackend;

typedef struct TCGBackendOps {
    const char *name;
    size_t fixed_code_size; /* the most bytes init emits */
    /*
     * Sets the backend up and emits its fixed code (prologue, epilogue, return_zero) at
     * be->cb's position, where fixed_code_size bytes are free, committing what it wrote.
     */
    bool (*init)(TCGBackend *be, GError **errp);
    /*
     * Translates s's IR (already optimized) into be->cb at its current position.
     * Returns false without consuming the buffer when the code does not fit (the caller
     * flushes and retries) or when the TB needs more spill slots than the frame has (the
     * caller retries with fewer guest instructions); *buffer_full tells which.
     */
    bool (*gen_code)(TCGBackend *be, TCGContext *s, TCGTBCode *out, bool *buffer_full);
    uintptr_t (*exec)(TCGBackend *be, void *env, const void *code);
    /* Points the jump at rx address jmp (from jmp_insn_offset) to target; thread-safe
     * against other threads executing that jump. */
    void (*set_jump)(TCGBackend *be, uintptr_t jmp, uintptr_t target);
} TCGBackendOps;

/*
 * A backend instance serves one code buffer and one guest memory model: the JIT keeps
 * guest_base and guest_limit in reserved registers that its prologue loads. Contexts
 * that generate code through it must use the same model.
 */
struct TCGBackend {
    const TCGBackendOps *ops;
    TCGCodeBuffer *cb;
    TCGGuestMemory mem;
    const void *return_zero; /* GOTO_PTR target that makes exec return 0 */
    void *priv; /* the backend's own state, g_malloc'd by init, freed with the backend */
};

extern const TCGBackendOps tcg_x86_64_backend;
extern const TCGBackendOps tcg_interp_backend;

/* Creates a backend on cb for the guest memory model mem and emits its fixed code. */
TCGBackend *tcg_backend_new(const TCGBackendOps *ops, TCGCodeBuffer *cb, const TCGGuestMemory *mem,
                            GError **errp);
void tcg_backend_free(TCGBackend *be);

#endif
