/*
 * linux.c: the ARM Linux user-mode harness (static, hard-float ARMv7-A), run
 * with qemu-arm. The blob is softfp Thumb-2 code; every call crosses with
 * integer arguments and an integer result only, which the hard-float and
 * soft-float procedure call standards pass identically (r0-r3), and both keep
 * s16-s31 callee-saved, so the call is ABI-correct.
 *
 * The blob is mapped at a fixed address (TS_BLOB_MAP + 4: 4 mod 8, not its
 * link address 0) so that bench/arm/ can tell the counting plugin where it is,
 * then made read+execute only; the pack is read-only, the arena malloc'd.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include "core.h"

#define TS_BLOB_MAP 0x50000000u

static long page(void) { return 4096; }

uint8_t *h_place_blob(const char *path, uint32_t *bytes) {
  int32_t size = h_file_size(path);
  if (size <= 0) return NULL;
  size_t map = ((size_t)size + 4u + (size_t)page() - 1u) & ~((size_t)page() - 1u);
  uint8_t *base = mmap((void *)(uintptr_t)TS_BLOB_MAP, map, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  if (base == MAP_FAILED || base != (uint8_t *)(uintptr_t)TS_BLOB_MAP) {
    fprintf(stderr, "harness: cannot map the blob at %#x\n", TS_BLOB_MAP);
    return NULL;
  }
  uint8_t *blob = base + 4;
  if (!h_read(path, blob, (uint32_t)size)) return NULL;
  __builtin___clear_cache((char *)blob, (char *)blob + size);
  if (mprotect(base, map, PROT_READ | PROT_EXEC) != 0) return NULL;
  *bytes = (uint32_t)size;
  return blob;
}

void *h_alloc(uint32_t bytes, enum h_kind kind) {
  if (kind == H_PACK) {
    size_t map = ((size_t)bytes + (size_t)page() - 1u) & ~((size_t)page() - 1u);
    void *p = mmap(NULL, map ? map : (size_t)page(), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
  }
  void *p = NULL;
  return posix_memalign(&p, 8, bytes ? bytes : 1) == 0 ? p : NULL;
}

void h_protect(enum h_kind kind, void *p, uint32_t bytes) {
  if (kind != H_PACK) return;
  size_t map = ((size_t)bytes + (size_t)page() - 1u) & ~((size_t)page() - 1u);
  if (mprotect(p, map, PROT_READ) != 0) perror("harness: mprotect");
}

int32_t h_file_size(const char *path) {
  struct stat st;
  if (stat(path, &st) != 0 || st.st_size > 0x7fffffff) return -1;
  return (int32_t)st.st_size;
}

int h_read(const char *path, uint8_t *dst, uint32_t bytes) {
  FILE *f = fopen(path, "rb");
  if (!f) return 0;
  size_t n = fread(dst, 1, bytes, f);
  fclose(f);
  return n == bytes;
}

int h_write(const char *path, const uint8_t *src, uint32_t bytes) {
  FILE *f = fopen(path, "wb");
  if (!f) return 0;
  size_t n = fwrite(src, 1, bytes, f);
  return fclose(f) == 0 && n == bytes;
}

void h_puts(const char *s) { fputs(s, stdout); }

/*
 * abi_call(fn, a, b, c, &broken): calls the blob and checks the procedure call standard at the
 * boundary between this hard-float ARM-state caller and the softfp Thumb callee: r4-r11 and
 * d8-d15 are loaded with known values before the call and must hold them after it, and sp must be
 * back where it was. broken gets bit 0 for a core register, bit 1 for a VFP register, bit 2 for sp.
 */
int32_t abi_call(void *fn, int32_t a, int32_t b, int32_t c, uint32_t *broken);
__attribute__((used)) static uint32_t abi_saved_sp;
__asm__(
    ".text\n.arm\n.align 2\n.global abi_call\n.type abi_call, %function\n"
    "abi_call:\n"
    "  push {r4-r11, lr}\n"
    "  vpush {d8-d15}\n"
    "  ldr r12, [sp, #100]\n" /* 5th argument, above 9 core + 8 double registers */
    "  push {r12}\n"          /* sp stays 8-aligned: 36 + 64 + 4 + 4 (pad) */
    "  sub sp, sp, #4\n"
    "  movw r12, #:lower16:abi_saved_sp\n movt r12, #:upper16:abi_saved_sp\n str sp, [r12]\n"
    "  mov r12, r0\n mov r0, r1\n mov r1, r2\n mov r2, r3\n"
    "  movw r4, #0x0404\n movt r4, #0xa4a4\n movw r5, #0x0505\n movt r5, #0xa5a5\n"
    "  movw r6, #0x0606\n movt r6, #0xa6a6\n movw r7, #0x0707\n movt r7, #0xa7a7\n"
    "  movw r8, #0x0808\n movt r8, #0xa8a8\n movw r9, #0x0909\n movt r9, #0xa9a9\n"
    "  movw r10, #0x0a0a\n movt r10, #0xaaaa\n movw r11, #0x0b0b\n movt r11, #0xabab\n"
    "  vmov d8, r4, r5\n vmov d9, r6, r7\n vmov d10, r8, r9\n vmov d11, r10, r11\n"
    "  vmov d12, r5, r4\n vmov d13, r7, r6\n vmov d14, r9, r8\n vmov d15, r11, r10\n"
    "  blx r12\n"
    "  mov r3, #0\n"
    "  movw r1, #0x0404\n movt r1, #0xa4a4\n cmp r4, r1\n orrne r3, r3, #1\n"
    "  movw r1, #0x0505\n movt r1, #0xa5a5\n cmp r5, r1\n orrne r3, r3, #1\n"
    "  movw r1, #0x0606\n movt r1, #0xa6a6\n cmp r6, r1\n orrne r3, r3, #1\n"
    "  movw r1, #0x0707\n movt r1, #0xa7a7\n cmp r7, r1\n orrne r3, r3, #1\n"
    "  movw r1, #0x0808\n movt r1, #0xa8a8\n cmp r8, r1\n orrne r3, r3, #1\n"
    "  movw r1, #0x0909\n movt r1, #0xa9a9\n cmp r9, r1\n orrne r3, r3, #1\n"
    "  movw r1, #0x0a0a\n movt r1, #0xaaaa\n cmp r10, r1\n orrne r3, r3, #1\n"
    "  movw r1, #0x0b0b\n movt r1, #0xabab\n cmp r11, r1\n orrne r3, r3, #1\n"
    "  vmov r1, r2, d8\n cmp r1, r4\n orrne r3, r3, #2\n cmp r2, r5\n orrne r3, r3, #2\n"
    "  vmov r1, r2, d9\n cmp r1, r6\n orrne r3, r3, #2\n cmp r2, r7\n orrne r3, r3, #2\n"
    "  vmov r1, r2, d10\n cmp r1, r8\n orrne r3, r3, #2\n cmp r2, r9\n orrne r3, r3, #2\n"
    "  vmov r1, r2, d11\n cmp r1, r10\n orrne r3, r3, #2\n cmp r2, r11\n orrne r3, r3, #2\n"
    "  vmov r1, r2, d12\n cmp r1, r5\n orrne r3, r3, #2\n cmp r2, r4\n orrne r3, r3, #2\n"
    "  vmov r1, r2, d13\n cmp r1, r7\n orrne r3, r3, #2\n cmp r2, r6\n orrne r3, r3, #2\n"
    "  vmov r1, r2, d14\n cmp r1, r9\n orrne r3, r3, #2\n cmp r2, r8\n orrne r3, r3, #2\n"
    "  vmov r1, r2, d15\n cmp r1, r11\n orrne r3, r3, #2\n cmp r2, r10\n orrne r3, r3, #2\n"
    "  movw r12, #:lower16:abi_saved_sp\n movt r12, #:upper16:abi_saved_sp\n ldr r12, [r12]\n"
    "  cmp r12, sp\n orrne r3, r3, #4\n"
    "  add sp, sp, #4\n"
    "  pop {r12}\n"
    "  str r3, [r12]\n"
    "  vpop {d8-d15}\n"
    "  pop {r4-r11, pc}\n"
    ".size abi_call, . - abi_call\n");

static void abi_verdict(uint32_t broken) {
  if (!broken) return;
  fprintf(stderr, "harness: FAIL: the blob broke the procedure call standard:%s%s%s\n",
          broken & 1u ? " r4-r11 not preserved" : "", broken & 2u ? " d8-d15 (s16-s31) not preserved" : "",
          broken & 4u ? " sp not restored" : "");
  exit(1);
}

int32_t h_call3(ts_entry3 fn, int32_t a, int32_t b, int32_t c, uint32_t *stack_used) {
  uint32_t broken = 0;
  int32_t r = abi_call((void *)fn, a, b, c, &broken);
  abi_verdict(broken);
  *stack_used = 0;
  return r;
}

int32_t h_call2(ts_entry2 fn, int32_t a, int32_t b, uint32_t *stack_used) {
  uint32_t broken = 0;
  int32_t r = abi_call((void *)fn, a, b, 0, &broken);
  abi_verdict(broken);
  *stack_used = 0;
  return r;
}

int main(int argc, char **argv) {
  int rc = h_main(argc, argv);
  fflush(stdout);
  return rc;
}
