// The Cortex-M4 kernel blob: kernels-c/arm/build.sh builds it, its position-independence check
// passes, the build is reproducible, and the harnesses run it at a foreign address on both the
// Linux user-mode emulator (qemu-arm) and a bare-metal Cortex-M4 (qemu-system-arm).
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Blob, PIC_CHECK, ROOT, buildBlob, buildHarnesses, m4Command, requireTools, runQemuArm, runQemuM4 } from './arm.js';
import { copyPack } from './handpack.js';

describe('Cortex-M4 blob (kernels-c/arm)', () => {
  let blob: Blob;
  let harness: { linux: string; m4: string };

  beforeAll(() => {
    requireTools();
    blob = buildBlob(); // the canonical kernels-c/out/tinysense-m4.bin
    harness = buildHarnesses();
  });

  it('builds one image with entry offsets, size and hash in its .json, and passes the PIC check', () => {
    expect(blob.log).toMatch(/pic-check: ok/);
    const bytes = readFileSync(blob.bin);
    expect(blob.json.ts_invoke).toBe(0);
    expect(blob.json.ts_checksum).toBe(4);
    expect(blob.json.bytes).toBe(bytes.length);
    expect(blob.json.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(bytes.length % 4).toBe(0);
    // The check also runs on its own, as CI or a developer would.
    const r = spawnSync('node', [PIC_CHECK, join(blob.dir, 'arm')], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  });

  it('is reproducible: a second build elsewhere gives the same bytes', () => {
    const other = mkdtempSync(join(tmpdir(), 'tinysense-m4-repro-'));
    try {
      const again = buildBlob(other);
      expect(again.json.sha256).toBe(blob.json.sha256);
      expect(Buffer.compare(readFileSync(again.bin), readFileSync(blob.bin))).toBe(0);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('runs a hand-made COPY pack through ts_invoke on qemu-arm and on the Cortex-M4', () => {
    const { pack, input, expected } = copyPack();
    const a = runQemuArm(harness.linux, blob, pack, [input]);
    expect(Buffer.from(a.output)).toEqual(Buffer.from(expected));
    const m = runQemuM4(harness.m4, blob, pack, [input]);
    expect(Buffer.from(m.output)).toEqual(Buffer.from(expected));
    expect(m.stdout).toMatch(/blob \d+ bytes at 0x21000004/); // 4 mod 8, not the link address 0
    expect(m.stack).toBeGreaterThan(0);
  });

  it('reports a bad op code as a failed invoke, not a crash', () => {
    const { pack, input } = copyPack({ opCode: 77 });
    expect(() => runQemuArm(harness.linux, blob, pack, [input])).toThrow(/op 0 \(code 77\) returned -1/);
    expect(() => runQemuM4(harness.m4, blob, pack, [input])).toThrow(/op 0 \(code 77\) returned -1/);
  });
});

describe('ARM harness self-checks', () => {
  it('the Cortex-M4 run faults on an instruction the M4 lacks (NEON), which qemu-arm would execute', () => {
    requireTools();
    const harness = buildHarnesses();
    const work = mkdtempSync(join(tmpdir(), 'tinysense-neon-'));
    try {
      // Both entry slots branch to a NEON VADD.I8 then return.
      writeFileSync(join(work, 'neon.s'), '.syntax unified\n.thumb\n.arch armv7-a\n.fpu neon\nb.w 1f\nb.w 1f\n1: vadd.i8 d0, d1, d2\nbx lr\n');
      spawnSync('arm-none-eabi-as', ['-o', join(work, 'neon.o'), join(work, 'neon.s')], { stdio: 'inherit' });
      spawnSync('arm-none-eabi-objcopy', ['-O', 'binary', '-j', '.text', join(work, 'neon.o'), join(work, 'neon.bin')], { stdio: 'inherit' });
      expect(statSync(join(work, 'neon.bin')).size).toBe(14);
      const { pack, input } = copyPack();
      writeFileSync(join(work, 'p.tsm'), pack);
      writeFileSync(join(work, 'in.bin'), input);
      const args = [join(work, 'neon.bin'), join(work, 'p.tsm'), join(work, 'out.bin'), join(work, 'in.bin')];
      const m4 = spawnSync('qemu-system-arm', m4Command(harness.m4, args), { encoding: 'utf8', timeout: 20_000 });
      expect(m4.status).not.toBe(0);
      // Semihosting console output arrives on QEMU's stderr.
      expect(m4.stderr).toMatch(/UsageFault .*UNDEFINSTR/);
      const user = spawnSync('qemu-arm', [harness.linux, ...args], { encoding: 'utf8', timeout: 20_000 });
      expect(user.status).not.toBe(0);
      expect(user.stdout).toMatch(/ts_checksum gives/); // it ran the NEON instruction and returned garbage
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('the qemu-arm harness checks the call standard across the hard-float/softfp boundary', () => {
    requireTools();
    const harness = buildHarnesses();
    const work = mkdtempSync(join(tmpdir(), 'tinysense-abi-'));
    try {
      const { pack, input } = copyPack();
      writeFileSync(join(work, 'p.tsm'), pack);
      writeFileSync(join(work, 'in.bin'), input);
      const crc = new DataView(pack.buffer).getUint32(12, true);
      // ts_invoke clobbers a callee-saved register (core r4, or VFP s17 = upper half of d8);
      // ts_checksum returns the right CRC so that the run gets as far as ts_invoke.
      for (const [clobber, message] of [['movs r4, #1', /r4-r11 not preserved/], ['vmov s17, r0', /d8-d15 \(s16-s31\) not preserved/]] as const) {
        const src = `.syntax unified\n.thumb\n.fpu fpv4-sp-d16\nb.w 1f\nb.w 2f\n1: ${clobber}\nmovs r0, #0\nbx lr\n2: ldr r0, =${crc}\nbx lr\n`;
        writeFileSync(join(work, 'c.s'), src);
        expect(spawnSync('arm-none-eabi-as', ['-mcpu=cortex-m4', '-o', join(work, 'c.o'), join(work, 'c.s')]).status).toBe(0);
        expect(spawnSync('arm-none-eabi-objcopy', ['-O', 'binary', '-j', '.text', join(work, 'c.o'), join(work, 'c.bin')]).status).toBe(0);
        const r = spawnSync('qemu-arm', [harness.linux, join(work, 'c.bin'), join(work, 'p.tsm'), join(work, 'o.bin'), join(work, 'in.bin')], { encoding: 'utf8', timeout: 20_000 });
        expect(r.status).not.toBe(0);
        expect(r.stderr).toMatch(message);
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('ROOT is the package root', () => {
    expect(statSync(join(ROOT, 'kernels-c', 'arm', 'build.sh')).isFile()).toBe(true);
  });
});
