// Status pages against a running vigil with a rule file: each page loads real data, shows no
// console errors, and is screenshotted for a look.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startVigil, launchBrowser, newPage, screenshot } from './harness.mjs';

let vigil;
let browser;

const rules = `groups:
  - name: e2e-group
    interval: 1s
    rules:
      - record: job:up:sum
        expr: sum by (job) (up)
      - alert: E2EAlwaysFiring
        expr: vector(1)
        labels:
          severity: page
        annotations:
          summary: fires for the status test
`;

before(async () => {
  // The listen port is only known once vigil runs: start with the rule file alone, then write
  // the scrape config naming that port and reload.
  vigil = await startVigil({
    files: { 'rules.yml': rules, 'prometheus.yml': 'rule_files:\n  - rules.yml\n' },
    args: ['--config.file={dir}/prometheus.yml', '--web.enable-lifecycle'],
  });
  writeFileSync(
    join(vigil.dir, 'prometheus.yml'),
    `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files:\n  - ${vigil.dir}/rules.yml\nscrape_configs:\n  - job_name: self\n    static_configs:\n      - targets: ['127.0.0.1:${vigil.port}']\n  - job_name: nothing-listens\n    static_configs:\n      - targets: ['127.0.0.1:9', '127.0.0.1:10']\n    relabel_configs:\n      - source_labels: [__address__]\n        regex: '127.0.0.1:10'\n        action: drop\n`,
  );
  const reload = await fetch(`${vigil.url}/-/reload`, { method: 'POST' });
  assert.equal(reload.status, 200, await reload.text());
  browser = await launchBrowser();
  // Wait for the first scrape of both targets so the pages have data (they load once).
  const deadline = Date.now() + 20_000;
  for (;;) {
    const r = await (await fetch(`${vigil.url}/api/v1/targets`)).json();
    const ts = r.data.activeTargets;
    if (ts.some((t) => t.scrapePool === 'self' && t.health === 'up') && ts.some((t) => t.scrapePool === 'nothing-listens' && t.health === 'down')) break;
    if (Date.now() > deadline) throw new Error(`targets never scraped: ${JSON.stringify(ts)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
});
after(async () => {
  await browser?.close();
  await vigil?.stop();
});

async function open(path, waitFor) {
  const page = await newPage(browser);
  await page.goto(vigil.url + path);
  await page.waitForSelector(waitFor, { timeout: 15_000 });
  return page;
}

test('/targets lists the self-scrape target as up and the dead one with its error', async () => {
  const page = await open('/targets', '.pool[data-pool="self"] tr.target');
  const self = page.locator('.pool[data-pool="self"] tr.target');
  assert.match(await self.innerText(), /UP/);
  assert.match(await self.innerText(), /ago|just now/);
  const dead = page.locator('.pool[data-pool="nothing-listens"] tr.target');
  await dead.locator('.badge.down').waitFor({ timeout: 10_000 });
  // Discovered labels on demand.
  await self.getByRole('button', { name: 'discovered labels' }).click();
  assert.match(await self.locator('.discovered').innerText(), /__address__/);
  await screenshot(page, 'status-targets');
  // Unhealthy filter hides the self pool and keeps the URL state.
  await page.selectOption('select[aria-label="Health"]', 'unhealthy');
  await page.waitForSelector('.pool[data-pool="self"]', { state: 'detached' });
  assert.match(page.url(), /health=unhealthy/);
  assert.equal(await page.locator('.pool[data-pool="nothing-listens"]').count(), 1);
  await screenshot(page, 'status-targets-unhealthy');
  // Collapsing a pool is kept in the URL.
  await page.locator('.pool[data-pool="nothing-listens"] .pool-toggle').click();
  await page.waitForSelector('.pool[data-pool="nothing-listens"] table', { state: 'detached' });
  assert.match(page.url(), /collapsed=nothing-listens/);
  assert.deepEqual(page.problems, []);
});

test('/service-discovery shows discovered and target labels per pool', async () => {
  const page = await open('/service-discovery', '.sd-pool[data-pool="self"] tr.kept');
  assert.match(await page.locator('.sd-pool[data-pool="self"]').innerText(), /__metrics_path__/);
  // The target relabelling dropped shows as dropped, with its discovered labels.
  const dropped = page.locator('.sd-pool[data-pool="nothing-listens"] tr.dropped');
  assert.equal(await dropped.count(), 1);
  assert.match(await dropped.innerText(), /127\.0\.0\.1:10[\s\S]*Dropped/);
  await screenshot(page, 'status-service-discovery');
  assert.deepEqual(page.problems, []);
});

test('/rules shows the rule group from the rule file', async () => {
  const page = await open('/rules', '.rule-group[data-group="e2e-group"]');
  const text = await page.locator('.rule-group').innerText();
  assert.match(text, /job:up:sum/);
  assert.match(text, /sum by \(job\) \(up\)/);
  assert.match(text, /rules\.yml/);
  await screenshot(page, 'status-rules');
  assert.deepEqual(page.problems, []);
});

test('/alerts shows the firing alert with its labels and filters by state', async () => {
  const page = await open('/alerts', '.alert-rule[data-rule="E2EAlwaysFiring"]');
  await page.locator('.alert-rule[data-rule="E2EAlwaysFiring"] .badge.firing').first().waitFor({ timeout: 15_000 }).catch(async () => {
    await page.reload();
    await page.locator('.alert-rule[data-rule="E2EAlwaysFiring"] .badge.firing').first().waitFor({ timeout: 10_000 });
  });
  assert.match(await page.locator('.alert-rule[data-rule="E2EAlwaysFiring"]').innerText(), /severity="page"/);
  await screenshot(page, 'status-alerts');
  await page.getByLabel('inactive').check();
  assert.match(page.url(), /state=inactive/);
  await page.waitForSelector('.alert-rule[data-rule="E2EAlwaysFiring"]', { state: 'detached' });
  assert.deepEqual(page.problems, []);
});

test('/tsdb-status lists a metric name', async () => {
  const page = await open('/tsdb-status', '.tsdb-top td.mono');
  assert.match(await page.locator('.tsdb-page').innerText(), /\bup\b|vigil_|alertmanager_/);
  await screenshot(page, 'status-tsdb');
  assert.deepEqual(page.problems, []);
});

test('/status shows runtime and build information', async () => {
  const page = await open('/status', 'table.kv');
  const text = await page.locator('.runtime-page').innerText();
  assert.match(text, /Start time/);
  assert.match(text, /version/);
  await screenshot(page, 'status-runtime');
  assert.deepEqual(page.problems, []);
});

test('/flags lists storage.tsdb.path and filters', async () => {
  const page = await open('/flags', 'table.flags');
  assert.match(await page.locator('table.flags').innerText(), /storage\.tsdb\.path/);
  await page.fill('input[type=search]', 'listen');
  await page.waitForFunction(() => !document.querySelector('table.flags')?.textContent?.includes('storage.tsdb.path'));
  assert.match(await page.locator('table.flags').innerText(), /web\.listen-address/);
  await screenshot(page, 'status-flags');
  assert.deepEqual(page.problems, []);
});

test('/config shows the configuration text with a copy button', async () => {
  const page = await open('/config', 'pre.config-text');
  assert.match(await page.locator('pre.config-text').innerText(), /scrape_configs/);
  await page.getByRole('button', { name: 'Copy to clipboard' }).click();
  await page.getByText(/Copied|Copy failed/).waitFor();
  await screenshot(page, 'status-config');
  assert.deepEqual(page.problems, []);
});

test('status pages show loading and then the API error when a request fails', async () => {
  const page = await newPage(browser);
  let release;
  const held = new Promise((r) => (release = r));
  await page.route('**/api/v1/status/flags', async (route) => {
    await held;
    await route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ status: 'error', errorType: 'unavailable', error: 'storage is closing' }) });
  });
  await page.goto(vigil.url + '/flags');
  await page.getByText('Loading…').waitFor();
  release();
  await page.locator('.error').waitFor();
  assert.match(await page.locator('.error').innerText(), /storage is closing \(HTTP 503\)/);
  await screenshot(page, 'status-flags-error');
  assert.ok(page.problems.every((p) => /503/.test(p)), page.problems.join('\n'));
});
