/*
 * split-count.c: a QEMU TCG plugin for qemu-arm (user mode) that counts, exactly, the guest
 * instructions a whole Espruino process executes, split in two: those inside Espruino's JsVar
 * pool (where E.nativeCall runs the tinysense kernel blob from a flat string; nothing else
 * executes there) and all the others (the interpreter, its C library).
 *
 *   qemu-arm -L /usr/arm-linux-gnueabihf -plugin out/espruino/split-count.so,pool=168000,out=counts.txt espruino ...
 *
 * pool  the byte size of the JsVar pool (variables x bytes per JsVar). Espruino's LINUX build with
 *       USE_JIT maps the pool with one mmap(PROT_EXEC | ...) of exactly that size (src/jsvar.c
 *       jsvInit); the plugin watches the mmap2 system calls for it and takes the address returned.
 * out   the report file (default: QEMU's plugin output, stderr)
 *
 * Counting is per translation block, with inline counter increments (no callbacks on the hot
 * path): a block is counted in full each time it is entered, so an instruction skipped by an
 * early exit of its block (a fault) would be overcounted; Espruino's code has none on this path.
 * A block is attributed to the pool when its first instruction lies inside the pool.
 *
 * Report: "pool LO HI", "total INSNS", "pool_insns INSNS", "other_insns INSNS".
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The few declarations of QEMU's plugin API (version 1, QEMU 7.2) used here; Debian ships no qemu-plugin.h. */
#define QEMU_PLUGIN_EXPORT __attribute__((visibility("default")))
typedef uint64_t qemu_plugin_id_t;
typedef struct qemu_info_t qemu_info_t;
struct qemu_plugin_tb;
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*qemu_plugin_vcpu_syscall_cb_t)(qemu_plugin_id_t id, unsigned int vcpu_index, int64_t num, uint64_t a1,
                                              uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5, uint64_t a6,
                                              uint64_t a7, uint64_t a8);
typedef void (*qemu_plugin_vcpu_syscall_ret_cb_t)(qemu_plugin_id_t id, unsigned int vcpu_idx, int64_t num, int64_t ret);
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb, enum qemu_plugin_op op, void *ptr, uint64_t imm);
void qemu_plugin_register_vcpu_syscall_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_syscall_cb_t cb);
void qemu_plugin_register_vcpu_syscall_ret_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_syscall_ret_cb_t cb);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb, void *userdata);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
void qemu_plugin_outs(const char *string);

QEMU_PLUGIN_EXPORT int qemu_plugin_version = 1;

/* Arm EABI system call number of mmap2; PROT_EXEC. */
#define SYS_MMAP2 192
#define PROT_EXEC_BIT 4u

static uint64_t pool_bytes, pool_lo, pool_hi;
static bool pending;
static uint64_t in_pool, outside;
static const char *out_path;

static void on_syscall(qemu_plugin_id_t id, unsigned int vcpu, int64_t num, uint64_t a1, uint64_t a2, uint64_t a3,
                       uint64_t a4, uint64_t a5, uint64_t a6, uint64_t a7, uint64_t a8) {
  (void)id, (void)vcpu, (void)a1, (void)a4, (void)a5, (void)a6, (void)a7, (void)a8;
  pending = num == SYS_MMAP2 && !pool_lo && a2 == pool_bytes && (a3 & PROT_EXEC_BIT);
}

static void on_syscall_ret(qemu_plugin_id_t id, unsigned int vcpu, int64_t num, int64_t ret) {
  (void)id, (void)vcpu;
  if (pending && num == SYS_MMAP2 && (uint64_t)ret < 0xfffff000u) {
    pool_lo = (uint32_t)ret;
    pool_hi = pool_lo + pool_bytes;
  }
  pending = false;
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
  (void)id;
  uint64_t pc = qemu_plugin_tb_vaddr(tb);
  bool pool = pool_lo && pc >= pool_lo && pc < pool_hi;
  qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, pool ? &in_pool : &outside,
                                           qemu_plugin_tb_n_insns(tb));
}

static void at_exit(qemu_plugin_id_t id, void *userdata) {
  (void)id, (void)userdata;
  char text[256];
  snprintf(text, sizeof text, "pool 0x%llx 0x%llx\ntotal %llu\npool_insns %llu\nother_insns %llu\n",
           (unsigned long long)pool_lo, (unsigned long long)pool_hi, (unsigned long long)(in_pool + outside),
           (unsigned long long)in_pool, (unsigned long long)outside);
  FILE *f = out_path ? fopen(out_path, "w") : NULL;
  if (f) {
    fputs(text, f);
    fclose(f);
  } else {
    qemu_plugin_outs(text);
  }
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv) {
  (void)info;
  for (int i = 0; i < argc; i++) {
    if (!strncmp(argv[i], "pool=", 5)) pool_bytes = strtoull(argv[i] + 5, NULL, 0);
    else if (!strncmp(argv[i], "out=", 4)) out_path = argv[i] + 4;
    else {
      fprintf(stderr, "split-count: unknown argument %s\n", argv[i]);
      return -1;
    }
  }
  if (!pool_bytes) {
    fprintf(stderr, "split-count: give the JsVar pool's size as pool=BYTES\n");
    return -1;
  }
  qemu_plugin_register_vcpu_syscall_cb(id, on_syscall);
  qemu_plugin_register_vcpu_syscall_ret_cb(id, on_syscall_ret);
  qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
  qemu_plugin_register_atexit_cb(id, at_exit, NULL);
  return 0;
}
