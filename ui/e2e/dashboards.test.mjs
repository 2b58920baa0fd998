// Dashboards in a real browser: the seed dashboards and Node Exporter Full (current and rows[]
// era) are imported through Grafana's HTTP API, opened at the URL the API answers, and every
// panel must render (the one seed query that is invalid shows its API error inside its panel);
// variables change the queries sent; collapsed rows expand; the URL's state survives a reload.
//
// Vigil here scrapes its host under two jobs (`node` and `node-b`, through a small forwarder),
// so Node Exporter Full's job variable has two values to switch between.
//
// Until the dashboard API and the UI ship in one binary, VIGIL_DASH_BIN may name a build that
// has the dashboard API: it is started too, and a small proxy in front sends /api/dashboards
// and /api/search to it and everything else to VIGIL_BIN.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startVigil, launchBrowser, newPage, screenshot, freePort, repo } from './harness.mjs';

const fixtures = join(repo, 'ui', 'test', 'fixtures');
const seedsDir = join(repo, 'tests', 'dashboards', 'seeds');
/** The seed query Vigil rejects (a range vector inside sum()); its panel must show the error. */
const INVALID_SEED_EXPR = 'sum(ml_predictions_correct_total[24h])';

let vigil;
let extra;
let base;
let browser;
const servers = [];

function listen(handler) {
  return new Promise(async (res) => {
    const port = await freePort();
    const s = http.createServer(handler);
    servers.push(s);
    s.listen(port, '127.0.0.1', () => res(port));
  });
}

function forward(req, res, target) {
  if (!target) {
    res.writeHead(503);
    return res.end('not ready');
  }
  const p = http.request(new URL(req.url, target), { method: req.method, headers: req.headers }, (r) => {
    res.writeHead(r.statusCode, r.headers);
    r.pipe(res);
  });
  p.on('error', (e) => {
    res.writeHead(502);
    res.end(String(e));
  });
  req.pipe(p);
}

async function api(path, init) {
  const r = await fetch(base + path, init);
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null };
}

async function importDashboard(body) {
  const r = await api('/api/dashboards/db', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ ...body, overwrite: true }) });
  assert.equal(r.status, 200, `import failed: ${JSON.stringify(r.body)}`);
  assert.match(r.body.url, /^\/d\//);
  return r.body;
}

before(async () => {
  let vigilUrl = '';
  const hostPort = await listen((req, res) => forward(req, res, vigilUrl));
  vigil = await startVigil({
    args: ['--config.file={dir}/prometheus.yml'],
    files: {
      'prometheus.yml': `global:\n  scrape_interval: 5s\nscrape_configs:\n  - job_name: node\n    metrics_path: /metrics/host\n    static_configs:\n      - targets: ['127.0.0.1:${hostPort}']\n  - job_name: node-b\n    metrics_path: /metrics/host\n    static_configs:\n      - targets: ['127.0.0.1:${hostPort}']\n`,
    },
  });
  vigilUrl = vigil.url;
  base = vigil.url;
  const probe = await fetch(`${vigil.url}/api/search?type=dash-db`);
  if (probe.status === 404 && process.env.VIGIL_DASH_BIN) {
    const uiBin = process.env.VIGIL_BIN;
    process.env.VIGIL_BIN = process.env.VIGIL_DASH_BIN;
    try {
      extra = await startVigil();
    } finally {
      process.env.VIGIL_BIN = uiBin;
    }
    const port = await listen((req, res) => forward(req, res, /^\/api\/(dashboards|search)/.test(req.url) ? extra.url : vigil.url));
    base = `http://127.0.0.1:${port}`;
  }
  browser = await launchBrowser();
  // Half a minute of both jobs (scraped every 5 s), so rates and step-aligned range queries have data.
  const deadline = Date.now() + 60_000;
  for (;;) {
    const r = await api(`/api/v1/query?query=${encodeURIComponent('count(count_over_time(node_uname_info[1m]) >= 6)')}`);
    if (r.body?.data?.result?.[0]?.value?.[1] === '2') break;
    if (Date.now() > deadline) throw new Error(`no host data after 60 s: ${JSON.stringify(r.body)}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
});

after(async () => {
  await browser?.close();
  for (const s of servers) s.close();
  await extra?.stop();
  await vigil?.stop();
});

/** Panel states on the page: {id, type, state, title, error}. */
function panelStates(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('.dash-panel')].map((e) => ({
      id: e.dataset.panelId,
      /** For a repeated copy, the id of the panel it repeats. */
      repeatOf: e.dataset.repeatOf,
      type: e.dataset.panelType,
      state: e.dataset.state,
      title: e.querySelector('.panel-title')?.textContent ?? '',
      error: e.querySelector('.panel-error')?.textContent ?? '',
    })),
  );
}

/**
 * Scrolls through the whole dashboard (panels load when they come into view) and waits until no
 * panel is waiting or loading; returns the final states.
 */
async function renderAll(page) {
  await page.waitForSelector('.dash-grid');
  const deadline = Date.now() + 60_000;
  for (;;) {
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    for (let y = 0; y < height; y += 600) {
      await page.evaluate((y) => window.scrollTo(0, y), y);
      await page.waitForTimeout(40);
    }
    await page.waitForTimeout(300);
    const states = await panelStates(page);
    if (states.length && states.every((s) => s.state !== 'waiting' && s.state !== 'loading')) {
      await page.evaluate(() => window.scrollTo(0, 0));
      return states;
    }
    if (Date.now() > deadline) throw new Error(`panels still loading: ${JSON.stringify(states.filter((s) => s.state === 'waiting' || s.state === 'loading'))}`);
  }
}

/** Console errors other than the browser's note about the seed's rejected query (HTTP 400). */
function unexpectedProblems(page, allowBadRequest) {
  return page.problems.filter((p) => !(allowBadRequest && /status of 400/.test(p)));
}

/** Whether some uPlot canvas on the page has drawn pixels. */
function someCanvasDrawn(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('.dash-panel canvas')].some((c) => {
      const ctx = c.getContext('2d');
      if (!ctx || !c.width || !c.height) return false;
      const { data } = ctx.getImageData(0, 0, c.width, c.height);
      for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) return true;
      return false;
    }),
  );
}

async function expandAllRows(page) {
  for (;;) {
    const collapsed = await page.$('.dash-row.collapsed');
    if (!collapsed) return;
    await collapsed.scrollIntoViewIfNeeded();
    await collapsed.click();
    await page.waitForTimeout(50);
  }
}


/** A dashboard using every panel type Vigil draws, on metrics this Vigil has. */
const GALLERY = {
  uid: 'panel-gallery',
  title: 'Panel gallery',
  time: { from: 'now-15m', to: 'now' },
  templating: {
    list: [
      { name: 'job', type: 'query', query: { query: 'label_values(up, job)' }, multi: true, includeAll: true, current: { text: 'All', value: ['$__all'] }, refresh: 1 },
      { name: 'mode', type: 'custom', query: 'user,system,idle', multi: false, current: { text: 'user', value: 'user' } },
      { name: 'note', type: 'textbox', query: 'hello' },
      { name: 'hidden', type: 'constant', query: 'node', hide: 2 },
      { name: 'busiest', type: 'query', query: 'query_result(topk(1, count_over_time(up[$__range])))', regex: '/job="([^"]+)"/', refresh: 2 },
    ],
  },
  panels: [
    { id: 1, type: 'text', title: 'Notes for $note', gridPos: { x: 0, y: 0, w: 8, h: 6 }, options: { mode: 'markdown', content: '# Heading\n\nSome **bold** text, a [link](https://example.com) and <script>window.__pwned = 1</script>\n\n- one\n- two' } },
    { id: 2, type: 'text', title: 'HTML', gridPos: { x: 8, y: 0, w: 8, h: 6 }, options: { mode: 'html', content: '<h3>Safe</h3><p onclick="window.__pwned=2">para <b>bold</b></p><img src=x onerror="window.__pwned=3"><script>window.__pwned=4</script>' } },
    { id: 3, type: 'news', title: 'Unknown type', gridPos: { x: 16, y: 0, w: 8, h: 6 } },
    { id: 4, type: 'stat', title: 'Scrape duration per job', gridPos: { x: 0, y: 6, w: 12, h: 5 }, targets: [{ refId: 'A', expr: 'sum by (job) (scrape_duration_seconds{job=~"$job"})', legendFormat: '{{job}}' }], fieldConfig: { defaults: { unit: 's', thresholds: { mode: 'absolute', steps: [{ color: 'green', value: null }, { color: 'red', value: 10 }] } }, overrides: [] }, options: { colorMode: 'background', graphMode: 'area', reduceOptions: { calcs: ['lastNotNull'] } } },
    { id: 13, type: 'stat', title: 'Instance (a label as text)', gridPos: { x: 0, y: 24, w: 6, h: 3 }, targets: [{ refId: 'A', expr: 'max by (instance) (up{job="node"})', instant: true, format: 'table' }], options: { reduceOptions: { calcs: ['lastNotNull'], fields: '/^instance$/' } } },
    { id: 14, type: 'timeseries', title: 'Logs rate (Loki)', datasource: { type: 'loki', uid: 'loki' }, gridPos: { x: 6, y: 24, w: 6, h: 3 }, targets: [{ refId: 'A', expr: 'sum(rate({job="x"}[1m]))' }] },
    { id: 5, type: 'gauge', title: 'Memory available', gridPos: { x: 12, y: 6, w: 6, h: 5 }, targets: [{ refId: 'A', expr: 'max(node_memory_MemAvailable_bytes{job="node"}) / max(node_memory_MemTotal_bytes{job="node"}) * 100', instant: true }], fieldConfig: { defaults: { unit: 'percent', min: 0, max: 100, thresholds: { mode: 'absolute', steps: [{ color: 'red', value: null }, { color: 'green', value: 10 }] } }, overrides: [] }, options: {} },
    { id: 6, type: 'bargauge', title: 'Samples scraped', gridPos: { x: 18, y: 6, w: 6, h: 5 }, targets: [{ refId: 'A', expr: 'sum by (job) (scrape_samples_scraped)', legendFormat: '{{job}}', instant: true }], fieldConfig: { defaults: { thresholds: { mode: 'percentage', steps: [{ color: 'green', value: null }, { color: 'orange', value: 80 }] } }, overrides: [] }, options: { displayMode: 'lcd', orientation: 'horizontal' } },
    { id: 7, type: 'table', title: 'Targets (merged)', gridPos: { x: 0, y: 11, w: 12, h: 6 }, transformations: [{ id: 'merge', options: {} }, { id: 'organize', options: { renameByName: { 'Value #A': 'Up' }, indexByName: { job: 0 } } }], targets: [{ refId: 'A', expr: 'up', format: 'table', instant: true }, { refId: 'B', expr: 'scrape_samples_scraped', format: 'table', instant: true }], fieldConfig: { defaults: {}, overrides: [{ matcher: { id: 'byName', options: 'Value #B' }, properties: [{ id: 'unit', value: 'short' }, { id: 'displayName', value: 'Samples' }] }] }, options: { sortBy: [{ displayName: 'job', desc: true }] } },
    { id: 8, type: 'piechart', title: 'Series per job', gridPos: { x: 12, y: 11, w: 12, h: 6 }, targets: [{ refId: 'A', expr: 'count by (job) ({job=~".+"})', legendFormat: '{{job}}', instant: true }], options: { pieType: 'donut', legend: { displayMode: 'list', values: ['value', 'percent'] } } },
    { id: 9, type: 'timeseries', title: 'CPU $mode (bars, right axis)', gridPos: { x: 0, y: 17, w: 12, h: 8 }, targets: [{ refId: 'A', expr: 'sum(rate(node_cpu_seconds_total{job="node", mode="$mode"}[$__rate_interval]))', legendFormat: '$mode' }, { refId: 'B', expr: 'sum(scrape_duration_seconds)', legendFormat: 'scrape' }], fieldConfig: { defaults: { custom: { drawStyle: 'bars', fillOpacity: 60 } }, overrides: [{ matcher: { id: 'byName', options: 'scrape' }, properties: [{ id: 'custom.axisPlacement', value: 'right' }, { id: 'unit', value: 's' }, { id: 'custom.drawStyle', value: 'line' }] }] }, options: { legend: { displayMode: 'table', calcs: ['min', 'mean', 'max', 'lastNotNull'] } } },
    { id: 11, type: 'row', title: 'Job $job', repeat: 'job', collapsed: false, gridPos: { x: 0, y: 25, w: 24, h: 1 }, panels: [] },
    { id: 12, type: 'stat', title: 'Targets up in $job', gridPos: { x: 0, y: 26, w: 6, h: 3 }, targets: [{ refId: 'A', expr: 'sum(up{job="$job"})', instant: true }], options: {} },
    { id: 10, type: 'timeseries', title: 'Up of $job', repeat: 'job', repeatDirection: 'h', maxPerRow: 2, gridPos: { x: 12, y: 17, w: 12, h: 8 }, targets: [{ refId: 'A', expr: 'up{job=~"$job"}', legendFormat: '{{instance}}' }], options: {}, fieldConfig: { defaults: { thresholds: { mode: 'absolute', steps: [{ value: null, color: 'green' }, { value: 0.5, color: 'red' }] }, custom: { thresholdsStyle: { mode: 'line+area' } } }, overrides: [] } },
  ],
};

for (const file of readdirSync(seedsDir).filter((f) => f.endsWith('.json')).sort()) {
  test(`seed dashboard ${file} imports and every panel renders`, async () => {
    const body = JSON.parse(readFileSync(join(seedsDir, file), 'utf8'));
    const saved = await importDashboard(body);
    const page = await newPage(browser);
    await page.goto(base + saved.url);
    const states = await renderAll(page);
    await screenshot(page, `dashboard-seed-${file.replace(/\.json$/, '')}`);
    const expectedPanels = body.dashboard.panels.filter((p) => p.type !== 'row').length;
    assert.equal(states.length, expectedPanels, JSON.stringify(states));
    let invalid = false;
    for (const [i, s] of states.entries()) {
      const def = body.dashboard.panels.filter((p) => p.type !== 'row')[i];
      const isInvalid = def.targets?.some((t) => t.expr.includes(INVALID_SEED_EXPR));
      if (isInvalid) {
        invalid = true;
        assert.equal(s.state, 'error', `${s.title} should show the API error`);
        assert.match(s.error, /range vector|expected|parse|instant vector/i, s.error);
      } else {
        assert.ok(['rendered', 'nodata'].includes(s.state), `${s.title}: ${s.state} ${s.error}`);
      }
    }
    assert.deepEqual(unexpectedProblems(page, invalid), []);
    await page.close();
  });
}

for (const [file, name] of [
  ['node-exporter-full.json', 'node-exporter-full'],
  ['node-exporter-full-rows.json', 'node-exporter-full-rows'],
]) {
  test(`Node Exporter Full (${file}) renders every panel, collapsed rows included`, async () => {
    const dashboard = JSON.parse(readFileSync(join(fixtures, file), 'utf8'));
    const saved = await importDashboard({ dashboard: { ...dashboard, id: null } });
    const page = await newPage(browser);
    await page.goto(`${base}${saved.url}?from=now-15m&to=now`);
    await page.waitForSelector('.dash-grid');
    await expandAllRows(page);
    const states = await renderAll(page);
    await screenshot(page, `dashboard-${name}`);
    assert.ok(states.length > 20, `only ${states.length} panels`);
    const bad = states.filter((s) => !['rendered', 'nodata'].includes(s.state));
    assert.deepEqual(bad, []);
    assert.ok(states.filter((s) => s.state === 'rendered').length > 10, 'most panels have data');
    assert.ok(await someCanvasDrawn(page), 'a time-series canvas has pixels');
    assert.deepEqual(unexpectedProblems(page, false), []);
    await page.close();
  });
}

test('collapsed rows expand on click and their panels render', async () => {
  const dashboard = JSON.parse(readFileSync(join(fixtures, 'node-exporter-full.json'), 'utf8'));
  const saved = await importDashboard({ dashboard: { ...dashboard, id: null, uid: 'nef-rows-test', title: 'NEF rows test' } });
  const page = await newPage(browser);
  await page.goto(`${base}${saved.url}?from=now-15m&to=now`);
  await page.waitForSelector('.dash-row.collapsed');
  const before = (await panelStates(page)).length;
  const row = await page.$('.dash-row.collapsed');
  const rowId = await row.getAttribute('data-row-id');
  const childCount = dashboard.panels.find((p) => String(p.id) === rowId).panels.length;
  await row.click();
  await page.waitForSelector(`.dash-row[data-row-id="${rowId}"]:not(.collapsed)`);
  const states = await renderAll(page);
  assert.equal(states.length, before + childCount);
  assert.ok(states.every((s) => ['rendered', 'nodata'].includes(s.state)), JSON.stringify(states.filter((s) => !['rendered', 'nodata'].includes(s.state))));
  await screenshot(page, 'dashboard-row-expanded');
  // And collapse again.
  await page.click(`.dash-row[data-row-id="${rowId}"]`);
  await page.waitForSelector(`.dash-row[data-row-id="${rowId}"].collapsed`);
  assert.equal((await panelStates(page)).length, before);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('changing a variable changes the queries sent', async () => {
  const dashboard = JSON.parse(readFileSync(join(fixtures, 'node-exporter-full.json'), 'utf8'));
  const saved = await importDashboard({ dashboard: { ...dashboard, id: null } });
  const page = await newPage(browser);
  await page.goto(`${base}${saved.url}?from=now-15m&to=now`);
  await renderAll(page);
  const jobSelect = page.locator('select[name="var-job"]');
  const options = await jobSelect.locator('option').allTextContents();
  assert.deepEqual(options.sort(), ['node', 'node-b']);
  const current = await jobSelect.inputValue();
  const other = current === 'node' ? 'node-b' : 'node';
  const sentBefore = page.requests.length;
  await jobSelect.selectOption(other);
  await page.waitForFunction((v) => new URLSearchParams(location.search).get('var-job') === v, other);
  await renderAll(page);
  // The chained variables (nodename, then instance) were asked for again under the new job.
  const lookups = page.requests.slice(sentBefore).map((u) => decodeURIComponent(u));
  assert.ok(lookups.some((u) => u.includes('/api/v1/label/nodename/values') && u.includes(`job="${other}"`)), 'nodename reloaded for the new job');
  assert.ok(lookups.some((u) => u.includes('/api/v1/label/instance/values') && u.includes(`job="${other}"`)), 'instance reloaded for the new job');
  const ranges = page.requests.slice(sentBefore).filter((u) => u.includes('/api/v1/query_range'));
  assert.ok(ranges.length > 0, 'range queries were sent after the change');
  for (const u of ranges) {
    const q = new URL(u).searchParams.get('query');
    if (q.includes('job=')) assert.ok(q.includes(`job="${other}"`), q);
  }
  assert.ok(ranges.some((u) => new URL(u).searchParams.get('query').includes(`job="${other}"`)));
  await screenshot(page, 'dashboard-variable-changed');
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('time range and variables in the URL apply after a reload', async () => {
  const dashboard = JSON.parse(readFileSync(join(fixtures, 'node-exporter-full.json'), 'utf8'));
  const saved = await importDashboard({ dashboard: { ...dashboard, id: null } });
  const page = await newPage(browser);
  await page.goto(`${base}${saved.url}?from=now-30m&to=now&var-job=node-b`);
  await renderAll(page);
  await page.reload();
  await renderAll(page);
  assert.equal(await page.locator('select[name="var-job"]').inputValue(), 'node-b');
  assert.match(await page.locator('.time-range-btn').textContent(), /Last 30m/);
  const url = new URL(page.url());
  assert.equal(url.searchParams.get('from'), 'now-30m');
  assert.equal(url.searchParams.get('var-job'), 'node-b');
  const ranges = page.requests.filter((u) => u.includes('/api/v1/query_range'));
  const last = ranges.slice(-5).map((u) => new URL(u).searchParams);
  for (const sp of last) {
    assert.ok(Number(sp.get('end')) - Number(sp.get('start')) <= 30 * 60 + 60, 'a 30-minute range');
    if (sp.get('query').includes('job=')) assert.ok(sp.get('query').includes('job="node-b"'), sp.get('query'));
  }
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('dashboards list links to each dashboard, and import shows the API error', async () => {
  const page = await newPage(browser);
  await page.goto(`${base}/dashboards`);
  await page.waitForSelector('table.dash-list tbody tr[data-uid]');
  const titles = await page.locator('table.dash-list tbody tr[data-uid] a').first().textContent();
  assert.ok(titles.length > 0);
  await screenshot(page, 'dashboards-list');
  await page.goto(`${base}/dashboard/import`);
  await page.fill('textarea[name="json"]', '{"title": "not a dashboard"}');
  await page.click('button.primary:has-text("Import")');
  await page.waitForSelector('.import-error');
  assert.match(await page.locator('.import-error').textContent(), /neither panels nor rows/);
  // Saving over an existing uid without overwrite shows the API's conflict message.
  await page.fill('textarea[name="json"]', JSON.stringify({ uid: 'panel-gallery-conflict', title: 'Conflict', panels: [] }));
  await page.click('button.primary:has-text("Import")');
  await page.waitForURL(/\/d\/panel-gallery-conflict/);
  await page.goto(`${base}/dashboard/import`);
  await page.fill('textarea[name="json"]', JSON.stringify({ uid: 'panel-gallery-conflict', title: 'Conflict 2', panels: [] }));
  await page.click('button.primary:has-text("Import")');
  await page.waitForSelector('.import-error');
  assert.match(await page.locator('.import-error').textContent(), /changed by someone else.*412/);
  // A real import navigates to the saved dashboard.
  const seed = JSON.parse(readFileSync(join(seedsDir, readdirSync(seedsDir).sort()[0]), 'utf8'));
  await page.fill('textarea[name="json"]', JSON.stringify({ ...seed.dashboard, uid: 'imported-in-browser', title: 'Imported in the browser' }));
  await page.check('input[name="overwrite"]');
  await page.click('button.primary:has-text("Import")');
  await page.waitForURL(/\/d\/imported-in-browser/);
  await page.waitForSelector('.dash-grid');
  await screenshot(page, 'dashboard-imported-in-browser');
  // Export downloads the dashboard as stored.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('button:has-text("Export")')]);
  const exported = JSON.parse(readFileSync(await download.path(), 'utf8'));
  assert.equal(exported.uid, 'imported-in-browser');
  assert.equal(exported.title, 'Imported in the browser');
  // The browser logs the 412 this test provoked; nothing else.
  assert.deepEqual(page.problems.filter((p) => !/status of 412/.test(p)), []);
  await page.close();
});

test('the built-in overview dashboard renders', async () => {
  const page = await newPage(browser);
  await page.goto(`${base}/d/vigil-overview`);
  const states = await renderAll(page);
  await screenshot(page, 'dashboard-vigil-overview');
  assert.ok(states.length > 0);
  assert.deepEqual(states.filter((s) => !['rendered', 'nodata'].includes(s.state)), []);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('every panel type renders with data, safely, and repeats by variable', async () => {
  const saved = await importDashboard({ dashboard: GALLERY });
  const page = await newPage(browser);
  await page.goto(base + saved.url);
  const states = await renderAll(page);
  await screenshot(page, 'dashboard-panel-gallery');
  const byId = (id) => states.filter((s) => s.id === String(id) || s.repeatOf === String(id));
  // The repeated row comes once per job, its panel scoped to that job.
  assert.deepEqual((await page.locator('.dash-row').allTextContents()).map((t) => t.replace(/^\W+/, '').trim()).sort(), ['Job node', 'Job node-b']);
  assert.deepEqual(byId(12).map((s) => [s.title, s.state]).sort(), [['Targets up in node', 'rendered'], ['Targets up in node-b', 'rendered']]);
  for (const id of [1, 2, 4, 5, 6, 7, 8, 9]) assert.deepEqual(byId(id).map((s) => s.state), ['rendered'], `panel ${id}: ${JSON.stringify(byId(id))}`);
  assert.equal(byId(3)[0].state, 'unsupported');
  // Thresholds drawn as line+area: the red step at 0.5 leaves red pixels (the series is green).
  const redPixels = await page.$eval('.dash-panel[data-panel-id="10"] canvas, .dash-panel[data-repeat-of="10"] canvas', (c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] > 180 && d[i + 1] < 110 && d[i + 2] < 120 && d[i + 3] > 200) n++;
    return n;
  });
  assert.ok(redPixels > 50, `threshold line not drawn (${redPixels} red pixels)`);
  // A query_result variable over $__range, its job picked out by the variable's regex.
  assert.match(await page.locator('select[name="var-busiest"]').inputValue(), /^node(-b)?$/);
  assert.ok(page.requests.some((u) => new URL(u).searchParams.get('query') === 'topk(1, count_over_time(up[900s]))'));
  assert.equal(byId(14)[0].state, 'unsupported');
  assert.match(await page.locator('[data-panel-id="14"] .panel-body').textContent(), /Data source type 'loki' is not supported/);
  assert.ok(!page.requests.some((u) => decodeURIComponent(u).includes('{job="x"}')), 'the LogQL query was not sent');
  assert.match(await page.locator('[data-panel-id="13"] .stat-value').textContent(), /^127\.0\.0\.1:\d+$/);
  assert.match(await page.locator('[data-panel-id="3"] .panel-body').textContent(), /Panel type 'news' is not supported/);
  // The repeat over the multi-value job variable (All) gives one panel per job, titled by it.
  const repeated = byId(10);
  assert.equal(repeated.length, 2);
  assert.deepEqual(repeated.map((s) => s.title).sort(), ['Up of node', 'Up of node-b']);
  // Text: Markdown rendered, markup never executed.
  assert.equal(await page.locator('[data-panel-id="1"] h1').textContent(), 'Heading');
  assert.equal(await page.locator('[data-panel-id="1"] .panel-title').textContent(), 'Notes for hello');
  assert.equal(await page.locator('[data-panel-id="2"] h3').textContent(), 'Safe');
  assert.equal(await page.locator('[data-panel-id="2"] img, [data-panel-id="2"] script, [data-panel-id="1"] script').count(), 0);
  await page.click('[data-panel-id="2"] p');
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  // Table merged on labels with the override's name; pie chart legend with percentages.
  const headers = await page.locator('[data-panel-id="7"] th').allTextContents();
  assert.ok(headers.some((h) => h.startsWith('Samples')), headers.join(','));
  assert.ok(headers.some((h) => h.startsWith('Up')), headers.join(','));
  assert.ok(headers[0].startsWith('job'), 'organize put job first');
  assert.equal(await page.locator('[data-panel-id="7"] tbody tr').count(), 2);
  assert.equal(await page.locator('[data-panel-id="7"] tbody tr td').first().textContent(), 'node-b', 'sorted by job, descending');
  assert.match(await page.locator('[data-panel-id="8"] .pie-legend').textContent(), /node-b.*%/);
  // Time series legend table with calcs; bars and a right axis.
  assert.deepEqual(await page.locator('[data-panel-id="9"] .legend-table th').allTextContents(), ['Series', 'Min', 'Mean', 'Max', 'Last *']);
  assert.ok(await someCanvasDrawn(page));
  // View mode puts the panel alone on the page, with viewPanel in the URL.
  await page.hover('[data-panel-id="9"]');
  await page.click('[data-panel-id="9"] .panel-menu-btn');
  await page.click('.panel-menu button:has-text("View")');
  await page.waitForFunction(() => new URLSearchParams(location.search).get('viewPanel') === '9');
  assert.equal(await page.locator('.dash-panel').count(), 1);
  await screenshot(page, 'dashboard-view-panel');
  // Inspect shows the query as sent.
  await page.click('.dash-panel .panel-menu-btn');
  await page.click('.panel-menu button:has-text("Inspect query")');
  assert.match(await page.locator('.dash-modal code').first().textContent(), /mode="user"/);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('time controls: quick range, zoom out, shift, absolute range; auto-refresh re-queries', async () => {
  // A variable refreshed "on time range change" (refresh 2) asks the API again for each range.
  const onRange = { name: 'instance', type: 'query', query: 'label_values(up, instance)', refresh: 2 };
  const templating = { list: [...GALLERY.templating.list, onRange] };
  const saved = await importDashboard({ dashboard: { ...GALLERY, templating, uid: 'time-controls', title: 'Time controls', refresh: '5s' } });
  const page = await newPage(browser);
  await page.goto(base + saved.url);
  await renderAll(page);
  const params = () => new URL(page.url()).searchParams;
  const instanceLookups = () => page.requests.filter((u) => u.includes('/api/v1/label/instance/values')).length;
  assert.equal(instanceLookups(), 1);
  await page.click('.time-range-btn');
  await page.click('.timepicker-quick button:has-text("Last 1 hour")');
  await page.waitForFunction(() => new URLSearchParams(location.search).get('from') === 'now-1h');
  await page.waitForFunction(() => performance.getEntriesByType('resource').filter((e) => e.name.includes('/label/instance/values')).length === 2);
  await page.click('button:has-text("Zoom out")');
  await page.waitForFunction(() => /^\d+$/.test(new URLSearchParams(location.search).get('from') ?? ''));
  const span = Number(params().get('to')) - Number(params().get('from'));
  assert.ok(Math.abs(span - 2 * 3600_000) < 2000, `zoomed span ${span}`);
  const to = Number(params().get('to'));
  await page.click('button[title="Shift back"]');
  await page.waitForFunction((t) => Number(new URLSearchParams(location.search).get('to')) < t, to);
  assert.ok(Math.abs(to - Number(params().get('to')) - 3600_000) < 2000, 'shifted by half the span');
  // Absolute range typed in.
  await page.click('.time-range-btn');
  await page.fill('input[name="from"]', '2026-01-01 00:00:00');
  await page.fill('input[name="to"]', '2026-01-01 06:00:00');
  await page.click('button:has-text("Apply time range")');
  await page.waitForFunction(() => /^\d+$/.test(new URLSearchParams(location.search).get('to') ?? '') && Number(new URLSearchParams(location.search).get('to')) - Number(new URLSearchParams(location.search).get('from')) === 6 * 3600_000);
  // Back to a relative range: the dashboard's 5 s refresh sends the queries again.
  await page.click('.time-range-btn');
  await page.click('.timepicker-quick button:has-text("Last 5 minutes")');
  await renderAll(page);
  const count = () => page.requests.filter((u) => u.includes('/api/v1/query')).length;
  const before = count();
  await page.waitForTimeout(6500);
  assert.ok(count() > before, 'auto-refresh sent the queries again');
  // Off stops it, though the dashboard saves 5s.
  await page.selectOption('select[aria-label="Auto refresh"]', '');
  await page.waitForFunction(() => new URLSearchParams(location.search).get('refresh') === '');
  await page.waitForTimeout(500);
  const stopped = count();
  await page.waitForTimeout(6000);
  assert.equal(count(), stopped, 'no queries after Off');
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('a multi-value variable: picking values narrows the queries and the repeats', async () => {
  const saved = await importDashboard({ dashboard: { ...GALLERY, uid: 'multi-value', title: 'Multi value' } });
  const page = await newPage(browser);
  await page.goto(base + saved.url);
  await renderAll(page);
  await page.click('[data-var="job"] .var-multi-btn');
  await page.click('[data-var="job"] .var-option:has-text("node-b")');
  await page.waitForFunction(() => new URLSearchParams(location.search).getAll('var-job').join(',') === 'node-b');
  await page.keyboard.press('Escape');
  const sentBefore = page.requests.length;
  await page.click('[data-var="job"] .var-multi-btn');
  await page.click('[data-var="job"] .var-option:text-is("node")');
  await page.waitForFunction(() => new URLSearchParams(location.search).getAll('var-job').sort().join(',') === 'node,node-b');
  await page.keyboard.press('Escape');
  const states = await renderAll(page);
  // Both values selected: two repeats, and the regex alternation in the queries.
  assert.equal(states.filter((s) => s.id === '10' || s.repeatOf === '10').length, 2);
  const sent = page.requests.slice(sentBefore).map((u) => new URL(u).searchParams.get('query') ?? '');
  assert.ok(sent.some((q) => /job=~"\(node\|node-b\)"|job=~"\(node-b\|node\)"/.test(q)), sent.join('\n'));
  assert.match(await page.locator('[data-var="job"] .var-multi-btn').textContent(), /node-b \+ node|node \+ node-b/);
  assert.deepEqual(page.problems, []);
  await page.close();
});
