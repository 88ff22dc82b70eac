/* The generic TB loop shared by every frontend (see translator.h). */
#include "accel/tcg/translator.h"

#include "accel/tcg/cpu.h"

/*
 * Every TB starts by testing the vCPU's exit_request, so that a chained loop of TBs can
 * always be stopped from outside (signals, flushes, machine stop) at a point where the
 * guest state is exact: nothing of the TB has run yet.
 */
static TCGLabel *gen_exit_request_check(TCGContext *s)
{
    TCGLabel *l = tcg_new_label(s);
    TCGv flag = tcg_temp_new_i32(s);
    tcg_gen_ld(s, flag, tcg_env(s), CPU_EXIT_REQUEST_OFFSET, MO_32);
    tcg_gen_brcondi(s, TCG_COND_NE, flag, 0, l);
    return l;
}

/*
 * A counting TB (TB_FLAG_ICOUNT) takes its instruction count from the vCPU's budget in
 * the same test: it leaves (TB_EXIT_REQUESTED, budget unchanged) when exit_request is set
 * or the budget would go negative, the loop telling which. One branch, not two: each
 * costs the register allocator a basic block. The count is known at the end of the loop:
 * it is a deferred constant until then.
 */
static TCGLabel *gen_exit_and_icount_check(TCGContext *s, TCGv *count)
{
    TCGLabel *l = tcg_new_label(s);
    TCGv flag = tcg_temp_new_i64(s);
    TCGv budget = tcg_temp_new_i64(s);
    *count = tcg_constant_deferred(s, TCG_TYPE_I64);
    tcg_gen_ld(s, flag, tcg_env(s), CPU_EXIT_REQUEST_OFFSET, MO_32);
    tcg_gen_ld(s, budget, tcg_env(s), CPU_ICOUNT_BUDGET_OFFSET, MO_64);
    tcg_gen_neg(s, flag, flag); /* negative when set */
    tcg_gen_sub(s, budget, budget, *count);
    tcg_gen_or(s, flag, flag, budget);
    tcg_gen_brcondi(s, TCG_COND_LT, flag, 0, l);
    tcg_gen_st(s, budget, tcg_env(s), CPU_ICOUNT_BUDGET_OFFSET, MO_64);
    return l;
}

static bool next_insn_on_new_page(const DisasContextBase *db)
{
    return (db->pc_next >> TB_PAGE_BITS) != (db->pc_first >> TB_PAGE_BITS);
}

uint32_t translator_loop(const TranslatorOps *ops, DisasContextBase *db, void *cpu)
{
    TCGContext *s = db->s;
    db->is_jmp = DISAS_NEXT;
    db->num_insns = 0;
    db->pc_next = db->pc_first;
    ops->init_disas_context(db, cpu);
    bool counting = db->flags & TB_FLAG_ICOUNT;
    TCGv icount = {0};
    TCGLabel *exit_requested =
        counting ? gen_exit_and_icount_check(s, &icount) : gen_exit_request_check(s);
    ops->tb_start(db, cpu);
    for (;;) {
        db->num_insns++;
        ops->insn_start(db, cpu);
        ops->translate_insn(db, cpu);
        if (db->is_jmp != DISAS_NEXT) {
            break;
        }
        if (db->num_insns >= db->max_insns || next_insn_on_new_page(db)) {
            db->is_jmp = DISAS_TOO_MANY;
            break;
        }
    }
    ops->tb_stop(db, cpu);
    tcg_gen_set_label(s, exit_requested);
    tcg_gen_exit_tb_slot(s, TB_EXIT_REQUESTED);
    if (counting) {
        tcg_constant_set(s, icount, db->num_insns);
    }
    return (uint32_t)(db->pc_next - db->pc_first);
}
