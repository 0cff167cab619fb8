/*
 * preprocess.c: runs the blob's ts_preprocess entry (offset 8) under qemu-arm, as E.nativeCall
 * does: the blob mapped read+execute at 0x50000004 (not its link address), called through a
 * function pointer with the thumb bit set, four integer arguments.
 *
 *   preprocess-harness BLOB PARAMS SRC DST_BYTES ARG OUT
 *
 * PARAMS (a ts_pre_* struct) and SRC are files; SRC is placed at byte 1 of its buffer when the
 * params are an image step (the camera's burst reply has the command byte first) and 4-aligned
 * otherwise. DST starts filled with 0xA5, with 16 guard bytes after it that must stay 0xA5. OUT gets
 * the int32 status (little-endian) followed by the DST bytes. Exit 0 unless the harness failed.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define BLOB_MAP 0x50000000u
#define GUARD 16

static uint8_t *read_file(const char *path, long *size, long at) {
  FILE *f = fopen(path, "rb");
  uint8_t *data;
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  *size = ftell(f);
  fseek(f, 0, SEEK_SET);
  data = aligned_alloc(8, (size_t)((*size + at + 8) & ~7L));
  if (data && fread(data + at, 1, (size_t)*size, f) != (size_t)*size) data = NULL;
  fclose(f);
  return data;
}

typedef int32_t (*entry_fn)(int32_t, int32_t, int32_t, int32_t);

int main(int argc, char **argv) {
  long blob_size, params_size, src_size;
  uint8_t *blob_file, *params, *src, *dst, *base;
  long dst_bytes, at;
  int32_t arg, status;
  size_t map;
  FILE *out;
  if (argc != 7) {
    fprintf(stderr, "usage: preprocess-harness BLOB PARAMS SRC DST_BYTES ARG OUT\n");
    return 2;
  }
  blob_file = read_file(argv[1], &blob_size, 0);
  params = read_file(argv[2], &params_size, 0);
  if (!blob_file || !params || params_size < 4) return fprintf(stderr, "harness: cannot read blob or params\n"), 2;
  at = ((int32_t *)(void *)params)[0] == 1 ? 1 : 0;
  src = read_file(argv[3], &src_size, at);
  if (!src) return fprintf(stderr, "harness: cannot read src\n"), 2;
  dst_bytes = atol(argv[4]);
  arg = (int32_t)atol(argv[5]);
  map = ((size_t)blob_size + 4u + 4095u) & ~(size_t)4095u;
  base = mmap((void *)(uintptr_t)BLOB_MAP, map, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  if (base == MAP_FAILED) return fprintf(stderr, "harness: cannot map the blob\n"), 2;
  memcpy(base + 4, blob_file, (size_t)blob_size);
  __builtin___clear_cache((char *)base + 4, (char *)base + 4 + blob_size);
  if (mprotect(base, map, PROT_READ | PROT_EXEC) != 0) return fprintf(stderr, "harness: mprotect\n"), 2;
  dst = malloc((size_t)dst_bytes + GUARD);
  memset(dst, 0xa5, (size_t)dst_bytes + GUARD);
  status = ((entry_fn)(uintptr_t)(BLOB_MAP + 4u + 8u + 1u))((int32_t)(uintptr_t)params, (int32_t)(uintptr_t)(src + at),
                                                           (int32_t)(uintptr_t)dst, arg);
  for (long i = 0; i < GUARD; i++) {
    if (dst[dst_bytes + i] != 0xa5) return fprintf(stderr, "harness: a guard byte after dst was written\n"), 1;
  }
  out = fopen(argv[6], "wb");
  if (!out) return 2;
  fwrite(&status, 4, 1, out);
  fwrite(dst, 1, (size_t)dst_bytes, out);
  fclose(out);
  return 0;
}
