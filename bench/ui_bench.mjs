// Browser side of the web UI benchmark (bench/ui.sh). Drives Debian's Chromium through
// playwright-core from ui/node_modules; every mode prints JSON lines on stdout.
//
//   node bench/ui_bench.mjs chart   --runs 5 [--series 100 --points 10000]
//   node bench/ui_bench.mjs paint   --base URL --path /d/... --kind home|dashboard --runs 5
//   node bench/ui_bench.mjs weight  --base URL --path /graph --system NAME
//   node bench/ui_bench.mjs capture --base URL --path /d/... --out FILE
//   node bench/ui_bench.mjs replay  --base URL --capture FILE --pid PID --system NAME --refreshes 50 [--at UNIX_S]
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..');
const uiModules = join(repo, 'ui', 'node_modules');
const require = createRequire(join(uiModules, 'x.js'));
const { chromium } = require('playwright-core');

const [mode, ...rest] = process.argv.slice(2);
const opt = {};
for (let i = 0; i < rest.length; i += 2) opt[rest[i].replace(/^--/, '')] = rest[i + 1];
const runs = Number(opt.runs ?? 5);

const emit = (o) => console.log(JSON.stringify(o));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round = (x, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

async function launch() {
  const executablePath = process.env.CHROMIUM ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : '/usr/bin/chromium-browser');
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-dev-shm-usage', '--disable-quic'],
  });
}

function chromiumVersion() {
  try {
    return execFileSync(process.env.CHROMIUM ?? '/usr/bin/chromium', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

/** Chart draw: the UI's Chart bundled with a small entry, served from a temp dir. */
async function chart() {
  const esbuild = require('esbuild');
  const dir = mkdtempSync(join(tmpdir(), 'vigil-ui-chart-'));
  await esbuild.build({
    entryPoints: [join(here, 'ui_chart_entry.tsx')],
    bundle: true,
    minify: true,
    format: 'esm',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    nodePaths: [uiModules],
    outfile: join(dir, 'chart.js'),
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'warning',
  });
  writeFileSync(join(dir, 'index.html'), '<!doctype html><html><head><meta charset="utf-8"></head><body><div id="root" style="width:1200px"></div><script type="module" src="/chart.js"></script></body></html>');
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
  const server = createServer((req, res) => {
    const name = req.url === '/' ? 'index.html' : req.url.slice(1).split('?')[0];
    const file = join(dir, name);
    if (!/^[\w.-]+$/.test(name) || !existsSync(file)) {
      res.writeHead(404);
      return res.end();
    }
    res.writeHead(200, { 'Content-Type': types[name.slice(name.lastIndexOf('.'))] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${server.address().port}/`;
  const series = Number(opt.series ?? 100);
  const points = Number(opt.points ?? 10000);
  const browser = await launch();
  const times = [];
  try {
    for (let i = 0; i < runs; i++) {
      const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      const page = await ctx.newPage();
      await page.goto(url);
      await page.waitForFunction(() => typeof window.benchChart === 'function');
      const r = await page.evaluate(([s, p]) => window.benchChart(s, p), [series, points]);
      if (!r.canvases) throw new Error('no canvas drawn');
      times.push(r.ms);
      await ctx.close();
    }
  } finally {
    await browser.close();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
  emit({ bench: 'ui', metric: 'chart_draw_ms', series, points, runs, median_ms: round(median(times)), min_ms: round(Math.min(...times)), max_ms: round(Math.max(...times)), samples_ms: times.map((t) => round(t)), chromium: chromiumVersion() });
}

/** Conditions for "content is there", evaluated in the page each animation frame. */
const READY = {
  // Home: health badge settled, every figure answered, alert and target counts shown.
  home: () => {
    const h = document.querySelector('#home-health');
    if (!document.querySelector('nav.topnav') || !h || h.textContent === 'checking…') return false;
    const stats = [...document.querySelectorAll('.home-stat-value')];
    if (!stats.length || stats.some((e) => e.textContent === '…')) return false;
    if (['#home-firing-count', '#home-down-count'].some((s) => document.querySelector(s)?.textContent === '…')) return false;
    return performance.now();
  },
  // Dashboard: every panel that intersects the viewport has left 'waiting' and 'loading'.
  dashboard: () => {
    if (!document.querySelector('.dash-grid')) return false;
    const visible = [...document.querySelectorAll('.dash-panel')].filter((e) => {
      const r = e.getBoundingClientRect();
      return r.bottom > 0 && r.top < innerHeight && r.height > 0;
    });
    if (!visible.length || visible.some((e) => e.dataset.state === 'waiting' || e.dataset.state === 'loading')) return false;
    return performance.now();
  },
};

/** Cold loads (a new browser context each) until the content is there; FCP and own mark. */
async function paint() {
  const kind = opt.kind;
  const browser = await launch();
  const fcps = [];
  const readies = [];
  let states = {};
  try {
    for (let i = 0; i < runs; i++) {
      const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      const page = await ctx.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(opt.base + opt.path, { waitUntil: 'commit', timeout: 30_000 });
      const h = await page.waitForFunction(READY[kind], null, { polling: 'raf', timeout: 60_000 });
      readies.push(await h.jsonValue());
      const fcp = await page.evaluate(() => performance.getEntriesByType('paint').find((e) => e.name === 'first-contentful-paint')?.startTime ?? null);
      fcps.push(fcp);
      if (kind === 'dashboard') {
        states = await page.evaluate(() => {
          const c = {};
          for (const e of document.querySelectorAll('.dash-panel')) {
            const r = e.getBoundingClientRect();
            if (r.bottom > 0 && r.top < innerHeight) c[e.dataset.state] = (c[e.dataset.state] ?? 0) + 1;
          }
          return c;
        });
      }
      if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
      await ctx.close();
    }
  } finally {
    await browser.close();
  }
  emit({ bench: 'ui', metric: `paint_${kind}`, path: opt.path, runs, fcp_median_ms: round(median(fcps)), content_median_ms: round(median(readies)), fcp_ms: fcps.map((x) => round(x)), content_ms: readies.map((x) => round(x)), ...(kind === 'dashboard' ? { visible_panel_states: states } : {}) });
}

/** Bytes a page load transfers, from CDP: on the wire (encodedDataLength) and decoded. */
async function weight() {
  const browser = await launch();
  try {
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await ctx.newPage();
    const cdp = await ctx.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    const reqs = new Map();
    cdp.on('Network.responseReceived', (e) => {
      reqs.set(e.requestId, { url: e.response.url, status: e.response.status, type: e.type, encoding: e.response.headers['content-encoding'] ?? e.response.headers['Content-Encoding'] ?? '', wire: 0, body: 0 });
    });
    cdp.on('Network.dataReceived', (e) => {
      const r = reqs.get(e.requestId);
      if (r) r.body += e.dataLength;
    });
    cdp.on('Network.loadingFinished', (e) => {
      const r = reqs.get(e.requestId);
      if (r) r.wire = e.encodedDataLength;
    });
    const resp = await page.goto(opt.base + opt.path, { waitUntil: 'networkidle', timeout: 60_000 });
    await page.waitForTimeout(500);
    const all = [...reqs.values()];
    const isApi = (r) => r.url.startsWith('http') && new URL(r.url).pathname.startsWith('/api/');
    const sum = (xs, k) => xs.reduce((a, r) => a + r[k], 0);
    const assets = all.filter((r) => !isApi(r));
    const api = all.filter(isApi);
    emit({
      bench: 'ui',
      metric: 'page_weight',
      system: opt.system,
      path: opt.path,
      final_url: page.url(),
      status: resp?.status(),
      title: await page.title(),
      requests: all.length,
      asset_requests: assets.length,
      asset_wire_bytes: sum(assets, 'wire'),
      asset_decoded_bytes: sum(assets, 'body'),
      api_requests: api.length,
      api_wire_bytes: sum(api, 'wire'),
      total_wire_bytes: sum(all, 'wire'),
      resources: all.map((r) => ({ url: new URL(r.url).pathname, status: r.status, type: r.type, encoding: r.encoding, wire: r.wire, decoded: r.body })),
    });
    await ctx.close();
  } finally {
    await browser.close();
  }
}

/** One full refresh with every row expanded and every panel scrolled into view; the API calls. */
async function capture() {
  const browser = await launch();
  try {
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await ctx.newPage();
    const sent = [];
    page.on('request', (r) => {
      const u = new URL(r.url());
      if (!u.pathname.startsWith('/api/v1/')) return;
      const params = [...u.searchParams];
      if (r.method() === 'POST' && r.postData()) params.push(...new URLSearchParams(r.postData()));
      sent.push({ method: r.method(), path: u.pathname, params, at: Date.now() / 1000 });
    });
    const t0 = Date.now() / 1000;
    await page.goto(opt.base + opt.path, { timeout: 30_000 });
    await page.waitForSelector('.dash-grid', { timeout: 30_000 });
    await page.waitForTimeout(500);
    for (let i = 0; i < 100; i++) {
      const row = await page.$('.dash-row.collapsed');
      if (!row) break;
      await row.scrollIntoViewIfNeeded();
      await row.click();
      await page.waitForTimeout(100);
    }
    const deadline = Date.now() + 90_000;
    let states;
    for (;;) {
      const height = await page.evaluate(() => document.documentElement.scrollHeight);
      for (let y = 0; y < height; y += 600) {
        await page.evaluate((y) => window.scrollTo(0, y), y);
        await page.waitForTimeout(40);
      }
      await page.waitForTimeout(500);
      states = await page.evaluate(() => [...document.querySelectorAll('.dash-panel')].map((e) => e.dataset.state));
      if (states.length && states.every((s) => s !== 'waiting' && s !== 'loading')) break;
      if (Date.now() > deadline) throw new Error('panels still loading after 90 s');
    }
    const count = {};
    for (const s of states) count[s] = (count[s] ?? 0) + 1;
    // The same request twice (e.g. re-sent after a width change) is kept once.
    const key = (r) => `${r.method} ${r.path} ${JSON.stringify([...r.params].sort())}`;
    const seen = new Set();
    const unique = sent.filter((r) => (seen.has(key(r)) ? false : (seen.add(key(r)), true)));
    writeFileSync(opt.out, JSON.stringify({ captured_at: t0, path: opt.path, panel_states: count, sent: sent.length, requests: unique }, null, 1));
    const byPath = {};
    for (const r of unique) byPath[r.path.replace(/^\/api\/v1\/label\/[^/]+\/values$/, '/api/v1/label/:name/values')] = (byPath[r.path.replace(/^\/api\/v1\/label\/[^/]+\/values$/, '/api/v1/label/:name/values')] ?? 0) + 1;
    emit({ bench: 'ui', metric: 'refresh_capture', path: opt.path, panels: states.length, panel_states: count, requests_sent: sent.length, requests_unique: unique.length, by_endpoint: byPath });
    await ctx.close();
  } finally {
    await browser.close();
  }
}

function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const tck = Number(process.env.CLK_TCK ?? 100);
  return (Number(f[11]) + Number(f[12])) / tck;
}

/** Sends one refresh's requests with times shifted to now (aligned to each query's step). */
async function refresh(base, requests, capturedAt, concurrency, at) {
  const now = at ?? Date.now() / 1000;
  const results = new Array(requests.length);
  let next = 0;
  async function worker() {
    while (next < requests.length) {
      const i = next++;
      const r = requests[i];
      const step = Number(r.params.find(([k]) => k === 'step')?.[1] ?? 0);
      let delta = now - capturedAt;
      if (step > 0) delta = Math.floor(delta / step) * step;
      const params = new URLSearchParams();
      for (const [k, v] of r.params) params.append(k, ['start', 'end', 'time'].includes(k) && /^[\d.]+$/.test(v) ? String(Math.round((Number(v) + delta) * 1000) / 1000) : v);
      let status = 0;
      let error = '';
      let shape = null;
      try {
        const resp =
          r.method === 'POST'
            ? await fetch(base + r.path, { method: 'POST', body: params, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } })
            : await fetch(`${base}${r.path}?${params}`);
        status = resp.status;
        const text = await resp.text();
        try {
          const body = JSON.parse(text);
          if (body.status !== 'success') error = `${body.errorType ?? ''}: ${body.error ?? text.slice(0, 200)}`;
          // The answer's shape, to compare servers: series (or values) and samples in it.
          const d = body.data;
          const list = Array.isArray(d) ? d : Array.isArray(d?.result) ? d.result : [];
          shape = [list.length, list.reduce((a, x) => a + (Array.isArray(x?.values) ? x.values.length : 1), 0)];
        } catch {
          error = `not JSON: ${text.slice(0, 200)}`;
        }
      } catch (e) {
        error = String(e);
      }
      results[i] = { status, error, shape };
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results;
}

/** K refreshes against one server; its CPU seconds before and after, minus its idle rate. */
async function replay() {
  const cap = JSON.parse(readFileSync(opt.capture, 'utf8'));
  const pid = Number(opt.pid);
  const k = Number(opt.refreshes ?? 20);
  const concurrency = Number(opt.concurrency ?? 6);
  const idleSeconds = Number(opt.idle ?? 10);
  // Warm-up refresh (not measured); its answers are the ones checked for errors and compared
  // between servers, so it is sent for the same moment (--at, Unix seconds) to each.
  const first = await refresh(opt.base, cap.requests, cap.captured_at, concurrency, opt.at ? Number(opt.at) : undefined);
  const failures = first
    .map((r, i) => ({ status: r.status, error: r.error, method: cap.requests[i].method, path: cap.requests[i].path, query: cap.requests[i].params.find(([k]) => k === 'query' || k === 'match[]')?.[1] ?? '' }))
    .filter((r) => r.status !== 200 || r.error);
  // The idle CPU rate (scraping, housekeeping) over a quiet window.
  const i0 = cpuSeconds(pid);
  const it0 = performance.now();
  await new Promise((r) => setTimeout(r, idleSeconds * 1000));
  const idleRate = (cpuSeconds(pid) - i0) / ((performance.now() - it0) / 1000);
  const c0 = cpuSeconds(pid);
  const t0 = performance.now();
  let errors = 0;
  for (let i = 0; i < k; i++) errors += (await refresh(opt.base, cap.requests, cap.captured_at, concurrency)).filter((r) => r.status !== 200 || r.error).length;
  const wall = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(pid) - c0;
  const net = cpu - idleRate * wall;
  emit({
    bench: 'ui',
    metric: 'refresh_cpu',
    system: opt.system,
    refreshes: k,
    queries_per_refresh: cap.requests.length,
    concurrency,
    wall_s: round(wall, 3),
    cpu_s: round(cpu, 3),
    idle_cpu_per_s: round(idleRate, 4),
    cpu_ms_per_refresh_raw: round((cpu * 1000) / k),
    cpu_ms_per_refresh: round((net * 1000) / k),
    wall_ms_per_refresh: round((wall * 1000) / k),
    errors_first_refresh: failures.length,
    errors_measured: errors,
    failures: failures.slice(0, 50),
    // Per request of the warm-up refresh: [series, samples] answered.
    shapes: first.map((r) => r.shape),
  });
}

const modes = { chart, paint, weight, capture, replay };
if (!modes[mode]) {
  console.error(`usage: ui_bench.mjs ${Object.keys(modes).join('|')} [--opt value]…`);
  process.exit(2);
}
await modes[mode]();
