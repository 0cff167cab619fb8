/*
 * The walk over a ts_view that MEAN, REDUCE_MAX/MIN, ARG_MAX/MIN and their
 * int16 twins share: every index of view->dims in row-major order, each
 * element at base + sum_d(i_d * view->step[d]) (steps in elements of TYPE).
 * TS_VIEW_WALK(TYPE, view, base, p, body...) runs body once per element with
 * `const TYPE *p` pointing at it; the pointer of each level is computed once
 * per index of that level, as the hand-written nests did.
 */
#ifndef TINYSENSE_VIEW_WALK_H
#define TINYSENSE_VIEW_WALK_H

#include "tinysense_nn.h"

#define TS_VIEW_WALK(TYPE, view, base, p, ...)                                        \
  do {                                                                                \
    const int32_t *vw_d = (view)->dims, *vw_s = (view)->step;                         \
    int32_t vw_i0, vw_i1, vw_i2, vw_i3, vw_i4, vw_i5;                                 \
    for (vw_i0 = 0; vw_i0 < vw_d[0]; ++vw_i0) {                                       \
      const TYPE *vw_p0 = (base) + vw_i0 * vw_s[0];                                   \
      for (vw_i1 = 0; vw_i1 < vw_d[1]; ++vw_i1) {                                     \
        const TYPE *vw_p1 = vw_p0 + vw_i1 * vw_s[1];                                  \
        for (vw_i2 = 0; vw_i2 < vw_d[2]; ++vw_i2) {                                   \
          const TYPE *vw_p2 = vw_p1 + vw_i2 * vw_s[2];                                \
          for (vw_i3 = 0; vw_i3 < vw_d[3]; ++vw_i3) {                                 \
            const TYPE *vw_p3 = vw_p2 + vw_i3 * vw_s[3];                              \
            for (vw_i4 = 0; vw_i4 < vw_d[4]; ++vw_i4) {                               \
              const TYPE *vw_p4 = vw_p3 + vw_i4 * vw_s[4];                            \
              for (vw_i5 = 0; vw_i5 < vw_d[5]; ++vw_i5) {                             \
                const TYPE *p = vw_p4 + vw_i5 * vw_s[5];                              \
                __VA_ARGS__                                                           \
              }                                                                       \
            }                                                                         \
          }                                                                           \
        }                                                                             \
      }                                                                               \
    }                                                                                 \
  } while (0)

#endif
