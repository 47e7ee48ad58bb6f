#ifndef CP_STEER_REF_H
#define CP_STEER_REF_H

#include "steer.h"

/* Brute-force reference of steer_decide(): scans every route of every OCA for each query,
 * written as plainly as possible so that tests and benchmarks can check the engine against it.
 * Slow (O(routes + OCAs x holdings) per query); never used to serve. */

/* Rank for q straight from in (file indices are in->files indices). Same result and errors as
 * steer_decide() on a snapshot built from in; OCDN_ENOMEM. */
enum ocdn_err steer_ref_decide(const struct steer_input *in, const struct steer_query *q,
                               struct steer_result *out);

#endif
