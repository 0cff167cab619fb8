/*
 * m4.c: the bare-metal Cortex-M4 harness for qemu-system-arm -M mps2-an386
 * (-cpu cortex-m4 is that board's CPU). Files and the command line come from
 * the host through Arm semihosting (BKPT 0xAB), so an instruction the M4
 * lacks raises a UsageFault here, which is reported and fails the run.
 *
 * Memory (AN386 in QEMU): code, vectors at 0x00000000 (SSRAM1, 4 MB); stack
 * at the top of SSRAM2/3 (0x20000000, 4 MB); heap in the 16 MB PSRAM at
 * 0x21000000, where the blob lands at 0x21000004 (4 mod 8, not its link
 * address 0), then the pack, the arena, inputs and outputs.
 *
 * Like Espruino on the nRF52840: FPU enabled (CP10/CP11 full access),
 * unaligned LDR/STR allowed, divide by zero not trapped. The stack each call
 * uses is measured by painting the region below SP before the call.
 */
#include <stddef.h>
#include "core.h"

#define TS_BLOB_AT 0x21000004u
#define HEAP_END 0x22000000u
#define STACK_PAINT 0xC5C5C5C5u
#define STACK_PROBE (48u * 1024u)

extern uint32_t __stack_top[];

/* ---- semihosting ---- */
static int32_t semi(int32_t op, const void *arg) {
  register int32_t r0 __asm__("r0") = op;
  register const void *r1 __asm__("r1") = arg;
  __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}
enum { SYS_OPEN = 1, SYS_CLOSE = 2, SYS_WRITE0 = 4, SYS_WRITE = 5, SYS_READ = 6, SYS_FLEN = 12, SYS_GET_CMDLINE = 21, SYS_EXIT = 24 };

static size_t slen(const char *s) {
  size_t n = 0;
  while (s[n]) n++;
  return n;
}

static int32_t sopen(const char *path, int32_t mode) {
  int32_t a[3] = {(int32_t)(uintptr_t)path, mode, (int32_t)slen(path)};
  return semi(SYS_OPEN, a);
}
static void sclose(int32_t fd) {
  int32_t a[1] = {fd};
  semi(SYS_CLOSE, a);
}

__attribute__((noreturn)) static void sexit(int ok) {
  /* ADP_Stopped_ApplicationExit: QEMU exits 0; any other reason: QEMU exits 1. */
  semi(SYS_EXIT, (const void *)(uintptr_t)(ok ? 0x20026u : 0x20023u));
  for (;;) {}
}

void h_puts(const char *s) { semi(SYS_WRITE0, s); }

int32_t h_file_size(const char *path) {
  int32_t fd = sopen(path, 1 /* rb */);
  if (fd < 0) return -1;
  int32_t a[1] = {fd};
  int32_t n = semi(SYS_FLEN, a);
  sclose(fd);
  return n;
}

int h_read(const char *path, uint8_t *dst, uint32_t bytes) {
  int32_t fd = sopen(path, 1);
  if (fd < 0) return 0;
  int32_t a[3] = {fd, (int32_t)(uintptr_t)dst, (int32_t)bytes};
  int32_t left = semi(SYS_READ, a);
  sclose(fd);
  return left == 0;
}

int h_write(const char *path, const uint8_t *src, uint32_t bytes) {
  int32_t fd = sopen(path, 5 /* wb */);
  if (fd < 0) return 0;
  int32_t a[3] = {fd, (int32_t)(uintptr_t)src, (int32_t)bytes};
  int32_t left = bytes ? semi(SYS_WRITE, a) : 0;
  sclose(fd);
  return left == 0;
}

/* ---- memory ---- */
static uint32_t heap = TS_BLOB_AT;

void *h_alloc(uint32_t bytes, enum h_kind kind) {
  (void)kind;
  uint32_t at = (heap + 7u) & ~7u;
  if (at + bytes > HEAP_END || at + bytes < at) return NULL;
  heap = at + bytes;
  return (void *)(uintptr_t)at;
}

uint8_t *h_place_blob(const char *path, uint32_t *bytes) {
  int32_t size = h_file_size(path);
  if (size <= 0 || heap != TS_BLOB_AT) return NULL;
  uint8_t *blob = (uint8_t *)(uintptr_t)TS_BLOB_AT;
  if (!h_read(path, blob, (uint32_t)size)) return NULL;
  heap = TS_BLOB_AT + (uint32_t)size;
  *bytes = (uint32_t)size;
  __asm__ volatile("dsb\n isb" ::: "memory");
  return blob;
}

void h_protect(enum h_kind kind, void *p, uint32_t bytes) {
  (void)kind;
  (void)p;
  (void)bytes;
}

/* The compiler may emit calls to these for the harness itself (never for the blob). */
void *memcpy(void *d, const void *s, size_t n) {
  uint8_t *dd = d;
  const uint8_t *ss = s;
  while (n--) *dd++ = *ss++;
  return d;
}
void *memset(void *d, int c, size_t n) {
  uint8_t *dd = d;
  while (n--) *dd++ = (uint8_t)c;
  return d;
}

/* ---- stack measurement ---- */
/* Paints [sp - STACK_PROBE, sp) with a pattern from inside the caller's frame (no call between
 * the painting and the call of fn), then finds the lowest word fn changed. */
#define PAINT_BELOW_SP(sp)                                                                  \
  do {                                                                                      \
    uint32_t *p_;                                                                           \
    __asm__ volatile("mov %0, sp\n sub %1, %0, %2\n1: str %3, [%1], #4\n cmp %1, %0\n blo 1b" \
                     : "=&r"(sp), "=&r"(p_)                                                \
                     : "r"(STACK_PROBE), "r"(STACK_PAINT)                                  \
                     : "memory", "cc");                                                     \
  } while (0)

static uint32_t measure(uint32_t sp) {
  const uint32_t *p = (const uint32_t *)(uintptr_t)(sp - STACK_PROBE);
  const uint32_t *top = (const uint32_t *)(uintptr_t)sp;
  while (p < top && *p == STACK_PAINT) p++;
  return (uint32_t)((uintptr_t)top - (uintptr_t)p);
}

__attribute__((noinline)) int32_t h_call3(ts_entry3 fn, int32_t a, int32_t b, int32_t c, uint32_t *stack_used) {
  uint32_t sp;
  PAINT_BELOW_SP(sp);
  int32_t r = fn(a, b, c);
  *stack_used = measure(sp);
  return r;
}

__attribute__((noinline)) int32_t h_call2(ts_entry2 fn, int32_t a, int32_t b, uint32_t *stack_used) {
  uint32_t sp;
  PAINT_BELOW_SP(sp);
  int32_t r = fn(a, b);
  *stack_used = measure(sp);
  return r;
}

/* ---- start-up and faults ---- */
#define REG(a) (*(volatile uint32_t *)(a))
#define SCB_CPACR 0xE000ED88u
#define SCB_SHCSR 0xE000ED24u
#define SCB_CFSR 0xE000ED28u
#define SCB_HFSR 0xE000ED2Cu
#define SCB_MMFAR 0xE000ED34u
#define SCB_BFAR 0xE000ED38u

__attribute__((used)) void fault_report(uint32_t *frame, uint32_t ipsr) {
  static const char *const names[] = {"?", "?", "NMI", "HardFault", "MemManage", "BusFault", "UsageFault"};
  uint32_t cfsr = REG(SCB_CFSR);
  h_print("harness: FAIL: ", ipsr < 7 ? names[ipsr] : "exception", " at pc ", h_hex(frame[6]), " lr ", h_hex(frame[5]),
          " CFSR ", h_hex(cfsr), " HFSR ", h_hex(REG(SCB_HFSR)),
          (cfsr & 0x10000u) ? " (UNDEFINSTR: an instruction the Cortex-M4 lacks)" : "",
          (cfsr & 0x80000u) ? " (NOCP: coprocessor/FPU access)" : "",
          (cfsr & 0x20000u) ? " (INVSTATE: ARM state or bad thumb bit)" : "",
          (cfsr & 0x1000000u) ? " (UNALIGNED)" : "",
          (cfsr & 0x8200u) == 0x8200u ? " BFAR " : "", (cfsr & 0x8200u) == 0x8200u ? h_hex(REG(SCB_BFAR)) : "",
          (cfsr & 0x82u) == 0x82u ? " MMFAR " : "", (cfsr & 0x82u) == 0x82u ? h_hex(REG(SCB_MMFAR)) : "", NULL);
  sexit(0);
}

__attribute__((naked)) void fault_handler(void) {
  __asm__ volatile(
      "tst lr, #4\n"
      "ite eq\n"
      "mrseq r0, msp\n"
      "mrsne r0, psp\n"
      "mrs r1, ipsr\n"
      "b fault_report\n");
}

static char cmdline[1024];
static char *args[64];

void reset_handler(void) {
  REG(SCB_CPACR) |= 0xFu << 20; /* CP10, CP11 full access: the FPU, as Espruino enables it */
  __asm__ volatile("dsb\n isb" ::: "memory");
  REG(SCB_SHCSR) |= (1u << 16) | (1u << 17) | (1u << 18); /* MemManage, BusFault, UsageFault own handlers */
  int32_t a[2] = {(int32_t)(uintptr_t)cmdline, (int32_t)sizeof cmdline - 1};
  int argc = 0;
  if (semi(SYS_GET_CMDLINE, a) == 0) {
    char *p = cmdline;
    while (*p && argc < 63) {
      while (*p == ' ') *p++ = 0;
      if (!*p) break;
      args[argc++] = p;
      while (*p && *p != ' ') p++;
    }
  }
  args[argc] = NULL;
  int rc = h_main(argc, args);
  sexit(rc == 0);
}

__attribute__((section(".vectors"), used)) static void (*const vectors[16])(void) = {
    (void (*)(void))__stack_top, reset_handler, fault_handler, fault_handler, fault_handler, fault_handler, fault_handler,
    0, 0, 0, 0, fault_handler, fault_handler, 0, fault_handler, fault_handler,
};
