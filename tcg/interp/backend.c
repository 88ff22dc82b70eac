/*
 * The portable interpreter backend: tcg/interp/emit.c turns a TB's IR into bytecode in the
 * code buffer, tcg/interp/exec.c runs it. It is the semantic oracle the x86-64 JIT is
 * tested against, so it favours being obviously exact over being fast.
 *
 * Chaining: a GOTO_TB's 8-byte slot (jmp_insn_offset) holds 0 or a target address, and
 * set_jump stores the target there atomically. The reset target (jmp_reset_offset) is the
 * instruction right after the slot, so resetting needs no special case either: jumping
 * there is falling through. return_zero is an EXIT_TB 0 in the fixed code.
 */
#include "tcg/interp/bytecode.h"

static bool interp_init(TCGBackend *be, GError **errp)
{
    uint8_t *p = tcg_code_buffer_ptr(be->cb);
    be->return_zero = (const void *)tcg_code_buffer_rx(be->cb, p);
    tcg_code_buffer_commit(be->cb, interp_put_exit_tb(p, 0));
    return true;
}

static void interp_set_jump(TCGBackend *be, uintptr_t jmp, uintptr_t target)
{
    g_assert((jmp & 7) == 0);
    uint64_t *slot = (uint64_t *)tcg_code_buffer_rw(be->cb, jmp);
    __atomic_store_n(slot, (uint64_t)target, __ATOMIC_RELEASE);
}

const TCGBackendOps tcg_interp_backend = {
    .name = "interp",
    .fixed_code_size = INTERP_EXIT_TB_LEN,
    .init = interp_init,
    .gen_code = interp_gen_code,
    .exec = interp_exec,
    .set_jump = interp_set_jump,
};
