/*
 * insn-count.c: a QEMU TCG plugin that counts, exactly, the guest instructions
 * executed inside one address range (the tinysense kernel blob), split at
 * every entry into the blob, plus a Cortex-M4 cycle ESTIMATE.
 *
 *   qemu-system-arm ... -plugin out/arm/insn-count.so,lo=0x21000004,hi=0x21003000,entries=0x21000004:0x21000008,out=counts.txt
 *   (qemu-arm takes the same -plugin argument)
 *
 * lo/hi    the blob's address range [lo, hi)
 * entries  addresses whose execution starts a new "call" (the entry slots:
 *          ts_invoke then ts_checksum); each call is reported separately
 * out      the report file (default: QEMU's plugin output, stderr)
 *
 * Counting is exact and repeatable: every instruction translated inside the
 * range gets inline counter increments (no sampling, no callbacks on the hot
 * path); an instruction counts when it is issued, including a conditional
 * instruction of an IT block whose condition fails (the M4 spends a cycle on
 * it too). Taken conditional branches are found exactly: a conditional branch
 * always ends a translation block, and a callback on the first instruction of
 * the next block in the range tells whether it is the fall-through.
 *
 * The cycle model (an estimate, not a measurement; Cortex-M4 TRM timings, no
 * wait states: Espruino runs the blob from RAM): 1 cycle per instruction,
 * except single loads/stores 2 (1 when they follow another single load/store
 * in the same block: address/data phases pipeline), LDRD/STRD 3, LDM/STM/PUSH/
 * POP 1+N, VLDM/VSTM/VPUSH/VPOP 1+N, MLA/MLS 2, SDIV/UDIV 7 (2..12,
 * data dependent), VDIV/VSQRT 14, VMLA/VMLS/VFMA 3, and P = 2 extra cycles
 * (pipeline refill, 1..3) for every taken branch.
 *
 * Report lines:
 *   range LO HI
 *   total INSNS CYCLES TAKEN_BRANCHES
 *   class NAME INSNS                       (alu, load, store, mac, div, branch, fpu)
 *   call INDEX ENTRY INSNS CYCLES
 *   cpc INDEX ADDR INSNS CYCLES            (per call: every address it executed, with
 *                                           the cycles it spent there; the bench sums
 *                                           them per function of the blob)
 *   pc ADDR COUNT NOT_TAKEN COST DISASSEMBLY   (every executed address; COST is the
 *                                           cycles per execution before any refill)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "qemu-plugin-api.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

enum { C_ALU, C_LOAD, C_STORE, C_MAC, C_DIV, C_BRANCH, C_FPU, C_COUNT };
static const char *const class_names[C_COUNT] = {"alu", "load", "store", "mac", "div", "branch", "fpu"};
#define REFILL 2u
#define MAX_ENTRIES 8

typedef struct {
  uint64_t count;
  uint64_t not_taken;
  uint32_t cost;
  uint8_t cls, cond_branch, taken_always, known;
  char *disas;
} insn_info;

typedef struct {
  uint64_t insns, cycles, taken;
} totals;

typedef struct {
  uint32_t entry;
  totals at;
} call_mark;

static uint64_t lo, hi;
static uint64_t entries[MAX_ENTRIES];
static int n_entries;
static const char *out_path;
static insn_info *info;
static totals run;
static uint64_t cls_count[C_COUNT];
static call_mark *calls;
static size_t n_calls, cap_calls;
/* Per-call attribution: the counters at the start of the current call, and the
 * (call, address, instructions, cycles) records of the calls already ended. */
static uint64_t *snap_count, *snap_not_taken;
typedef struct {
  uint32_t call, slot;
  uint64_t insns, cycles;
} call_pc;
static call_pc *call_pcs;
static size_t n_call_pcs, cap_call_pcs;
/* The fall-through address of the conditional branch that ended the last block, if any. */
static uint64_t pending_fallthrough;
static insn_info *pending_branch;

static int starts_with(const char *s, const char *p) { return strncmp(s, p, strlen(p)) == 0; }

static int count_regs(const char *ops) {
  const char *open = strchr(ops, '{');
  if (!open) return 1;
  int n = 0;
  for (const char *p = open + 1; *p && *p != '}'; p++) {
    if (*p == 'r' || *p == 's' || *p == 'd' || *p == 'l' || *p == 'p' || *p == 'f' || *p == 'i') {
      /* a register name: r0..r12, sb, sl, fp, ip, sp, lr, pc, s0.., d0.. */
      n++; /* capstone lists every register of a range */
      while (p[1] && p[1] != ',' && p[1] != '}') p++;
    }
  }
  return n ? n : 1;
}

static const char *const conds[] = {"eq", "ne", "cs", "hs", "cc", "lo", "mi", "pl", "vs", "vc", "hi", "ls", "ge", "lt", "gt", "le"};

/* mnemonic `m` is `base` followed by a condition and/or a .n/.w width suffix. */
static int is_cond_form(const char *m, const char *base) {
  size_t n = strlen(base);
  if (strncmp(m, base, n) != 0) return 0;
  const char *rest = m + n;
  for (size_t i = 0; i < sizeof conds / sizeof conds[0]; i++) {
    if (strncmp(rest, conds[i], 2) == 0 && (rest[2] == 0 || rest[2] == '.')) return 1;
  }
  return 0;
}

static int is_plain(const char *m, const char *base) {
  size_t n = strlen(base);
  return strncmp(m, base, n) == 0 && (m[n] == 0 || m[n] == '.');
}

static void classify(insn_info *ii, const char *text, int prev_single_ls) {
  char mn[32];
  size_t i = 0;
  while (text[i] && text[i] != ' ' && text[i] != '\t' && i < sizeof mn - 1) { mn[i] = text[i]; i++; }
  mn[i] = 0;
  const char *ops = text + i;
  int writes_pc = strstr(ops, "pc") != NULL && (strchr(ops, '{') ? strstr(strchr(ops, '{'), "pc") != NULL : starts_with(ops + strspn(ops, " \t"), "pc"));
  ii->cls = C_ALU;
  ii->cost = 1;
  if (is_plain(mn, "b") || is_plain(mn, "bl") || is_plain(mn, "blx") || is_plain(mn, "bx") || is_plain(mn, "tbb") || is_plain(mn, "tbh")) {
    ii->cls = C_BRANCH;
    ii->taken_always = 1;
  } else if (is_cond_form(mn, "b") || is_plain(mn, "cbz") || is_plain(mn, "cbnz") || is_cond_form(mn, "bx")) {
    ii->cls = C_BRANCH;
    ii->cond_branch = 1;
  } else if (mn[0] == 'v') {
    ii->cls = C_FPU;
    if (starts_with(mn, "vldr") || starts_with(mn, "vstr")) ii->cost = 2;
    else if (starts_with(mn, "vldm") || starts_with(mn, "vstm") || starts_with(mn, "vpush") || starts_with(mn, "vpop")) ii->cost = 1u + (uint32_t)count_regs(ops);
    else if (starts_with(mn, "vdiv") || starts_with(mn, "vsqrt")) ii->cost = 14;
    else if (starts_with(mn, "vmla") || starts_with(mn, "vmls") || starts_with(mn, "vnml") || starts_with(mn, "vfm") || starts_with(mn, "vfnm")) ii->cost = 3;
  } else if (starts_with(mn, "ldrd") || starts_with(mn, "strd")) {
    ii->cls = mn[0] == 'l' ? C_LOAD : C_STORE;
    ii->cost = 3;
  } else if (starts_with(mn, "ldm") || starts_with(mn, "pop")) {
    ii->cls = C_LOAD;
    ii->cost = 1u + (uint32_t)count_regs(ops);
    if (writes_pc) ii->taken_always = 1;
  } else if (starts_with(mn, "stm") || starts_with(mn, "push")) {
    ii->cls = C_STORE;
    ii->cost = 1u + (uint32_t)count_regs(ops);
  } else if (starts_with(mn, "ldr") || starts_with(mn, "ldrex")) {
    ii->cls = C_LOAD;
    ii->cost = prev_single_ls ? 1 : 2;
    if (writes_pc) ii->taken_always = 1;
  } else if (starts_with(mn, "str")) {
    ii->cls = C_STORE;
    ii->cost = prev_single_ls ? 1 : 2;
  } else if (starts_with(mn, "sdiv") || starts_with(mn, "udiv")) {
    ii->cls = C_DIV;
    ii->cost = 7;
  } else if (starts_with(mn, "mla") || starts_with(mn, "mls")) {
    ii->cls = C_MAC;
    ii->cost = 2;
  } else if (starts_with(mn, "mul") || starts_with(mn, "smul") || starts_with(mn, "umul") || starts_with(mn, "smla") ||
             starts_with(mn, "umla") || starts_with(mn, "smmul") || starts_with(mn, "smmla") || starts_with(mn, "smmls") ||
             starts_with(mn, "smuad") || starts_with(mn, "smusd") || starts_with(mn, "smlsd") || starts_with(mn, "smlsld") ||
             starts_with(mn, "umaal") || starts_with(mn, "usad")) {
    ii->cls = C_MAC;
  } else if (starts_with(mn, "mov") && writes_pc) {
    ii->cls = C_BRANCH;
    ii->taken_always = 1;
  }
}

static int single_ls(const insn_info *ii) {
  /* cost's bits 16..23 hold the instruction size (tb_trans): compare the cycle part only. */
  return (ii->cls == C_LOAD || ii->cls == C_STORE) && (ii->cost & 0xffffu) <= 2 && !ii->taken_always;
}

/* Cycles spent at one address over `count` executions of which `not_taken` fell through. */
static uint64_t pc_cycles(const insn_info *ii, uint64_t count, uint64_t not_taken) {
  uint64_t c = count * (ii->cost & 0xffffu);
  if (ii->taken_always || ii->cond_branch) c += (count - not_taken) * REFILL;
  return c;
}

/* Records what call `k` executed at each address since the last flush. */
static void flush_call(uint32_t k) {
  for (uint64_t a = 0; a < (hi - lo) / 2u; a++) {
    const uint64_t dc = info[a].count - snap_count[a];
    if (!dc) continue;
    const uint64_t dn = info[a].not_taken - snap_not_taken[a];
    if (n_call_pcs == cap_call_pcs) {
      cap_call_pcs = cap_call_pcs ? cap_call_pcs * 2 : 4096;
      call_pcs = realloc(call_pcs, cap_call_pcs * sizeof *call_pcs);
      if (!call_pcs) abort();
    }
    call_pcs[n_call_pcs].call = k;
    call_pcs[n_call_pcs].slot = (uint32_t)a;
    call_pcs[n_call_pcs].insns = dc;
    call_pcs[n_call_pcs].cycles = pc_cycles(&info[a], dc, dn);
    n_call_pcs++;
    snap_count[a] = info[a].count;
    snap_not_taken[a] = info[a].not_taken;
  }
}

static void mark_call(uint32_t entry) {
  if (n_calls) flush_call((uint32_t)(n_calls - 1));
  if (n_calls == cap_calls) {
    cap_calls = cap_calls ? cap_calls * 2 : 1024;
    calls = realloc(calls, cap_calls * sizeof *calls);
    if (!calls) abort();
  }
  calls[n_calls].entry = entry;
  calls[n_calls].at = run;
  n_calls++;
}

/* First instruction of a block inside the range: settles the pending conditional branch, then
 * starts a new call when this is an entry address. */
static void block_start(unsigned int vcpu, void *userdata) {
  (void)vcpu;
  uint64_t addr = (uint64_t)(uintptr_t)userdata;
  if (pending_branch) {
    if (addr == pending_fallthrough) {
      pending_branch->not_taken++;
      run.taken--;
      run.cycles -= REFILL;
    }
    pending_branch = NULL;
  }
  for (int e = 0; e < n_entries; e++) {
    if (entries[e] == addr) mark_call((uint32_t)e);
  }
}

static void cond_branch_exec(unsigned int vcpu, void *userdata) {
  (void)vcpu;
  insn_info *ii = userdata;
  pending_branch = ii;
  pending_fallthrough = lo + (uint64_t)(ii - info) * 2u + (uint64_t)((ii->cost >> 16) & 0xffu);
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
  (void)id;
  size_t n = qemu_plugin_tb_n_insns(tb);
  insn_info *prev = NULL;
  for (size_t i = 0; i < n; i++) {
    struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
    uint64_t vaddr = qemu_plugin_insn_vaddr(insn);
    if (vaddr < lo || vaddr >= hi) {
      prev = NULL;
      continue;
    }
    insn_info *ii = &info[(vaddr - lo) / 2u];
    if (!ii->known) {
      char *text = qemu_plugin_insn_disas(insn);
      ii->disas = text ? text : strdup("?");
      classify(ii, ii->disas, prev && single_ls(prev));
      ii->cost |= (uint32_t)qemu_plugin_insn_size(insn) << 16; /* size kept in bits 16..23 */
      ii->known = 1;
    }
    uint32_t cost = ii->cost & 0xffffu;
    /* The block-start callback comes first so that a call starts before its first instruction. */
    if (i == 0 || (prev == NULL)) qemu_plugin_register_vcpu_insn_exec_cb(insn, block_start, QEMU_PLUGIN_CB_NO_REGS, (void *)(uintptr_t)vaddr);
    qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &ii->count, 1);
    qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &run.insns, 1);
    qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &cls_count[ii->cls], 1);
    uint64_t c = cost + ((ii->taken_always || ii->cond_branch) ? REFILL : 0u);
    qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &run.cycles, c);
    if (ii->taken_always || ii->cond_branch) qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &run.taken, 1);
    if (ii->cond_branch) qemu_plugin_register_vcpu_insn_exec_cb(insn, cond_branch_exec, QEMU_PLUGIN_CB_NO_REGS, ii);
    prev = ii;
  }
}

static void at_exit(qemu_plugin_id_t id, void *userdata) {
  (void)id;
  (void)userdata;
  FILE *f = out_path ? fopen(out_path, "w") : NULL;
  char line[512];
  if (n_calls) flush_call((uint32_t)(n_calls - 1));
#define EMIT(...)                               \
  do {                                          \
    snprintf(line, sizeof line, __VA_ARGS__);   \
    if (f) fputs(line, f);                      \
    else qemu_plugin_outs(line);                \
  } while (0)
  EMIT("range 0x%llx 0x%llx\n", (unsigned long long)lo, (unsigned long long)hi);
  EMIT("total %llu %llu %llu\n", (unsigned long long)run.insns, (unsigned long long)run.cycles, (unsigned long long)run.taken);
  for (int c = 0; c < C_COUNT; c++) EMIT("class %s %llu\n", class_names[c], (unsigned long long)cls_count[c]);
  for (size_t k = 0; k < n_calls; k++) {
    totals end = k + 1 < n_calls ? calls[k + 1].at : run;
    EMIT("call %zu %u %llu %llu\n", k, calls[k].entry, (unsigned long long)(end.insns - calls[k].at.insns),
         (unsigned long long)(end.cycles - calls[k].at.cycles));
  }
  for (size_t k = 0; k < n_call_pcs; k++) {
    EMIT("cpc %u 0x%llx %llu %llu\n", call_pcs[k].call, (unsigned long long)(lo + 2u * call_pcs[k].slot),
         (unsigned long long)call_pcs[k].insns, (unsigned long long)call_pcs[k].cycles);
  }
  for (uint64_t a = 0; a < (hi - lo) / 2u; a++) {
    if (info[a].count) {
      EMIT("pc 0x%llx %llu %llu %u %s\n", (unsigned long long)(lo + 2u * a), (unsigned long long)info[a].count,
           (unsigned long long)info[a].not_taken, (unsigned)(info[a].cost & 0xffffu), info[a].disas);
    }
  }
  if (f) fclose(f);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *qinfo, int argc, char **argv) {
  (void)qinfo;
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    if (starts_with(a, "lo=")) lo = strtoull(a + 3, NULL, 0);
    else if (starts_with(a, "hi=")) hi = strtoull(a + 3, NULL, 0);
    else if (starts_with(a, "out=")) out_path = a + 4;
    else if (starts_with(a, "entries=")) {
      const char *p = a + 8;
      while (*p && n_entries < MAX_ENTRIES) {
        char *end;
        entries[n_entries++] = strtoull(p, &end, 0);
        p = *end == ':' ? end + 1 : end;
        if (end == p && *p) break;
      }
    } else {
      fprintf(stderr, "insn-count: unknown argument %s\n", a);
      return -1;
    }
  }
  if (!lo || hi <= lo || (lo & 1u) || hi - lo > (64u << 20)) {
    fprintf(stderr, "insn-count: give the blob's range as lo=ADDR,hi=ADDR\n");
    return -1;
  }
  info = calloc((size_t)((hi - lo) / 2u + 1u), sizeof *info);
  snap_count = calloc((size_t)((hi - lo) / 2u + 1u), sizeof *snap_count);
  snap_not_taken = calloc((size_t)((hi - lo) / 2u + 1u), sizeof *snap_not_taken);
  if (!info || !snap_count || !snap_not_taken) return -1;
  qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
  qemu_plugin_register_atexit_cb(id, at_exit, NULL);
  return 0;
}
