// The tinysense dev page: follows the server's event stream (/events, host/dev/protocol.ts) and
// draws it with uPlot. Plain browser JavaScript, no build step.
/* global uPlot */
'use strict';

const WINDOW_S = 10; // seconds of history the scrolling plots show
const KEEP_S = 120; // seconds of history kept in the page
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
const $ = (id) => document.getElementById(id);

/** What the page holds; window.__dev exposes it (and counters) to tests. */
const store = {
  snapshot: null,
  state: null,
  sensor: { t: [], values: [] },
  audio: { t: [], min: [], max: [] },
  frames: [],
  invokes: [],
  events: [],
  console: [],
  ticks: 0,
  snapshots: 0,
  tickTimes: [],
};
window.__dev = store;

let sensorPlot = null;
const outputPlots = []; // per classes model: { plot, model index }
let seeking = false;

// ------------------------------------------------------------------ controls

async function control(command, value) {
  const res = await fetch('/control', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ command, value }) });
  const body = await res.json();
  if (!body.ok) showBanner(body.error, false);
}
$('play').onclick = () => control(store.state && store.state.playing ? 'pause' : 'play');
$('step').onclick = () => control('step');
$('speed').onchange = (e) => control('speed', Number(e.target.value));
$('restart').onclick = () => control('restart');
$('trace').onchange = (e) => control('trace', e.target.value);
$('seek').oninput = () => {
  seeking = true;
  $('time').textContent = `→ ${(Number($('seek').value) / 1000).toFixed(2)} s`;
};
$('seek').onchange = () => {
  seeking = false;
  control('seek', Number($('seek').value));
};
document.addEventListener('keydown', (e) => {
  if (e.code === 'Space' && e.target === document.body) {
    e.preventDefault();
    $('play').click();
  }
});

function showBanner(text, info) {
  const b = $('banner');
  if (!text) {
    b.hidden = true;
    return;
  }
  b.hidden = false;
  b.className = info ? 'banner info' : 'banner';
  b.textContent = text;
}

// ------------------------------------------------------------------ plots

/** Vertical lines at the app's events, labelled, on every time plot. */
function eventsPlugin() {
  return {
    hooks: {
      draw: [
        (u) => {
          const ctx = u.ctx;
          const { left, top, width, height } = u.bbox;
          const [lo, hi] = [u.scales.x.min, u.scales.x.max];
          ctx.save();
          ctx.font = `${11 * devicePixelRatio}px system-ui`;
          for (const e of store.events) {
            // Events that carry numbers (reported scores) are data, not moments worth a line.
            if (Array.isArray(e.value) && e.value.every((v) => typeof v === 'number')) continue;
            const x = e.t / 1000;
            if (x < lo || x > hi) continue;
            const px = u.valToPos(x, 'x', true);
            ctx.strokeStyle = 'rgba(90,90,90,0.8)';
            ctx.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio]);
            ctx.beginPath();
            ctx.moveTo(px, top);
            ctx.lineTo(px, top + height);
            ctx.stroke();
            ctx.fillStyle = '#333';
            const label = typeof e.value === 'string' ? `${e.name}: ${e.value}` : e.value && e.value.word ? `${e.name}: ${e.value.word}` : e.name;
            if (px + 4 < left + width) ctx.fillText(label, px + 3 * devicePixelRatio, top + 12 * devicePixelRatio);
          }
          ctx.restore();
        },
      ],
    },
  };
}

function plotWidth(el) {
  return Math.max(300, el.clientWidth || el.parentElement.clientWidth - 20);
}

function timePlot(el, series, height, yRange) {
  el.innerHTML = '';
  const opts = {
    width: plotWidth(el),
    height,
    legend: { show: true },
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: false }, y: yRange ? { range: () => yRange } : { auto: true } },
    axes: [{ label: 's' }, {}],
    series: [{ label: 't (s)' }, ...series.map((s, i) => ({ label: s, stroke: COLORS[i % COLORS.length], width: 1.5, points: { show: false } }))],
    plugins: [eventsPlugin()],
  };
  return new uPlot(opts, [[], ...series.map(() => [])], el);
}

function xWindow() {
  const t = (store.state ? store.state.t : 0) / 1000;
  return { min: Math.max(0, t - WINDOW_S), max: Math.max(WINDOW_S, t) };
}

function setupPlots(snap) {
  const info = snap.sensorInfo;
  const el = $('sensor-plot');
  $('frames').hidden = info.kind !== 'frames';
  el.hidden = info.kind === 'frames' || info.kind === 'none';
  sensorPlot = null;
  if (info.kind === 'scalar') {
    $('sensor-title').textContent = `Sensor: ${info.columns.join(', ')} (trace samples up to now)`;
    sensorPlot = timePlot(el, info.columns, 200);
  } else if (info.kind === 'audio') {
    $('sensor-title').textContent = `Sensor: microphone at ${info.sampleRate} Hz (min/max per ${info.bucketMs} ms)`;
    sensorPlot = timePlot(el, ['max', 'min'], 160, [-1, 1]);
  } else if (info.kind === 'frames') {
    $('sensor-title').textContent = `Sensor: camera frames (${info.width}x${info.height})`;
    const c = $('frame');
    c.width = info.width;
    c.height = info.height;
  } else {
    $('sensor-title').textContent = snap.state.source === 'port' ? 'Sensor: samples the board prints (none yet)' : 'Sensor: no trace';
  }
  const features = snap.models.findIndex((m) => m.view === 'features');
  $('features-section').hidden = features < 0;
  if (features >= 0) $('features-title').textContent = `${snap.models[features].file}: output per invoke over time (front end features: the spectrogram)`;

  const out = $('outputs');
  out.innerHTML = '';
  outputPlots.length = 0;
  snap.models.forEach((m, i) => {
    if (m.view !== 'classes') return;
    const title = document.createElement('div');
    title.className = 'model-title';
    title.textContent = `${m.file}: output 0 per invoke (dequantized: class probabilities for a softmax)`;
    const div = document.createElement('div');
    div.dataset.model = m.file;
    out.append(title, div);
    outputPlots.push({ plot: timePlot(div, m.labels, 200, [0, 1]), model: i });
  });
  if (outputPlots.length === 0) out.textContent = snap.state.source === 'port' ? 'Outputs need the simulator (a board reports only its events).' : 'No model with a few outputs.';
  renderScreen(snap.screen);
}

function trimTo(arrays, t, minT) {
  let k = 0;
  while (k < t.length && t[k] < minT) k++;
  if (k > 0) for (const a of arrays) a.splice(0, k);
}

function updatePlots() {
  const win = xWindow();
  const keepFrom = (store.state.t / 1000 - KEEP_S) * 1000;
  const snap = store.snapshot;
  if (!snap) return;
  if (sensorPlot && snap.sensorInfo.kind === 'scalar') {
    trimTo([store.sensor.values, store.sensor.t], store.sensor.t, keepFrom);
    const t = store.sensor.t.map((v) => v / 1000);
    const cols = snap.sensorInfo.columns.map((_, c) => store.sensor.values.map((row) => row[c]));
    sensorPlot.setData([t, ...cols], false);
    sensorPlot.setScale('x', win);
  } else if (sensorPlot && snap.sensorInfo.kind === 'audio') {
    trimTo([store.audio.min, store.audio.max, store.audio.t], store.audio.t, keepFrom);
    sensorPlot.setData([store.audio.t.map((v) => v / 1000), store.audio.max, store.audio.min], false);
    sensorPlot.setScale('x', win);
  }
  trimTo([store.invokes], store.invokes.map((i) => i.t), keepFrom);
  for (const { plot, model } of outputPlots) {
    const rows = store.invokes.filter((i) => i.m === model);
    const labels = snap.models[model].labels;
    plot.setData([rows.map((r) => r.t / 1000), ...labels.map((_, k) => rows.map((r) => r.out[k]))], false);
    plot.setScale('x', win);
  }
  drawFeatures(win);
  drawFrame();
}

/** The features model's outputs as a heat map over the plots' time window (newest right). */
function drawFeatures(win) {
  const snap = store.snapshot;
  const m = snap.models.findIndex((x) => x.view === 'features');
  if (m < 0) return;
  const rows = store.invokes.filter((i) => i.m === m && i.t / 1000 >= win.min);
  const canvas = $('features');
  const n = rows.length ? rows[0].out.length : 40;
  const cols = Math.max(1, Math.round((win.max - win.min) * 50)); // one column per 20 ms
  canvas.width = cols;
  canvas.height = n;
  const ctx = canvas.getContext('2d');
  const img = ctx.createImageData(cols, n);
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of rows) for (const v of r.out) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const span = hi > lo ? hi - lo : 1;
  const col = (t) => Math.min(cols - 1, Math.max(0, Math.floor(((t / 1000 - win.min) / (win.max - win.min)) * cols)));
  rows.forEach((r, i) => {
    // Each invoke's column holds until the next invoke (or one column after the last).
    const x0 = col(r.t);
    const x1 = i + 1 < rows.length ? Math.max(x0 + 1, col(rows[i + 1].t)) : x0 + 1;
    for (let k = 0; k < n; k++) {
      const v = (r.out[k] - lo) / span;
      const y = n - 1 - k;
      for (let x = x0; x < Math.min(x1, cols); x++) {
        const at = 4 * (y * cols + x);
        img.data[at] = Math.round(255 * Math.min(1, v * 1.6));
        img.data[at + 1] = Math.round(255 * Math.max(0, v - 0.4) * 1.4);
        img.data[at + 2] = Math.round(120 * (1 - v));
        img.data[at + 3] = 255;
      }
    }
  });
  ctx.putImageData(img, 0, 0);
}

function drawFrame() {
  const snap = store.snapshot;
  if (snap.sensorInfo.kind !== 'frames' || store.frames.length === 0) return;
  const f = store.frames[store.frames.length - 1];
  if (drawFrame.last === f) return;
  drawFrame.last = f;
  const c = $('frame');
  const ctx = c.getContext('2d');
  const bytes = Uint8Array.from(atob(f.pixels), (ch) => ch.charCodeAt(0));
  const img = ctx.createImageData(c.width, c.height);
  for (let i = 0; i < bytes.length; i++) {
    img.data[4 * i] = img.data[4 * i + 1] = img.data[4 * i + 2] = bytes[i];
    img.data[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  $('frame-info').textContent = `frame from ${f.source}, current since ${(f.t / 1000).toFixed(2)} s; ${store.frames.length} frame(s) so far`;
}

// ------------------------------------------------------------------ panels

function renderState() {
  const s = store.state;
  $('source').textContent = s.sourceLabel + (s.trace ? ` · trace ${s.trace}` : '');
  $('source').className = s.source === 'port' ? 'source port' : 'source';
  $('play').textContent = s.playing ? '‖ pause' : '▶ play';
  const sim = s.source === 'simulator';
  for (const id of ['play', 'step', 'speed', 'seek', 'trace', 'restart']) $(id).disabled = !sim;
  $('watch').textContent = sim ? "editing the app's files rebuilds and restarts it" : 'following a board: the controls are the board\'s own';
  if (!seeking) {
    $('time').textContent = `${(s.t / 1000).toFixed(2)} s${s.duration ? ` / ${(s.duration / 1000).toFixed(1)} s` : ''}`;
    if (s.duration) {
      $('seek').max = String(s.duration);
      $('seek').value = String(s.t);
    }
  }
  $('speed').value = String(s.speed);
  const sel = $('trace');
  if (sel.options.length !== s.traces.length) {
    sel.innerHTML = '';
    for (const t of s.traces) sel.append(new Option(t, t));
  }
  if (s.trace) sel.value = s.trace;
  if (s.building) showBanner('building…', true);
  else if (s.buildError) showBanner(`build failed (the last good build keeps running):\n${s.buildError}`, false);
  else if (s.errors.length) showBanner(`the app threw ${s.errors.length} error(s); first: ${s.errors[0]}`, false);
  else showBanner('');
  const rate = updateRate();
  $('footer').textContent =
    `run ${s.generation} · ${store.ticks} updates (${rate.toFixed(1)}/s) · ` +
    (s.cpuMsPerSimulatedSecond !== null ? `host CPU ${s.cpuMsPerSimulatedSecond.toFixed(1)} ms per simulated second` : '');
}

function updateRate() {
  const now = performance.now();
  while (store.tickTimes.length && store.tickTimes[0] < now - 5000) store.tickTimes.shift();
  return store.tickTimes.length / 5;
}

function renderEvents(fresh) {
  const list = $('events');
  for (const e of fresh) {
    const li = document.createElement('li');
    li.textContent = `${(e.t / 1000).toFixed(2)} s  ${e.name}  ${JSON.stringify(e.value)}`;
    list.prepend(li);
  }
  while (list.children.length > 200) list.lastChild.remove();
}

function renderConsole(fresh) {
  if (!fresh.length) return;
  const pre = $('console');
  const atEnd = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
  pre.textContent += fresh.map((c) => `[${(c.t / 1000).toFixed(3)}] ${c.line}\n`).join('');
  if (pre.textContent.length > 100000) pre.textContent = pre.textContent.slice(-80000);
  if (atEnd) pre.scrollTop = pre.scrollHeight;
}

function kb(n) {
  return n === undefined || n === null ? '—' : n >= 10000 ? `${(n / 1000).toFixed(1)} KB` : `${n} B`;
}

function bar(used, capacity) {
  if (!capacity || used === undefined) return '';
  const pct = Math.min(100, (100 * used) / capacity);
  return `<div class="bar" title="${pct.toFixed(1)}%"><div style="width:${pct}%"></div></div>`;
}

/** Sets innerHTML only when it changes (the tables are rebuilt every update; most updates change nothing). */
function setHtml(el, html) {
  if (el.__html !== html) {
    el.__html = html;
    el.innerHTML = html;
  }
}

function renderMemory(m) {
  if (!m) return;
  setHtml($('memory'), `
<tr><th>JS heap</th><td class="num">${kb(m.jsHeapBytes)}</td><td>${bar(m.jsHeapBudgetUsed, m.jsHeapBytes)}</td><td class="note">build estimate ${kb(m.jsHeapBudgetUsed)} used</td></tr>
<tr><th>${m.flatLabel}</th><td class="num">${kb(m.flatInUse)}</td><td>${bar(m.flatInUse, m.jsHeapBytes)}</td><td class="note">live; peak ${kb(m.flatPeak)}</td></tr>
<tr><th>arena(s)</th><td class="num">${kb(m.arenaBytes)}</td><td>${bar(m.arenaBytes, m.jsHeapBytes)}</td><td class="note">planned by the compiler</td></tr>
<tr><th>Storage</th><td class="num">${kb(m.storageUsed)}</td><td>${bar(m.storageUsed, m.storageBytes)}</td><td class="note">of ${kb(m.storageBytes)}; files the board holds</td></tr>`);
}

function renderOps(snap, ops) {
  if (!snap) return;
  const parts = snap.models.map((m, i) => {
    const s = ops && ops[i];
    const rows = m.ops.map((op, k) => `<tr><td>${k}</td><td>${op.name}</td><td class="num">${op.macs ? op.macs.toLocaleString() : ''}</td>` +
      `<td class="num">${op.deviceMs !== undefined ? op.deviceMs.toFixed(3) : '—'}</td>` +
      `<td class="num">${s ? s.hostLast[k].toFixed(3) : ''}</td><td class="num">${s ? s.hostMean[k].toFixed(3) : ''}</td></tr>`);
    const device = m.deviceMsPerInvoke !== undefined ? `~${m.deviceMsPerInvoke.toFixed(2)} ms on the board (estimate: ${m.cyclesBasis})` : 'no device estimate (no multiply-accumulates to count)';
    return `<div class="model-title">${m.file} · ${s ? s.invokes : 0} invokes · ${device}</div>
<table><tr><th>#</th><th>op</th><th class="num">MACs</th><th class="num">device ms (est.)</th><th class="num">host ms last</th><th class="num">host ms mean</th></tr>${rows.join('')}</table>`;
  });
  setHtml($('ops'), parts.join('') || '<span class="note">no models</span>');
}

function renderScreen(screen) {
  const el = $('screen');
  $('screen-section').hidden = !screen || !screen.present;
  if (!screen || !screen.present) return;
  if (!screen.image) {
    el.innerHTML = `<div class="placeholder" data-testid="screen-placeholder">${screen.reason || 'screen'}</div>`;
    return;
  }
  // Shown at 2x with crisp pixels: the LCD's 3-bit colours, dithered as the watch shows them.
  el.innerHTML = `<img data-testid="screen-image" class="lcd" width="${2 * screen.width}" height="${2 * screen.height}" alt="the app's screen">` +
    '<div class="note">Text in the simulator\'s own 3x5 glyphs, placed and sized as on the watch.</div>';
  el.querySelector('img').src = screen.image;
}

function updateScreen(image) {
  const img = document.querySelector('[data-testid=screen-image]');
  if (img && image) img.src = image;
}

// ------------------------------------------------------------------ the stream

function applyData(d) {
  if (d.sensor) {
    store.sensor.t.push(...d.sensor.t);
    store.sensor.values.push(...d.sensor.values);
  }
  if (d.audio) {
    store.audio.t.push(...d.audio.t);
    store.audio.min.push(...d.audio.min);
    store.audio.max.push(...d.audio.max);
  }
  if (d.frames) store.frames.push(...d.frames);
  if (d.invokes) store.invokes.push(...d.invokes);
  if (d.events) {
    store.events.push(...d.events);
    renderEvents(d.events);
  }
  if (d.console) {
    store.console.push(...d.console);
    renderConsole(d.console);
  }
}

function onSnapshot(snap) {
  store.snapshots++;
  store.snapshot = snap;
  store.state = snap.state;
  store.sensor = { t: [], values: [] };
  store.audio = { t: [], min: [], max: [] };
  store.frames = [];
  store.invokes = [];
  store.events = [];
  store.console = [];
  drawFrame.last = null;
  $('events').innerHTML = '';
  $('console').textContent = '';
  setupPlots(snap);
  applyData(snap);
  renderState();
  renderMemory(snap.memory);
  renderOps(snap, snap.ops);
  updatePlots();
}

function onTick(tick) {
  if (!store.snapshot || tick.generation !== store.snapshot.generation) return;
  store.ticks++;
  store.tickTimes.push(performance.now());
  store.state = tick.state;
  applyData(tick);
  renderState();
  renderMemory(tick.memory);
  renderOps(store.snapshot, tick.ops);
  updateScreen(tick.screenImage);
  updatePlots();
}

function connect() {
  const es = new EventSource('/events');
  es.onopen = () => ($('conn').textContent = 'live');
  es.onerror = () => ($('conn').textContent = 'reconnecting…');
  es.onmessage = (ev) => {
    const m = JSON.parse(ev.data);
    if (m.type === 'snapshot') onSnapshot(m);
    else if (m.type === 'tick') onTick(m);
    else if (m.type === 'status') {
      store.state = m.state;
      renderState();
    }
  };
}

// A new width: new plots over the data the page holds, with the latest state (not the snapshot's).
let resizeTimer = null;
window.addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => {
    if (!store.snapshot) return;
    setupPlots(store.snapshot);
    drawFrame.last = null;
    renderState();
    updatePlots();
  }, 50);
});
connect();
