/**
 * The simulation report: one self-contained HTML file (inline SVG and CSS, no
 * scripts, no network) with the sensor trace, the values the app reported
 * over time, its events, and the run's counters and memory use.
 */
import type { Simulation, SimEvent } from './index.js';
import type { MicStats } from './mic.js';
import type { Trace } from './traces.js';
import { encodePng } from './png.js';

const W = 900;
const H = 180;
const PAD = 40;
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];

function escape(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

interface Series {
  name: string;
  points: [number, number][];
}

/** A line chart of several series over [0, duration] ms, with optional event markers. */
function chart(title: string, series: Series[], duration: number, markers: SimEvent[] = []): string {
  const values = series.flatMap((s) => s.points.map((p) => p[1]));
  if (values.length === 0) return `<h3>${escape(title)}</h3><p class="none">no data</p>`;
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (lo === hi) {
    lo -= 1;
    hi += 1;
  }
  const x = (t: number) => PAD + ((W - 2 * PAD) * t) / Math.max(duration, 1);
  const y = (v: number) => H - PAD / 2 - ((H - PAD) * (v - lo)) / (hi - lo);
  const lines = series.map((s, i) => {
    const d = s.points.map((p, k) => `${k ? 'L' : 'M'}${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join('');
    const marks = s.points.length <= 60 ? s.points.map((p) => `<circle cx="${x(p[0]).toFixed(1)}" cy="${y(p[1]).toFixed(1)}" r="2.5" fill="${COLORS[i % COLORS.length]}"/>`).join('') : '';
    return `<path d="${d}" fill="none" stroke="${COLORS[i % COLORS.length]}" stroke-width="1.5"/>${marks}`;
  });
  const legend = series.map((s, i) => `<tspan fill="${COLORS[i % COLORS.length]}">■ ${escape(s.name)}</tspan>`).join(' ');
  const eventMarks = markers.map((e) => `<line x1="${x(e.t)}" x2="${x(e.t)}" y1="${PAD / 2}" y2="${H - PAD / 2}" stroke="#999" stroke-dasharray="3,3"><title>${escape(`${e.name} @ ${e.t} ms: ${JSON.stringify(e.value)}`)}</title></line>`);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => `<text x="${x(f * duration)}" y="${H - 4}" font-size="10" text-anchor="middle">${Math.round(f * duration)} ms</text>`);
  return `<h3>${escape(title)}</h3>
<svg width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">
<rect x="${PAD}" y="${PAD / 2}" width="${W - 2 * PAD}" height="${H - PAD}" fill="#fafafa" stroke="#ddd"/>
${eventMarks.join('\n')}
${lines.join('\n')}
<text x="${PAD - 4}" y="${y(hi) + 4}" font-size="10" text-anchor="end">${+hi.toPrecision(4)}</text>
<text x="${PAD - 4}" y="${y(lo) + 4}" font-size="10" text-anchor="end">${+lo.toPrecision(4)}</text>
${ticks.join('')}
<text x="${PAD}" y="12" font-size="11">${legend}</text>
</svg>`;
}

function traceSection(trace: Trace | undefined, duration: number): string {
  if (!trace) return '<h3>Sensor trace</h3><p class="none">no trace</p>';
  switch (trace.kind) {
    case 'scalar':
      return chart(
        'Sensor trace',
        trace.columns.map((c, i) => ({ name: c, points: trace.t.map((t, k) => [t, trace.values[k][i]] as [number, number]).filter((p) => p[0] <= duration) })),
        duration,
      );
    case 'frames': {
      const rows = trace.frames.map((f) => `<tr><td>${f.t} ms</td><td>${escape(f.source)}</td><td>${frameThumb(f.pixels, trace.width, trace.height)}</td></tr>`);
      return `<h3>Sensor trace: camera frames (${trace.width}x${trace.height})</h3><table><tr><th>from</th><th>frame</th><th></th></tr>${rows.join('')}</table>`;
    }
    case 'audio': {
      const step = Math.max(1, Math.floor(trace.samples.length / 2000));
      const points: [number, number][] = [];
      for (let i = 0; i < trace.samples.length; i += step) points.push([(1000 * i) / trace.sampleRate, trace.samples[i]]);
      return chart(`Sensor trace: audio at ${trace.sampleRate} Hz`, [{ name: 'pcm', points: points.filter((p) => p[0] <= duration) }], duration);
    }
  }
}

/** A small grayscale SVG of a frame (every 4th pixel). */
function frameThumb(pixels: Uint8Array, width: number, height: number): string {
  const s = 4;
  const rects: string[] = [];
  for (let yy = 0; yy < height; yy += s) {
    for (let xx = 0; xx < width; xx += s) {
      const v = pixels[yy * width + xx];
      rects.push(`<rect x="${xx / s}" y="${yy / s}" width="1" height="1" fill="rgb(${v},${v},${v})"/>`);
    }
  }
  return `<svg width="${(2 * width) / s}" height="${(2 * height) / s}" viewBox="0 0 ${width / s} ${height / s}" shape-rendering="crispEdges">${rects.join('')}</svg>`;
}

/** Events whose values are numbers or arrays of numbers become series. */
function outputSeries(events: SimEvent[]): Series[] {
  const byName = new Map<string, Series[]>();
  for (const e of events) {
    const values = typeof e.value === 'number' ? [e.value] : Array.isArray(e.value) && e.value.every((v) => typeof v === 'number') ? (e.value as number[]) : null;
    if (!values) continue;
    let series = byName.get(e.name);
    if (!series) {
      series = values.map((_, i) => ({ name: values.length > 1 ? `${e.name}[${i}]` : e.name, points: [] }));
      byName.set(e.name, series);
    }
    values.forEach((v, i) => series![i]?.points.push([e.t, v]));
  }
  return [...byName.values()].flat();
}

function micRow(m: MicStats): string {
  return `<tr><th>microphone</th><td>${m.delivered} samples read, ${m.dropped} lost to buffer overrun, ${Math.round(m.blockedMs)} ms blocked in reads</td></tr>`;
}

/** Estimated board time in model ops, and the longest the event loop was blocked (virtual time). */
function timingCell(sim: Simulation): string {
  const t = sim.timing();
  const r = sim.runSummary();
  if (!r) return `not estimated for this board (no cycle figures for its CPU); longest callback ${Math.round(t.longestBlockMs)} ms`;
  const basis = r.measured ? 'estimated op by op, host/bundler/latency.ts' : `<strong>not measured</strong>: ${escape(r.source)}`;
  return `${t.modelMs.toFixed(1)} ms in model ops (${basis}); the event loop was blocked ${t.longestBlockMs.toFixed(1)} ms at most`;
}

/** Model runs, their latency, and the deadlines the app's periods set. */
export function runRows(sim: Simulation): string {
  const r = sim.runSummary();
  if (!r) return '';
  const label = r.measured ? '' : ' (not measured: assumed cycle figures)';
  const latency = r.runs ? `${r.runs} run${r.runs === 1 ? '' : 's'}; latency ${r.minMs.toFixed(1)} / ${r.meanMs.toFixed(1)} / ${r.maxMs.toFixed(1)} ms (min / mean / max)${label}` : 'no model run finished';
  let deadlines: string;
  if (!r.withDeadline) deadlines = 'no run was started by an interval (setInterval or an interval sensor event), so none had a deadline';
  else {
    const periods = r.periods.map((p) => `${p} ms`).join(', ');
    deadlines = r.missed
      ? `<strong>${r.missed} of ${r.withDeadline}</strong> runs ended after their interval's next tick was due (period ${periods}, runs up to ${r.maxMs.toFixed(0)} ms): those ticks ran late, and ${r.skipped} more never ran`
      : `0 of ${r.withDeadline} runs (period ${periods}): each ended before its interval's next tick`;
  }
  return `<tr><th>model runs</th><td data-testid="model-runs">${latency}</td></tr>
<tr><th>missed deadlines</th><td data-testid="missed-deadlines">${deadlines}</td></tr>`;
}

/** Bangle.js 2: the screen as the app left it (a PNG at 2x), and the buzzes, messages and button presses. */
function bangleSection(sim: Simulation): string {
  const b = sim.bangle;
  if (!b) return '';
  const image = b.screen.rgba(2);
  const png = encodePng(image.width, image.height, image.data).toString('base64');
  const rows = [
    ...b.buzzes.map((z) => ({ t: z.t, what: 'buzz', detail: `${z.ms} ms at strength ${z.strength}` })),
    ...b.messages.map((m) => ({ t: m.t, what: 'E.showMessage', detail: JSON.stringify(m.title === undefined ? [m.message] : [m.message, m.title]) })),
    ...b.presses.map((t) => ({ t, what: 'BTN1 pressed', detail: '(from the trace)' })),
  ].sort((x, y) => x.t - y.t);
  const table = rows.length
    ? `<table><tr><th>t (ms)</th><th>what</th><th></th></tr>${rows.map((r) => `<tr><td>${r.t}</td><td>${escape(r.what)}</td><td>${escape(r.detail)}</td></tr>`).join('')}</table>`
    : '<p class="none">no buzz, message or button press</p>';
  return `<h3>Bangle.js 2 screen at ${Math.round(sim.now)} ms</h3>
<p>176 x 176, 3-bit colour as the LCD shows it (dithered); ${b.drawCalls} drawing calls, ${b.flips} flips. Text is drawn in the simulator's own 3x5 glyphs in Espruino's 4x6 / 6x8 cells: positions and sizes match the watch, glyph shapes do not.</p>
<img data-testid="bangle-screen" width="${image.width}" height="${image.height}" style="image-rendering:pixelated;border:1px solid #999" alt="the simulated screen" src="data:image/png;base64,${png}">
<h3>Buzzer, messages, button</h3>
${table}`;
}

export function simulationReport(sim: Simulation, title: string): string {
  const duration = sim.now;
  const events = sim.events();
  const calls = sim.nativeCalls();
  const mem = sim.memory();
  const eventRows = events.slice(0, 500).map((e) => `<tr><td>${e.t}</td><td>${escape(e.name)}</td><td><code>${escape(JSON.stringify(e.value))}</code></td></tr>`);
  const errors = sim.errors.map((e) => `<li>${escape(e.message)}</li>`).join('');
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${escape(title)}</title>
<style>body{font:14px system-ui,sans-serif;margin:24px;color:#222}table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left}.none{color:#888}code{font-size:12px}</style>
</head><body>
<h1>${escape(title)}</h1>
<p>Board ${escape(sim.app.board.id)}, ${duration} ms of virtual time, ${events.length} events, ${sim.output.length} console lines.</p>
<table>
${runRows(sim)}
<tr><th>native kernel calls</th><td>${Object.entries(calls).map(([k, v]) => `${k}: ${v}`).join(', ') || 'none'}</td></tr>
<tr><th>model time on the board</th><td>${timingCell(sim)}</td></tr>
<tr><th>flat buffers in use / peak</th><td>${mem.flatBytesInUse} / ${mem.flatBytesPeak} bytes of a ${mem.heapBytes}-byte JS heap</td></tr>
<tr><th>camera captures</th><td>${sim.cameraCaptures()}</td></tr>
${sim.trace?.kind === 'audio' ? micRow(sim.micStats()) : ''}
<tr><th>errors</th><td>${errors ? `<ul>${errors}</ul>` : 'none'}</td></tr>
</table>
${bangleSection(sim)}
${traceSection(sim.trace, duration)}
${chart('Reported values (model outputs)', outputSeries(events), duration, events)}
<h3>Events</h3>
<table><tr><th>t (ms)</th><th>event</th><th>value</th></tr>${eventRows.join('')}</table>
</body></html>
`;
}
