#!/usr/bin/env node
/**
 * Hand-written SVG bar chart of a benchmark results file (no dependencies).
 *
 *   node tools/bench/chart.mjs [results.json] [out.svg]
 *   defaults: tools/bench/results/latest.json → docs/performance-chart.svg
 *
 * Two panels, TCP only (the IPC numbers are in the tables):
 * - throughput in msg/s on a log scale, one group per pattern and size, with bars for
 *   each implementation and API variant (Monocoque's and the node:net floor's);
 * - round-trip latency p50 in µs on a linear scale, one group per pattern and size.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmtCount, fmtUs } from './lib/report.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const DEFAULT_INPUT = path.join(HERE, 'results', 'latest.json');
export const DEFAULT_OUTPUT = path.join(HERE, '..', '..', 'docs', 'performance-chart.svg');

/** Bar series: which implementation and (for throughput) which scenario variant. */
const SERIES = [
  { impl: 'monocoque', variant: 'plain', label: 'Monocoque net', color: '#1f6feb' },
  { impl: 'monocoque', variant: 'batch', label: 'Monocoque net, batching', color: '#79b8ff' },
  { impl: 'monocoque-uring', variant: 'plain', label: 'Monocoque uring', color: '#8250df' },
  { impl: 'monocoque-uring', variant: 'batch', label: 'Monocoque uring, batching', color: '#c297ff' },
  { impl: 'zeromq', variant: 'plain', label: 'zeromq (npm)', color: '#d1242f' },
  { impl: 'libzmq', variant: 'plain', label: 'libzmq (C)', color: '#6e7781' },
  { impl: 'node-net', variant: 'plain', label: 'node:net floor', color: '#1a7f37' },
  { impl: 'node-net', variant: 'batch', label: 'node:net floor, unframed', color: '#6fdd8b' },
];

const W = 900;
const LABEL_W = 150;
const VALUE_W = 90;
const BAR_H = 11;
const BAR_GAP = 2;
const GROUP_GAP = 12;
const FONT = 'font-family="system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif"';

/** @param {string} s */
function esc(s) {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * @typedef {{ label: string, bars: Array<{ series: typeof SERIES[number], value: number, text: string }> }} Group
 */

/**
 * Collect the bar groups of one panel.
 * @param {any} doc results file
 * @param {'latency' | 'throughput'} kind
 * @returns {Group[]}
 */
export function collectGroups(doc, kind) {
  /** @type {Map<string, Group>} */
  const groups = new Map();
  for (const s of doc.scenarios ?? []) {
    if (s.kind !== kind || s.transport !== 'tcp') continue;
    const key = `${s.pattern} ${s.size >= 1024 ? `${s.size / 1024} KiB` : `${s.size} B`}`;
    if (!groups.has(key)) groups.set(key, { label: key, bars: [] });
    const g = /** @type {Group} */ (groups.get(key));
    for (const series of SERIES) {
      // Baselines run once per scenario: take them from the plain row only.
      if (kind === 'throughput' ? series.variant !== s.variant : series.variant !== 'plain') continue;
      const r = s.results?.[series.impl];
      if (!r || r.status !== 'ok') continue;
      const value = kind === 'latency' ? r.p50Us : r.msgPerSec;
      if (!(value > 0)) continue;
      const text = kind === 'latency' ? `${fmtUs(value)} µs` : `${fmtCount(value)}/s`;
      g.bars.push({ series, value, text });
    }
  }
  for (const g of groups.values()) g.bars.sort((a, b) => SERIES.indexOf(a.series) - SERIES.indexOf(b.series));
  return [...groups.values()].filter((g) => g.bars.length > 0);
}

/**
 * One panel: title, axis grid, grouped horizontal bars.
 * @param {Group[]} groups
 * @param {{ title: string, y: number, log: boolean, unit: string }} opts
 * @returns {{ svg: string, height: number }}
 */
function panel(groups, { title, y, log, unit }) {
  const plotX = LABEL_W;
  const plotW = W - LABEL_W - VALUE_W - 10;
  const values = groups.flatMap((g) => g.bars.map((b) => b.value));
  const out = [`<text x="10" y="${y + 16}" font-size="15" font-weight="600" ${FONT}>${esc(title)}</text>`];
  let cy = y + 40;
  if (values.length === 0) {
    out.push(`<text x="${plotX}" y="${cy}" font-size="12" fill="#57606a" ${FONT}>no results</text>`);
    return { svg: out.join('\n'), height: 60 };
  }
  /** @type {(v: number) => number} */
  let scale;
  /** @type {number[]} */
  let ticks;
  if (log) {
    const lo = Math.floor(Math.log10(Math.min(...values)));
    const hi = Math.ceil(Math.log10(Math.max(...values) * 1.05));
    scale = (v) => ((Math.log10(v) - lo) / Math.max(1, hi - lo)) * plotW;
    ticks = Array.from({ length: hi - lo + 1 }, (_, i) => 10 ** (lo + i));
  } else {
    const max = Math.max(...values) * 1.05;
    const step = niceStep(max / 5);
    const top = Math.ceil(max / step) * step;
    scale = (v) => (v / top) * plotW;
    ticks = Array.from({ length: Math.round(top / step) + 1 }, (_, i) => i * step);
  }
  const plotH = groups.reduce((h, g) => h + g.bars.length * (BAR_H + BAR_GAP) + GROUP_GAP, 0);
  for (const t of ticks) {
    const x = plotX + scale(Math.max(t, log ? ticks[0] : 0));
    out.push(`<line x1="${x.toFixed(1)}" y1="${cy - 6}" x2="${x.toFixed(1)}" y2="${cy + plotH}" stroke="#d0d7de" stroke-width="1"/>`);
    out.push(
      `<text x="${x.toFixed(1)}" y="${cy - 10}" font-size="10" fill="#57606a" text-anchor="middle" ${FONT}>${esc(log ? fmtCount(t) : fmtUs(t))}</text>`,
    );
  }
  out.push(`<text x="${plotX + plotW}" y="${y + 16}" font-size="11" fill="#57606a" text-anchor="end" ${FONT}>${esc(unit)}</text>`);
  for (const g of groups) {
    const gh = g.bars.length * (BAR_H + BAR_GAP);
    out.push(
      `<text x="${plotX - 8}" y="${(cy + gh / 2 + 4).toFixed(1)}" font-size="12" text-anchor="end" ${FONT}>${esc(g.label)}</text>`,
    );
    for (const b of g.bars) {
      const w = Math.max(1, scale(b.value));
      out.push(
        `<rect x="${plotX}" y="${cy}" width="${w.toFixed(1)}" height="${BAR_H}" fill="${b.series.color}"><title>${esc(`${b.series.label}: ${b.text}`)}</title></rect>`,
      );
      out.push(`<text x="${(plotX + w + 4).toFixed(1)}" y="${cy + BAR_H - 2}" font-size="10" fill="#24292f" ${FONT}>${esc(b.text)}</text>`);
      cy += BAR_H + BAR_GAP;
    }
    cy += GROUP_GAP;
  }
  return { svg: out.join('\n'), height: cy - y + 10 };
}

/** A 1/2/5 × 10^n step at least `raw`. @param {number} raw */
function niceStep(raw) {
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

/**
 * Render the whole chart.
 * @param {any} doc a results file (tools/bench/results/*.json)
 * @returns {string} SVG document
 */
export function renderChart(doc) {
  const thr = collectGroups(doc, 'throughput');
  const lat = collectGroups(doc, 'latency');
  const used = SERIES.filter((s) => [...thr, ...lat].some((g) => g.bars.some((b) => b.series === s)));
  const parts = [];
  let y = 10;
  parts.push(`<text x="10" y="${y + 14}" font-size="17" font-weight="700" ${FONT}>Monocoque vs zeromq (npm) vs libzmq (C), loopback TCP</text>`);
  const m = doc.machine ?? {};
  parts.push(
    `<text x="10" y="${y + 32}" font-size="11" fill="#57606a" ${FONT}>${esc(`${m.cpu ?? '?'}, ${m.cores ?? '?'} cores, Linux ${m.kernel ?? '?'}, Node ${m.node ?? '?'} — ${String(doc.date ?? '').slice(0, 10)} (${doc.kind ?? ''} run)`)}</text>`,
  );
  y += 44;
  // Legend, wrapped into rows.
  let lx = 10;
  for (const s of used) {
    const w = 22 + s.label.length * 6.2;
    if (lx + w > W - 10) {
      lx = 10;
      y += 18;
    }
    parts.push(`<rect x="${lx}" y="${y}" width="12" height="12" fill="${s.color}"/>`);
    parts.push(`<text x="${lx + 16}" y="${y + 10}" font-size="11" ${FONT}>${esc(s.label)}</text>`);
    lx += w + 12;
  }
  y += 26;
  const a = panel(thr, { title: 'Throughput (higher is better)', y, log: true, unit: 'messages/s, log scale' });
  parts.push(a.svg);
  y += a.height + 10;
  const b = panel(lat, { title: 'Round-trip latency p50 (lower is better)', y, log: false, unit: 'µs' });
  parts.push(b.svg);
  y += b.height;
  const H = Math.ceil(y + 10);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="Monocoque benchmark chart">`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}

/**
 * Read a results file and write the chart.
 * @param {string} [input]
 * @param {string} [output]
 * @returns {string} the output path
 */
export function writeChart(input = DEFAULT_INPUT, output = DEFAULT_OUTPUT) {
  const doc = JSON.parse(readFileSync(input, 'utf8'));
  writeFileSync(output, renderChart(doc));
  return output;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = writeChart(process.argv[2] ?? DEFAULT_INPUT, process.argv[3] ?? DEFAULT_OUTPUT);
  console.log(`wrote ${path.relative(process.cwd(), out)}`);
}
