/*
 * tinysense_timers.h: setTimeout / setInterval / clearTimeout / clearInterval
 * for JerryScript v3 firmware, which has no event loop of its own. The device
 * code (device/engine-globals.d.ts) expects these four globals; Espruino has
 * them built in. Optional: a firmware that already has timers skips this.
 *
 * Firmware main loop:
 *   jerry_init(...); tinysense_port_init(); tinysense_timers_init(board_millis, report_error);
 *   run the app (script or snapshot);
 *   for (;;) { int32_t wait = tinysense_timers_run(); if (wait < 0) break; sleep up to wait ms; }
 *   tinysense_timers_cleanup(); jerry_cleanup();
 */
#ifndef TINYSENSE_TIMERS_H
#define TINYSENSE_TIMERS_H

#include <stdint.h>

#include "tinysense_jerry_api.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Pending timers at most; one more setTimeout/setInterval throws a RangeError. */
#define TINYSENSE_MAX_TIMERS 16

/* now_ms: a millisecond clock (may wrap). on_error: gets each exception a
 * callback throws (NULL: ignored); the glue frees it afterwards. Defines the
 * four globals; returns 0, or -1 when they cannot be set. */
int32_t tinysense_timers_init(uint32_t (*now_ms)(void), void (*on_error)(jerry_value_t exception));

/* Runs every callback that is due. Returns the milliseconds until the next
 * one (0: some are due already), or -1 when no timer is pending. */
int32_t tinysense_timers_run(void);

/* Releases every pending callback (before jerry_cleanup). */
void tinysense_timers_cleanup(void);

#ifdef __cplusplus
}
#endif

#endif /* TINYSENSE_TIMERS_H */
