/*
 * tinysense_timers.c: setTimeout/setInterval for JerryScript (see
 * tinysense_timers.h). Fixed table, no allocation; C99, no libc.
 */
#include "tinysense_timers.h"

typedef struct {
  uint32_t id; /* 0: free slot */
  jerry_value_t callback;
  uint32_t due;
  uint32_t interval; /* 0: one-shot */
} timer_t_;

static timer_t_ g_timers[TINYSENSE_MAX_TIMERS];
static uint32_t g_next_id = 1;
static uint32_t (*g_now)(void);
static void (*g_on_error)(jerry_value_t exception);

static jerry_value_t schedule(const jerry_value_t args[], jerry_length_t argc, int repeat) {
  double ms = 0;
  int i;
  if (argc < 1 || !jerry_value_is_function(args[0])) {
    return jerry_throw_sz(JERRY_ERROR_TYPE, repeat ? "setInterval: callback must be a function"
                                                   : "setTimeout: callback must be a function");
  }
  if (argc > 1 && jerry_value_is_number(args[1])) ms = jerry_value_as_number(args[1]);
  /* As browsers do: NaN and negatives are 0; cap at 2^31-1 ms. */
  if (!(ms >= 0)) ms = 0;
  if (ms > 2147483647.0) ms = 2147483647.0;
  if (repeat && ms < 1) ms = 1; /* an interval of 0 would spin */
  for (i = 0; i < TINYSENSE_MAX_TIMERS; i++) {
    if (g_timers[i].id == 0) {
      g_timers[i].id = g_next_id++;
      if (g_next_id == 0) g_next_id = 1;
      g_timers[i].callback = jerry_value_copy(args[0]);
      g_timers[i].due = g_now() + (uint32_t)ms;
      g_timers[i].interval = repeat ? (uint32_t)ms : 0;
      return jerry_number((double)g_timers[i].id);
    }
  }
  return jerry_throw_sz(JERRY_ERROR_RANGE, "setTimeout/setInterval: too many pending timers");
}

static jerry_value_t set_timeout(const jerry_call_info_t *info, const jerry_value_t args[], const jerry_length_t argc) {
  (void)info;
  return schedule(args, argc, 0);
}

static jerry_value_t set_interval(const jerry_call_info_t *info, const jerry_value_t args[], const jerry_length_t argc) {
  (void)info;
  return schedule(args, argc, 1);
}

static void release(int i) {
  jerry_value_free(g_timers[i].callback);
  g_timers[i].id = 0;
}

static jerry_value_t clear_timer(const jerry_call_info_t *info, const jerry_value_t args[], const jerry_length_t argc) {
  int i;
  (void)info;
  if (argc >= 1 && jerry_value_is_number(args[0])) {
    double id = jerry_value_as_number(args[0]);
    for (i = 0; i < TINYSENSE_MAX_TIMERS; i++) {
      if (g_timers[i].id != 0 && (double)g_timers[i].id == id) release(i);
    }
  }
  return jerry_undefined();
}

static int set_global(jerry_value_t realm, const char *name, jerry_external_handler_t handler) {
  jerry_value_t fn = jerry_function_external(handler);
  jerry_value_t result = jerry_object_set_sz(realm, name, fn);
  int ok = !jerry_value_is_exception(result);
  jerry_value_free(result);
  jerry_value_free(fn);
  return ok;
}

int32_t tinysense_timers_init(uint32_t (*now_ms)(void), void (*on_error)(jerry_value_t exception)) {
  jerry_value_t realm;
  int ok = 1;
  if (now_ms == NULL) return -1;
  tinysense_timers_cleanup(); /* a second init drops what the first one scheduled */
  g_now = now_ms;
  g_on_error = on_error;
  realm = jerry_current_realm();
  ok &= set_global(realm, "setTimeout", set_timeout);
  ok &= set_global(realm, "setInterval", set_interval);
  ok &= set_global(realm, "clearTimeout", clear_timer);
  ok &= set_global(realm, "clearInterval", clear_timer);
  jerry_value_free(realm);
  return ok ? 0 : -1;
}

int32_t tinysense_timers_run(void) {
  uint32_t now;
  int32_t wait = -1;
  int i;
  if (g_now == NULL) return -1;
  now = g_now();
  for (i = 0; i < TINYSENSE_MAX_TIMERS; i++) {
    uint32_t id = g_timers[i].id;
    jerry_value_t callback, undefined, result;
    if (id == 0 || (int32_t)(now - g_timers[i].due) < 0) continue;
    /* Hold our own reference: the callback may clear its own timer. */
    callback = jerry_value_copy(g_timers[i].callback);
    if (g_timers[i].interval == 0) {
      release(i);
    } else {
      g_timers[i].due += g_timers[i].interval;
      if ((int32_t)(now - g_timers[i].due) >= 0) g_timers[i].due = now + g_timers[i].interval;
    }
    undefined = jerry_undefined();
    result = jerry_call(callback, undefined, NULL, 0);
    if (jerry_value_is_exception(result) && g_on_error != NULL) g_on_error(result);
    jerry_value_free(result);
    jerry_value_free(undefined);
    jerry_value_free(callback);
  }
  now = g_now();
  for (i = 0; i < TINYSENSE_MAX_TIMERS; i++) {
    int32_t left;
    if (g_timers[i].id == 0) continue;
    left = (int32_t)(g_timers[i].due - now);
    if (left < 0) left = 0;
    if (wait < 0 || left < wait) wait = left;
  }
  return wait;
}

void tinysense_timers_cleanup(void) {
  int i;
  for (i = 0; i < TINYSENSE_MAX_TIMERS; i++) {
    if (g_timers[i].id != 0) release(i);
  }
}
