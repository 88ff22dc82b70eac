/*
 * Liveness analysis: a backward pass over a TB's IR that fills op->life for the
 * register allocator, and turns ops whose results nobody uses into nops.
 *
 * TCG_LIFE_DEAD(i): arg i (an output or an input) holds a value that is not read again
 * from a register; the allocator frees the register after the op.
 * TCG_LIFE_SYNC(j): output j must also be written to its memory home right after the op
 * (a global: its env field; a local: its spill slot) because some later point needs it
 * there before it is written again. Those points are:
 * - every TB exit (exit_tb, goto_ptr, goto_tb) and every basic-block end (br, set_label):
 *   globals, and locals live at the target label;
 * - a conditional branch: globals, and locals live at the target label (the fall-through
 *   path keeps its registers);
 * - an op that can fault (guest memory): globals;
 * - a helper call: globals, unless its flags say it neither reads nor writes them; after a
 *   call that may write globals their register copies are dead.
 * Together these guarantee that at each such point every value needed in memory is
 * already there, so the allocator never has to store anything at a branch or a fault.
 *
 * ld/st through env must not touch a global's field: a global's value may be in a register
 * only, and those ops do not sync it (as in QEMU).
 *
 * Locals are tracked precisely across labels: the set of locals live at each label is
 * found by iterating the backward pass until it stops changing (one pass when the TB has
 * no backward branch).
 */
#ifndef TCG_LIVENESS_H
#define TCG_LIVENESS_H

#include "tcg/ir.h"

void tcg_liveness(TCGContext *s);

#endif
