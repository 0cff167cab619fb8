// `tinysense dev`: the live page in a real browser (Debian's chromium through playwright-core). The gesture
// example: plots, outputs and events appear and update; an edit to the app (in a copy) rebuilds and restarts
// it; the controls work. Screenshots of the gesture, keyword and person pages go to out/dev/screenshots/
// (artifacts); TINYSENSE_WRITE_DOCS=1 also writes them to docs/ (docs/dev-*.png).
import { appendFileSync, copyFileSync, cpSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDev, type DevHandle } from '../../host/dev/index.js';
import { browserMissing, launchBrowser } from './browser.js';

const missing = browserMissing();
if (missing) console.log(missing);

const SHOTS = join('out', 'dev', 'screenshots');
const writeDocs = process.env.TINYSENSE_WRITE_DOCS === '1';

interface PageStore {
  ticks: number;
  snapshots: number;
  state: { t: number; generation: number; playing: boolean; cpuMsPerSimulatedSecond: number | null };
  sensor: { t: number[] };
  audio: { t: number[] };
  frames: unknown[];
  invokes: { m: number; out: number[] }[];
  events: { name: string; value: unknown }[];
}

const store = (page: Page) => page.evaluate(() => {
  const s = (globalThis as unknown as { __dev: PageStore }).__dev;
  return {
    ticks: s.ticks,
    snapshots: s.snapshots,
    state: s.state,
    sensor: s.sensor.t.length,
    audio: s.audio.t.length,
    frames: s.frames.length,
    invokes: s.invokes.length,
    lastOut: s.invokes.length ? s.invokes[s.invokes.length - 1].out : [],
    events: s.events.map((e) => e.name + ':' + (typeof e.value === 'string' ? e.value : JSON.stringify(e.value))),
  };
});

async function until<T>(what: string, get: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 60000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await get();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v).slice(0, 400)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function control(dev: DevHandle, command: string, value?: unknown): Promise<void> {
  await dev.source.control(command, value);
}

async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  // Two frames so the last tick is drawn.
  await page.evaluate(() => {
    const raf = (globalThis as unknown as { requestAnimationFrame: (f: () => void) => void }).requestAnimationFrame;
    return new Promise<void>((r) => raf(() => raf(r)));
  });
  const path = join(SHOTS, `dev-${name}.png`);
  // A viewport as tall as the page (a fullPage screenshot would resize it mid-shot).
  const height = await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollHeight: number } } }).document.documentElement.scrollHeight);
  await page.setViewportSize({ width: 1280, height: Math.max(1000, height) });
  await page.evaluate(() => new Promise<void>((r) => setTimeout(r, 300)));
  await page.screenshot({ path });
  if (writeDocs) copyFileSync(path, join('docs', `dev-${name}.png`));
  console.log(`screenshot: ${path}${writeDocs ? ` and docs/dev-${name}.png` : ''}`);
}

describe.skipIf(missing !== undefined)('tinysense dev: the live page in chromium', () => {
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  const cleanup: (() => Promise<void> | void)[] = [];
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    for (const f of cleanup.reverse()) await f();
    await browser?.close();
  });

  it('gesture: sensor plots, outputs and events appear and update; an edit rebuilds and restarts the app', async () => {
    // A copy two folders below the package root, so the app's ../../device imports still resolve.
    const copy = join('out', `dev-edit-gesture-${process.pid}`);
    rmSync(copy, { recursive: true, force: true });
    cpSync(join('examples', 'gesture'), copy, { recursive: true, filter: (src) => !src.endsWith('.test.ts') });
    cleanup.push(() => rmSync(copy, { recursive: true, force: true }));
    const dev = await startDev({ app: copy, board: 'BANGLEJS2', outDir: join('out', 'dev', 'test-gesture'), speed: 2 });
    cleanup.push(() => dev.close());
    const page = await browser.context.newPage();
    await page.goto(dev.url);

    // The source is named; plots exist; data flows.
    await expect.poll(() => page.textContent('#source')).toContain('simulator: ');
    const first = await until('sensor samples and invokes', () => store(page), (s) => s.sensor > 20 && s.invokes > 2);
    expect(await page.locator('#sensor-plot canvas').count()).toBeGreaterThan(0);
    expect(await page.locator('#outputs canvas').count()).toBeGreaterThan(0);
    expect(await page.locator('#sensor-plot .u-legend').textContent()).toMatch(/x.*y.*z/s);
    expect(await page.locator('#outputs .u-legend').textContent()).toMatch(/circle.*idle.*shake/s);
    // Class probabilities: three values in [0, 1] summing to ~1 (softmax, 1/256 steps).
    expect(first.lastOut).toHaveLength(3);
    expect(Math.abs(first.lastOut.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(0.02);
    // Per-op table: the model's 7 ops, with a device estimate and host times.
    await expect.poll(() => page.locator('#ops tr').count()).toBe(8);
    expect(await page.locator('#ops').textContent()).toContain('CONV_2D');
    expect(await page.locator('#memory').textContent()).toContain('Storage');
    // Bangle.js 2 has a screen, emulated: the LCD image (176 x 176; this app draws nothing, so it is the
    // LCD's power-on black).
    const screen = page.locator('[data-testid=screen-image]');
    // Runs in the page (no DOM types here): the image's size and its centre pixel, through a canvas.
    const centre = `(img) => { const c = document.createElement('canvas'); c.width = img.naturalWidth; c.height = img.naturalHeight;
      const x = c.getContext('2d'); x.drawImage(img, 0, 0); return [img.naturalWidth, ...x.getImageData(88, 88, 1, 1).data]; }`;
    await expect.poll(() => screen.evaluate((img, code) => (0, eval)(code)(img) as number[], centre)).toEqual([176, 0, 0, 0, 255]);

    // It updates: time, samples and invokes grow; events arrive (the held-out trace has circles and shakes).
    const later = await until('events', () => store(page), (s) => s.events.length >= 2);
    expect(later.state.t).toBeGreaterThan(first.state.t);
    expect(later.sensor).toBeGreaterThan(first.sensor);
    expect(later.invokes).toBeGreaterThan(first.invokes);
    expect(later.events[0]).toMatch(/^gesture:(circle|shake)$/);
    expect(await page.locator('#events li').count()).toBe(later.events.length);
    expect(await page.locator('#console').textContent()).toContain('@tinysense gesture');

    // Update rate and CPU cost at 1x: page updates per second, host and browser CPU per simulated second.
    await control(dev, 'seek', 0);
    await control(dev, 'speed', 1);
    await control(dev, 'play');
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const metric = async () => {
      const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
      return metrics.find((m) => m.name === 'TaskDuration')!.value;
    };
    const a = { page: await store(page), cpu: process.cpuUsage(), wall: performance.now(), browser: await metric() };
    await new Promise((r) => setTimeout(r, 5000));
    const b = { page: await store(page), cpu: process.cpuUsage(a.cpu), wall: performance.now(), browser: await metric() };
    const simulatedS = (b.page.state.t - a.page.state.t) / 1000;
    const rate = (b.page.ticks - a.page.ticks) / ((b.wall - a.wall) / 1000);
    const hostMs = (b.cpu.user + b.cpu.system) / 1000;
    console.log(
      `dev page, gesture at 1x: ${rate.toFixed(1)} updates/s; ${simulatedS.toFixed(2)} s simulated in ${((b.wall - a.wall) / 1000).toFixed(2)} s; ` +
        `CPU per simulated second: node process (server, simulator, test driver) ${(hostMs / simulatedS).toFixed(0)} ms, ` +
        `simulator alone ${b.page.state.cpuMsPerSimulatedSecond?.toFixed(1)} ms, browser page (TaskDuration) ${((1000 * (b.browser - a.browser)) / simulatedS).toFixed(0)} ms`,
    );
    expect(rate).toBeGreaterThan(4);
    expect(simulatedS).toBeGreaterThan(3);

    // Controls: pause stops time; step runs to the next invoke; seek back replays from the start.
    await control(dev, 'pause');
    const paused = await store(page);
    await new Promise((r) => setTimeout(r, 500));
    expect((await store(page)).state.t).toBe(paused.state.t);
    await control(dev, 'step');
    const stepped = await until('a step', () => store(page), (s) => s.invokes > paused.invokes);
    expect(stepped.state.t).toBeGreaterThan(paused.state.t);
    expect(stepped.state.t - paused.state.t).toBeLessThanOrEqual(330);
    await page.click('#play');
    await until('play from the page', () => store(page), (s) => s.state.playing);
    await page.click('#play');
    await until('pause from the page', () => store(page), (s) => !s.state.playing);

    // An edit to the app: the page gets a new run (no reload of the page) with the edited app.
    const before = await store(page);
    appendFileSync(join(copy, 'app.ts'), "\nreport('edited', 'hello from the edit');\n");
    const edited = await until('the rebuilt app', () => store(page), (s) => s.state.generation > before.state.generation && s.events.some((e) => e.startsWith('edited:')), 90000);
    expect(edited.snapshots).toBeGreaterThan(before.snapshots);
    expect(await page.locator('#events').textContent()).toContain('hello from the edit');
    // A broken edit: the build error shows and the last good build keeps running.
    appendFileSync(join(copy, 'app.ts'), '\nvar broken = ;\n');
    await expect.poll(() => page.locator('#banner').textContent(), { timeout: 90000 }).toContain('build failed');

    await page.close();
  }, 400_000);

  it('gesture: the page for the docs (a few gestures in view, paused)', async () => {
    const dev = await startDev({ app: join('examples', 'gesture'), board: 'BANGLEJS2', outDir: join('out', 'dev', 'test-gesture-docs'), autoplay: false });
    cleanup.push(() => dev.close());
    const page = await browser.context.newPage();
    await page.goto(dev.url);
    await control(dev, 'seek', 12000);
    const s = await until('the seek', () => store(page), (v) => v.state.t >= 12000 && v.events.length >= 2 && v.ticks > 2);
    expect(s.state.playing).toBe(false);
    await shoot(page, 'gesture');
    await page.close();
  }, 300_000);

  it('keyword: the microphone, the front end spectrogram and the classifier outputs', async () => {
    const dev = await startDev({ app: join('examples', 'keyword'), board: 'ESP32_JERRYSCRIPT', outDir: join('out', 'dev', 'test-keyword'), autoplay: false });
    cleanup.push(() => dev.close());
    const page = await browser.context.newPage();
    await page.goto(dev.url);
    await control(dev, 'seek', 4800);
    const s = await until('audio, invokes and keywords', () => store(page), (v) => v.audio > 100 && v.events.some((e) => e.includes('"word":"no"')));
    expect(s.events.some((e) => e.includes('"word":"yes"'))).toBe(true);
    expect(await page.locator('#features-section').isVisible()).toBe(true);
    expect(await page.locator('#outputs .u-legend').textContent()).toMatch(/silence.*unknown.*yes.*no/s);
    expect(await page.locator('#screen-section').isVisible()).toBe(false);
    await shoot(page, 'keyword');
    await page.close();
  }, 300_000);

  it('person: camera frames and the person score', async () => {
    const dev = await startDev({ app: join('examples', 'person'), board: 'JOLTJS', outDir: join('out', 'dev', 'test-person'), autoplay: false });
    cleanup.push(() => dev.close());
    const page = await browser.context.newPage();
    await page.goto(dev.url);
    await control(dev, 'seek', 7000);
    const s = await until('frames and invokes', () => store(page), (v) => v.frames >= 2 && v.invokes >= 6);
    expect(s.events.some((e) => e.startsWith('person:'))).toBe(true);
    expect(await page.locator('#frame-info').textContent()).toContain('frame from');
    await shoot(page, 'person');
    await page.close();
  }, 300_000);
});
