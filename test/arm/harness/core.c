/* core.c: pack reading and the invoke loop shared by both ARM harnesses (see core.h). */
#include <stdarg.h>
#include <stddef.h>
#include "core.h"

#define GUARD 256u
#define GUARD_BYTE 0xA5u
#define MAX_TENSORS 64

static uint32_t rd32(const uint8_t *p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static char numbufs[8][24];
static int numnext;

const char *h_dec(int64_t v) {
  char *b = numbufs[numnext++ & 7];
  char tmp[24];
  int n = 0, neg = v < 0;
  uint64_t u = neg ? (uint64_t)(-(v + 1)) + 1u : (uint64_t)v;
  do { tmp[n++] = (char)('0' + (int)(u % 10u)); u /= 10u; } while (u);
  int i = 0;
  if (neg) b[i++] = '-';
  while (n) b[i++] = tmp[--n];
  b[i] = 0;
  return b;
}

const char *h_hex(uint32_t v) {
  char *b = numbufs[numnext++ & 7];
  b[0] = '0';
  b[1] = 'x';
  for (int i = 0; i < 8; i++) b[2 + i] = "0123456789abcdef"[(v >> (28 - 4 * i)) & 15u];
  b[10] = 0;
  return b;
}

void h_print(const char *a, ...) {
  va_list ap;
  va_start(ap, a);
  for (const char *s = a; s; s = va_arg(ap, const char *)) h_puts(s);
  va_end(ap);
  h_puts("\n");
}

static int fail(const char *what, const char *detail) {
  h_print("harness: FAIL: ", what, detail ? " " : "", detail ? detail : "", NULL);
  return 1;
}

static int parse_u32(const char *s, uint32_t *out) {
  uint32_t v = 0;
  if (!*s) return 0;
  for (; *s; s++) {
    if (*s < '0' || *s > '9') return 0;
    v = v * 10u + (uint32_t)(*s - '0');
  }
  *out = v;
  return 1;
}

typedef struct {
  uint32_t offset, bytes, in_pack;
} tensor;

static int read_tensors(const uint8_t *pack, uint32_t pack_bytes, uint32_t count_at, uint32_t list_at,
                        tensor *out, uint32_t *count) {
  uint32_t n = rd32(pack + count_at), list = rd32(pack + list_at);
  uint32_t tcount = rd32(pack + 32), ttable = rd32(pack + 36);
  if (n > MAX_TENSORS || list + 4u * n > pack_bytes) return 0;
  for (uint32_t i = 0; i < n; i++) {
    uint32_t index = rd32(pack + list + 4u * i);
    if (index >= tcount || ttable + 44u * (index + 1u) > pack_bytes) return 0;
    const uint8_t *t = pack + ttable + 44u * index;
    out[i].in_pack = t[2];
    out[i].offset = rd32(t + 4);
    out[i].bytes = rd32(t + 8);
  }
  *count = n;
  return 1;
}

int h_main(int argc, char **argv) {
  uint32_t off_invoke = 0, off_checksum = 4;
  int verbose = 0, argi = 1;
  while (argi < argc && argv[argi][0] == '-') {
    const char *o = argv[argi];
    if (o[1] == 'e' && !o[2] && argi + 1 < argc) {
      char buf[32];
      const char *s = argv[argi + 1];
      int i = 0;
      while (s[i] && s[i] != ':' && i < 31) { buf[i] = s[i]; i++; }
      buf[i] = 0;
      if (s[i] != ':' || !parse_u32(buf, &off_invoke) || !parse_u32(s + i + 1, &off_checksum)) return fail("bad -e", s);
      argi += 2;
    } else if (o[1] == 'v' && !o[2]) {
      verbose = 1;
      argi++;
    } else {
      return fail("unknown option", o);
    }
  }
  if (argc - argi < 4) {
    h_print("usage: harness [-e INVOKE:CHECKSUM] [-v] BLOB PACK OUT INPUT...", NULL);
    return 2;
  }
  const char *blob_path = argv[argi], *pack_path = argv[argi + 1], *out_path = argv[argi + 2];
  int first_input = argi + 3;

  uint32_t blob_bytes = 0;
  uint8_t *blob = h_place_blob(blob_path, &blob_bytes);
  if (!blob) return fail("cannot load the blob", blob_path);
  if (off_invoke >= blob_bytes || off_checksum >= blob_bytes || (off_invoke | off_checksum) & 1u) return fail("entry offsets outside the blob", NULL);
  ts_entry3 invoke = (ts_entry3)((uintptr_t)(blob + off_invoke) | 1u);
  ts_entry2 checksum = (ts_entry2)((uintptr_t)(blob + off_checksum) | 1u);

  int32_t pack_size = h_file_size(pack_path);
  if (pack_size < 64) return fail("cannot read the pack (or shorter than its header)", pack_path);
  uint8_t *pack = h_alloc((uint32_t)pack_size, H_PACK);
  if (!pack || !h_read(pack_path, pack, (uint32_t)pack_size)) return fail("cannot read the pack", pack_path);
  if (rd32(pack) != 0x4b505354u) return fail("not a model pack (magic)", pack_path);
  uint32_t pack_bytes = rd32(pack + 8);
  if (pack_bytes > (uint32_t)pack_size || (pack_bytes & 3u)) return fail("pack bytes field", h_dec(pack_bytes));
  h_protect(H_PACK, pack, (uint32_t)pack_size);

  /* The checksum entry, as the device validator calls it. */
  uint32_t stack = 0, max_stack = 0, max_stack_op = 0;
  int max_stack_code = -1;
  uint32_t crc = (uint32_t)h_call2(checksum, (int32_t)(uintptr_t)(pack + 16), (int32_t)(pack_bytes - 16u), &stack);
  if (crc != rd32(pack + 12)) {
    h_print("harness: FAIL: ts_checksum gives ", h_hex(crc), ", the pack header says ", h_hex(rd32(pack + 12)), NULL);
    return 1;
  }

  uint32_t arena_bytes = rd32(pack + 16), op_count = rd32(pack + 24), op_table = rd32(pack + 28);
  if (op_table + 4u * op_count > pack_bytes) return fail("op table outside the pack", NULL);
  tensor in[MAX_TENSORS], out[MAX_TENSORS];
  uint32_t n_in = 0, n_out = 0, in_bytes = 0, out_bytes = 0;
  if (!read_tensors(pack, pack_bytes, 40, 44, in, &n_in) || !read_tensors(pack, pack_bytes, 48, 52, out, &n_out)) {
    return fail("bad input or output list", NULL);
  }
  for (uint32_t i = 0; i < n_in; i++) {
    if (in[i].in_pack || in[i].offset + in[i].bytes > arena_bytes) return fail("input tensor not in the arena", h_dec(i));
    in_bytes += in[i].bytes;
  }
  for (uint32_t i = 0; i < n_out; i++) {
    if (out[i].offset + out[i].bytes > (out[i].in_pack ? pack_bytes : arena_bytes)) return fail("output tensor outside its memory", h_dec(i));
    out_bytes += out[i].bytes;
  }

  /* Arena with guard bytes on both sides; zeroed like the device's. */
  uint8_t *arena_block = h_alloc(arena_bytes + 2u * GUARD, H_ARENA);
  if (!arena_block) return fail("cannot allocate the arena", h_dec(arena_bytes));
  for (uint32_t i = 0; i < arena_bytes + 2u * GUARD; i++) arena_block[i] = (i < GUARD || i >= GUARD + arena_bytes) ? GUARD_BYTE : 0;
  uint8_t *arena = arena_block + GUARD;

  uint32_t invokes = 0, total_in = 0;
  for (int f = first_input; f < argc; f++) {
    int32_t size = h_file_size(argv[f]);
    if (size < 0) return fail("cannot read input", argv[f]);
    if (in_bytes == 0 || (uint32_t)size % in_bytes != 0 || size == 0) {
      h_print("harness: FAIL: input ", argv[f], " has ", h_dec(size), " bytes, not a multiple of the model's ", h_dec(in_bytes), NULL);
      return 1;
    }
    total_in += (uint32_t)size;
  }
  uint32_t total_invokes = total_in / in_bytes;
  uint8_t *outbuf = h_alloc(total_invokes * out_bytes + 1u, H_IO);
  if (!outbuf) return fail("cannot allocate the output buffer", NULL);

  for (int f = first_input; f < argc; f++) {
    uint32_t size = (uint32_t)h_file_size(argv[f]);
    uint8_t *inbuf = h_alloc(size, H_IO);
    if (!inbuf || !h_read(argv[f], inbuf, size)) return fail("cannot read input", argv[f]);
    for (uint32_t at = 0; at < size; at += in_bytes) {
      const uint8_t *src = inbuf + at;
      for (uint32_t i = 0; i < n_in; i++) {
        for (uint32_t b = 0; b < in[i].bytes; b++) arena[in[i].offset + b] = *src++;
      }
      for (uint32_t op = 0; op < op_count; op++) {
        uint32_t rec = rd32(pack + op_table + 4u * op);
        int32_t code = (int32_t)rd32(pack + rec);
        int32_t status = h_call3(invoke, (int32_t)(uintptr_t)(pack + rec), (int32_t)(uintptr_t)arena, (int32_t)(uintptr_t)pack, &stack);
        if (stack > max_stack) { max_stack = stack; max_stack_op = op; max_stack_code = code; }
        if (verbose && invokes == 0) h_print("harness: op ", h_dec(op), " code ", h_dec(code), " status ", h_dec(status), " stack ", h_dec(stack), NULL);
        if (status != 0) {
          h_print("harness: FAIL: invoke ", h_dec(invokes), " op ", h_dec(op), " (code ", h_dec(code), ") returned ", h_dec(status), NULL);
          return 1;
        }
        for (uint32_t g = 0; g < GUARD; g++) {
          if (arena_block[g] != GUARD_BYTE || arena[arena_bytes + g] != GUARD_BYTE) {
            h_print("harness: FAIL: op ", h_dec(op), " (code ", h_dec(code), ") wrote outside the arena (guard byte ",
                    h_dec(arena_block[g] != GUARD_BYTE ? (int64_t)g - (int64_t)GUARD : (int64_t)(arena_bytes + g)), ")", NULL);
            return 1;
          }
        }
      }
      uint8_t *dst = outbuf + invokes * out_bytes;
      for (uint32_t i = 0; i < n_out; i++) {
        const uint8_t *mem = out[i].in_pack ? pack : arena;
        for (uint32_t b = 0; b < out[i].bytes; b++) *dst++ = mem[out[i].offset + b];
      }
      invokes++;
    }
  }
  if (!h_write(out_path, outbuf, invokes * out_bytes)) return fail("cannot write", out_path);
  h_print("harness: ok: blob ", h_dec(blob_bytes), " bytes at ", h_hex((uint32_t)(uintptr_t)blob), ", pack ", h_dec(pack_bytes),
          " bytes (crc ", h_hex(crc), "), arena ", h_dec(arena_bytes), ", ", h_dec(op_count), " ops, ", h_dec(invokes), " invokes", NULL);
  if (max_stack) h_print("harness: stack: ", h_dec(max_stack), " bytes at most (op ", h_dec(max_stack_op), ", code ", h_dec(max_stack_code), ")", NULL);
  return 0;
}
