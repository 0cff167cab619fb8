/*
 * entry.S: the fixed entry table at offset 0 of the tinysense Cortex-M4 blob.
 *
 * Engines call the blob at these offsets (thumb bit set), so they stay the
 * same whatever the kernels' layout:
 *   offset 0: ts_invoke(record, arena, pack)   int(int,int,int)
 *   offset 4: ts_checksum(data, length)        int(int,int)
 *   offset 8: ts_preprocess(params, src, dst, arg) int(int,int,int,int)
 *   offset 12: ts_invoke_ops(pack, arena, first, count) int(int,int,int,int)
 * Each slot is one 32-bit Thumb-2 branch (PC-relative, B.W), so the table is
 * position-independent like the rest of the blob.
 */
  .syntax unified
  .thumb
  .section .ts_entry, "ax", %progbits
  .balign 4
  .global ts_blob_entry_invoke
  .global ts_blob_entry_checksum
  .global ts_blob_entry_preprocess
  .global ts_blob_entry_invoke_ops
  .type ts_blob_entry_invoke, %function
  .type ts_blob_entry_checksum, %function
  .type ts_blob_entry_preprocess, %function
  .type ts_blob_entry_invoke_ops, %function
ts_blob_entry_invoke:
  b.w ts_invoke
  .size ts_blob_entry_invoke, . - ts_blob_entry_invoke
ts_blob_entry_checksum:
  b.w ts_checksum
  .size ts_blob_entry_checksum, . - ts_blob_entry_checksum
ts_blob_entry_preprocess:
  b.w ts_preprocess
  .size ts_blob_entry_preprocess, . - ts_blob_entry_preprocess
ts_blob_entry_invoke_ops:
  b.w ts_invoke_ops
  .size ts_blob_entry_invoke_ops, . - ts_blob_entry_invoke_ops
