/* The IR optimizer (tcg/optimize.c): constant folding, copy propagation, dead code. */
#ifndef TCG_OPTIMIZE_H
#define TCG_OPTIMIZE_H

#include "tcg/tcg.h"

/*
 * Optimizes the current TB's ops in place, between the frontend and tcg_liveness().
 * Removed ops become TCG_OP_NOP; folding a double-width multiply may add one op. The
 * result means the same as the input under docs/ir.md.
 */
void tcg_optimize(TCGContext *s);

#endif
