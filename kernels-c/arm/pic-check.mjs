#!/usr/bin/env node
// pic-check.mjs: proves that a build of the Cortex-M4 blob (kernels-c/arm/build.sh) can run as
// raw bytes at any 4-aligned address with no loader: no relocation to apply, no GOT, no data to
// initialise, no call outside the blob, only instructions a Cortex-M4 has.
//
//   node kernels-c/arm/pic-check.mjs [--json OUT.json] [--report] [--undefined-only] BUILD_DIR
//
// BUILD_DIR is the arm/ folder build.sh fills: obj/*.o and obj/*.su (compiler output),
// combined.o (relocatable link), blob.elf + blob.bin (linked at 0 with --emit-relocs) and
// blob-moved.elf + blob-moved.bin (linked at 0x20000004). Exits 1 naming every rule broken;
// each rule is described in kernels-c/arm/README.md. --json writes the entry-offset file the
// device binding reads; --report prints the findings as JSON on stdout (for tests).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

const TOOL = 'arm-none-eabi-';

function tool(name, args) {
  return execFileSync(TOOL + name, args, { encoding: 'utf8', maxBuffer: 256 << 20 });
}

/** Relocation types that are resolved at link time relative to the PC (or a section-relative
 * branch): their result does not depend on where the blob is loaded. Everything else is either
 * an absolute address (ABS*, MOVW/MOVT_ABS, TARGET1), needs a GOT (GOT*, GOTOFF*, *_PLT*) or
 * thread storage (TLS*), and fails. */
const PC_RELATIVE = new Set([
  'R_ARM_NONE', 'R_ARM_V4BX',
  'R_ARM_THM_CALL', 'R_ARM_THM_JUMP24', 'R_ARM_THM_JUMP19', 'R_ARM_THM_JUMP11', 'R_ARM_THM_JUMP8',
  'R_ARM_THM_JUMP6', 'R_ARM_THM_PC8', 'R_ARM_THM_PC12', 'R_ARM_THM_ALU_PREL_11_0',
  'R_ARM_THM_MOVW_PREL_NC', 'R_ARM_THM_MOVT_PREL', 'R_ARM_REL32', 'R_ARM_PREL31',
]);

/** Library helpers the compiler may call implicitly, with the source construct behind them. */
function undefinedHint(sym) {
  if (/^__aeabi_(l|ul)(div|divmod|mod)$|^__(u)?(div|mod)di3$/.test(sym)) return '64-bit division or modulo';
  if (/^__aeabi_(llsl|llsr|lasr|lmul)$/.test(sym)) return '64-bit shift or multiply helper';
  if (/^__aeabi_(i|ui)(div|divmod|mod)$/.test(sym)) return '32-bit division not inlined (check -mcpu=cortex-m4)';
  if (/^__aeabi_(d\w+|\w+2d)$|^__\w+df\d$/.test(sym)) return 'double-precision arithmetic (the FPU is single precision: use float and f-suffixed constants)';
  if (/^__aeabi_(f\w+|\w+2f)$|^__\w+sf\d$/.test(sym)) return 'float operation the FPU lacks (e.g. float to 64-bit integer conversion)';
  if (/^(memcpy|memmove|memset|__aeabi_mem\w+)$/.test(sym)) return 'struct assignment/initialisation or a copy loop the compiler turned into a library call';
  if (/^_GLOBAL_OFFSET_TABLE_$/.test(sym)) return 'GOT access (a symbol of default visibility)';
  if (/^__stack_chk/.test(sym)) return 'stack protector';
  return 'a function no kernel source defines';
}

function parseSections(elf) {
  const out = [];
  for (const line of tool('readelf', ['-S', '-W', elf]).split('\n')) {
    const m = line.match(/^\s*\[\s*(\d+)\]\s+(\S+)\s+(\S+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+(\S*)\s+(\d+)\s+(\d+)\s+(\d+)/);
    if (m && m[2] !== 'NULL') {
      out.push({ index: +m[1], name: m[2], type: m[3], addr: parseInt(m[4], 16), size: parseInt(m[6], 16), flags: m[8], align: +m[11] });
    }
  }
  return out;
}

function parseSymbols(elf) {
  const out = [];
  for (const line of tool('readelf', ['-s', '-W', elf]).split('\n')) {
    const m = line.match(/^\s*\d+:\s+([0-9a-f]+)\s+(\d+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s*(\S*)$/);
    if (m) out.push({ value: parseInt(m[1], 16), size: +m[2], type: m[3], bind: m[4], vis: m[5], ndx: m[6], name: m[7] });
  }
  return out;
}

function parseRelocs(elf) {
  const out = [];
  let section = '';
  for (const line of tool('readelf', ['-r', '-W', elf]).split('\n')) {
    const s = line.match(/^Relocation section '([^']+)'/);
    if (s) { section = s[1]; continue; }
    const m = line.match(/^([0-9a-f]{8})\s+([0-9a-f]{8})\s+(R_ARM_\w+)\s*([0-9a-f]*)\s*(.*)$/);
    if (m) out.push({ section, offset: parseInt(m[1], 16), type: m[3], symValue: m[4] ? parseInt(m[4], 16) : 0, sym: m[5].trim() });
  }
  return out;
}

function attributes(file) {
  const tags = {};
  for (const line of tool('readelf', ['-A', file]).split('\n')) {
    const m = line.match(/^\s+(Tag_\w+):\s*(.*)$/);
    if (m) tags[m[1]] = m[2].trim();
  }
  return tags;
}

/** Names the function (or object) containing `addr`, for messages. */
function locator(symbols) {
  const named = symbols.filter((s) => (s.type === 'FUNC' || s.type === 'OBJECT') && s.ndx !== 'UND' && s.ndx !== 'ABS');
  return (addr) => {
    for (const s of named) {
      const start = s.type === 'FUNC' ? s.value & ~1 : s.value;
      if (addr >= start && addr < start + Math.max(s.size, 1)) return `${s.name}+0x${(addr - start).toString(16)}`;
    }
    return `0x${addr.toString(16)}`;
  };
}

/** Instructions a Cortex-M4 (ARMv7E-M, FPv4-SP-D16) lacks or that have no place in a kernel. */
const BAD_INSN = [
  [/^(\.inst|undefined|\*unknown\*)/i, 'not a valid ARMv7E-M instruction'],
  [/\.f64\b|\.f16\b/, 'double/half-precision VFP (FPv4-SP-D16 is single precision)'],
  [/^v\w*\.(i8|i16|i32|i64|s8|u8|p8|8|16)\b(?!.*\bs\d)/, 'Advanced SIMD (NEON): the Cortex-M4 has none'],
  [/^vld[1-4]|^vst[1-4]|^vtbl|^vtbx|^vext|^vzip|^vuzp|^vtrn|^vdup/, 'Advanced SIMD (NEON): the Cortex-M4 has none'],
  [/^(svc|swi|bkpt|udf|wfi|wfe|sev|cpsid|cpsie|cps|msr|mrs|smc|hvc|eret|setend|rfe|srs|sg|tt\w*|bxns|blxns)\b/, 'system or privileged instruction: a kernel has no use for it'],
  [/^(sdiv|udiv)\b/, null], // present on the M4; listed so that the table shows it was considered
];

function checkDisassembly(elf, errors, where) {
  const text = tool('objdump', ['-d', '-w', '--no-show-raw-insn', elf]);
  let count = 0;
  let inData = false;
  for (const line of text.split('\n')) {
    if (/^[0-9a-f]+ <\$d/.test(line)) inData = true;
    const m = line.match(/^\s+([0-9a-f]+):\s+(\S+)(.*)$/);
    if (!m) continue;
    const mnemonic = m[2];
    if (mnemonic === '.word' || mnemonic === '.short' || mnemonic === '.byte') continue; // literal pools, tables
    inData = false;
    count++;
    const operands = m[3];
    const insn = `${mnemonic}${operands}`.trim();
    for (const [re, why] of BAD_INSN) {
      if (why && re.test(insn)) errors.push(`instruction at ${where(parseInt(m[1], 16))}: '${insn}': ${why}`);
    }
    // Register names only matter for VFP/NEON instructions (elsewhere "d28" is a branch target address).
    const isV = mnemonic.startsWith('v');
    if (isV && /\bq(1[0-5]|[0-9])\b/.test(operands)) errors.push(`instruction at ${where(parseInt(m[1], 16))}: '${insn}': quad registers are NEON`);
    if (isV && /\bd(1[6-9]|2\d|3[01])\b/.test(operands)) errors.push(`instruction at ${where(parseInt(m[1], 16))}: '${insn}': d16-d31 do not exist on FPv4-SP-D16`);
  }
  void inData;
  return count;
}

function checkAttributes(file, tags, errors) {
  const name = basename(file);
  const want = (tag, ok, what) => {
    if (!ok(tags[tag])) errors.push(`${name}: ${tag} is ${tags[tag] ?? 'absent'}, expected ${what}`);
  };
  want('Tag_CPU_arch', (v) => v === 'v7E-M', 'v7E-M (compile with -mcpu=cortex-m4)');
  want('Tag_CPU_arch_profile', (v) => v === 'Microcontroller', 'Microcontroller');
  want('Tag_ARM_ISA_use', (v) => v === undefined || v === 'No', 'absent (no ARM-state code)');
  want('Tag_THUMB_ISA_use', (v) => v === undefined || v === 'Thumb-2', 'Thumb-2');
  want('Tag_FP_arch', (v) => v === undefined || v === 'VFPv4-D16' || v === 'VFPv2' || v === 'VFPv3-D16', 'at most VFPv4-D16');
  want('Tag_Advanced_SIMD_arch', (v) => v === undefined, 'absent (no NEON)');
  want('Tag_ABI_HardFP_use', (v) => v === undefined || v === 'SP only', 'SP only');
  want('Tag_ABI_VFP_args', (v) => v === undefined, 'absent: -mfloat-abi=softfp passes arguments in core registers');
}

function stackUsage(objDir, errors) {
  let max = { bytes: 0, fn: '' };
  for (const f of readdirSync(objDir).filter((x) => x.endsWith('.su')).sort()) {
    for (const line of readFileSync(join(objDir, f), 'utf8').split('\n')) {
      const m = line.match(/^(.*):(\S+)\t(\d+)\t(\S+)$/);
      if (!m) continue;
      const fn = m[2];
      const bytes = +m[3];
      if (m[4].includes('dynamic') && !m[4].includes('bounded')) {
        errors.push(`${m[1].replace(/:\d+:\d+$/, '')}: ${fn} allocates a run-time sized stack area (VLA or alloca): its stack use has no bound`);
      }
      if (bytes > max.bytes) max = { bytes, fn: `${fn} (${f.replace(/\.su$/, '.c')})` };
    }
  }
  return max;
}

export function checkBuild(dir, { undefinedOnly = false } = {}) {
  const errors = [];
  const info = {};
  const objDir = join(dir, 'obj');
  const objects = readdirSync(objDir).filter((f) => f.endsWith('.o')).sort();

  // Rule 1: no symbol from outside the blob (libgcc, libc): undefined symbols of the relocatable link.
  const undef = tool('nm', ['-u', join(dir, 'combined.o')]).split('\n').map((l) => l.trim().replace(/^[Uw]\s+/, '')).filter(Boolean);
  for (const sym of undef) {
    const users = objects.filter((o) => tool('nm', ['-u', join(objDir, o)]).split('\n').some((l) => l.trim().replace(/^[Uw]\s+/, '') === sym));
    errors.push(`undefined symbol ${sym} (used by ${users.join(', ') || '?'}): a call outside the blob; likely cause: ${undefinedHint(sym)}`);
  }
  if (undefinedOnly) return { errors, info };

  const elf = join(dir, 'blob.elf');
  const sections = parseSections(elf);
  const symbols = parseSymbols(elf);
  const where = locator(symbols);

  // Rule 2: one allocated section, .text (read-only, executable). Anything else (.data, .bss,
  // .got, .data.rel.ro pointer tables, veneers, init arrays) needs a loader or start-up code.
  for (const s of sections) {
    if (!s.flags.includes('A') || s.size === 0) continue;
    if (s.name === '.text') {
      if (s.flags.includes('W')) errors.push('.text is writable');
      continue;
    }
    const inside = symbols.filter((y) => y.ndx === String(s.index) && (y.type === 'OBJECT' || y.type === 'FUNC')).map((y) => y.name);
    const why = s.name === '.bss' ? 'zero-initialised writable data (needs start-up code and is global state)'
      : s.name === '.data' ? 'writable or pointer-holding data (needs copying and/or relocating at load)'
      : s.name === '.got' || s.name === '.iplt' ? 'a global offset table (needs a loader)'
      : s.name === '.glue' ? 'linker veneers/interworking glue (ARM-state code)'
      : 'a section the blob cannot carry';
    errors.push(`section ${s.name} holds ${s.size} bytes${inside.length ? ` (${inside.join(', ')})` : ''}: ${why}`);
  }
  const text = sections.find((s) => s.name === '.text');
  if (!text) errors.push('no .text section');

  // Rule 3: every relocation the linker resolved (kept by --emit-relocs) is PC-relative and
  // targets a symbol inside the blob.
  const relocs = parseRelocs(elf);
  const kinds = {};
  for (const r of relocs) {
    kinds[r.type] = (kinds[r.type] || 0) + 1;
    if (r.section !== '.rel.text') {
      errors.push(`relocation ${r.type} in ${r.section} at 0x${r.offset.toString(16)} against ${r.sym}: only code may carry (PC-relative) relocations`);
    } else if (!PC_RELATIVE.has(r.type)) {
      const why = /GOT|PLT/.test(r.type) ? 'GOT/PLT access' : /TLS/.test(r.type) ? 'thread-local storage' : 'an absolute address (literal pool word, MOVW/MOVT pair or pointer table)';
      errors.push(`relocation ${r.type} at ${where(r.offset)} against ${r.sym || '?'}: ${why}, which changes with the load address`);
    }
  }
  info.relocations = kinds;

  // Rule 4: symbols. Nothing undefined, no GOT symbol, no ARM-state code ($a mapping symbols),
  // the entry table first.
  for (const s of symbols) {
    if (s.ndx === 'UND' && s.name) errors.push(`undefined symbol ${s.name} in the linked blob`);
    if (s.name === '_GLOBAL_OFFSET_TABLE_') errors.push('_GLOBAL_OFFSET_TABLE_ is referenced (GOT use)');
    if (s.name === '$a' || s.name.startsWith('$a.')) errors.push(`ARM-state code at ${where(s.value)} (the Cortex-M4 runs Thumb only)`);
  }
  const sym = (name) => symbols.find((s) => s.name === name && s.ndx !== 'UND');
  const entries = { ts_invoke: sym('ts_blob_entry_invoke'), ts_checksum: sym('ts_blob_entry_checksum'), ts_preprocess: sym('ts_blob_entry_preprocess'), ts_invoke_ops: sym('ts_blob_entry_invoke_ops') };
  const targets = { ts_invoke: sym('ts_invoke'), ts_checksum: sym('ts_checksum'), ts_preprocess: sym('ts_preprocess'), ts_invoke_ops: sym('ts_invoke_ops') };
  const expectedOffset = { ts_invoke: 0, ts_checksum: 4, ts_preprocess: 8, ts_invoke_ops: 12 };
  for (const k of Object.keys(entries)) {
    const e = entries[k];
    const t = targets[k];
    if (!t) { errors.push(`${k} is not defined by any kernel source`); continue; }
    if (t.type !== 'FUNC' || (t.value & 1) !== 1) errors.push(`${k} is not a Thumb function`);
    if (!e || (e.value & ~1) !== expectedOffset[k]) errors.push(`entry slot for ${k} is not at offset ${expectedOffset[k]}`);
    const jump = relocs.find((r) => r.offset === expectedOffset[k]);
    if (!jump || jump.type !== 'R_ARM_THM_JUMP24' || jump.sym !== k) errors.push(`entry slot ${expectedOffset[k]} does not branch to ${k}`);
  }

  // Rule 5: the image is the same whatever the link address (0 vs 0x20000004, which is also
  // 4 mod 8: no section may need 8-byte alignment). Catches any absolute address, with or
  // without a relocation, anywhere in code, literal pools or tables.
  const bin = readFileSync(join(dir, 'blob.bin'));
  const moved = readFileSync(join(dir, 'blob-moved.bin'));
  if (bin.length !== moved.length) {
    errors.push(`the image is ${bin.length} bytes linked at 0 but ${moved.length} linked at 0x20000004 (alignment padding: a section needs more than 4-byte alignment)`);
  } else {
    const diffs = [];
    for (let i = 0; i < bin.length; i += 4) if (bin.readUInt32LE(i) !== moved.readUInt32LE(i)) diffs.push(i);
    if (diffs.length) {
      errors.push(`the image depends on its link address: ${diffs.length} words differ between links at 0 and 0x20000004, first at ${diffs.slice(0, 8).map(where).join(', ')}`);
    }
  }
  if (text && text.size !== bin.length) errors.push(`blob.bin has ${bin.length} bytes but .text ${text.size}`);

  // Rule 6: only Cortex-M4 instructions. Build attributes of every object and of the blob, plus a
  // scan of the disassembly (qemu-system-arm -cpu cortex-m4 then executes it: test/arm/).
  for (const o of objects) checkAttributes(join(objDir, o), attributes(join(objDir, o)), errors);
  checkAttributes(elf, attributes(elf), errors);
  info.instructions = checkDisassembly(elf, errors, where);

  // Rule 7: bounded stack (no VLA/alloca); the deepest frame is reported.
  info.maxFrame = stackUsage(objDir, errors);

  info.bytes = bin.length;
  info.sha256 = createHash('sha256').update(bin).digest('hex');
  info.functions = Object.fromEntries(symbols.filter((s) => s.type === 'FUNC').sort((a, b) => a.value - b.value).map((s) => [s.name, { offset: s.value & ~1, size: s.size }]));
  return { errors, info };
}

function main(argv) {
  let json = null;
  let report = false;
  let undefinedOnly = false;
  const rest = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--json') json = argv[++i];
    else if (argv[i] === '--report') report = true;
    else if (argv[i] === '--undefined-only') undefinedOnly = true;
    else rest.push(argv[i]);
  }
  if (rest.length !== 1 || !existsSync(join(rest[0], 'obj'))) {
    console.error('usage: node kernels-c/arm/pic-check.mjs [--json OUT] [--report] [--undefined-only] BUILD_DIR (kernels-c/out/arm)');
    return 2;
  }
  const { errors, info } = checkBuild(rest[0], { undefinedOnly });
  if (report) console.log(JSON.stringify({ ok: errors.length === 0, errors, info }, null, 2));
  if (errors.length) {
    console.error(`pic-check: FAILED, ${errors.length} problem${errors.length > 1 ? 's' : ''}:`);
    for (const e of errors) console.error(`  - ${e}`);
    return 1;
  }
  if (undefinedOnly) return 0;
  if (json) {
    const entry = {
      ts_invoke: 0,
      ts_checksum: 4,
      ts_preprocess: 8,
      ts_invoke_ops: 12,
      bytes: info.bytes,
      sha256: info.sha256,
      cpu: 'cortex-m4',
      fpu: 'fpv4-sp-d16',
      float_abi: 'softfp',
      functions: {
        ts_invoke: info.functions.ts_invoke.offset,
        ts_checksum: info.functions.ts_checksum.offset,
        ts_preprocess: info.functions.ts_preprocess.offset,
        ts_invoke_ops: info.functions.ts_invoke_ops.offset,
      },
    };
    writeFileSync(json, JSON.stringify(entry, null, 2) + '\n');
  }
  if (!report) {
    const rel = Object.entries(info.relocations).map(([k, v]) => `${k} x${v}`).join(', ');
    console.log(`pic-check: ok: ${info.bytes} bytes, ${info.instructions} instructions, one read-only section, ` +
      `link-address invariant, PC-relative relocations only (${rel || 'none'}), deepest frame ${info.maxFrame.bytes} bytes in ${info.maxFrame.fn}`);
  }
  return 0;
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  process.exitCode = main(process.argv.slice(2));
}
