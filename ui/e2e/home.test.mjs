// The home page with zero config: health, host and self figures from real queries, firing
// alerts and down targets, and a link to the built-in overview dashboard.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startVigil, launchBrowser, newPage, screenshot } from './harness.mjs';

let vigil;
let browser;
before(async () => {
  vigil = await startVigil();
  browser = await launchBrowser();
  // Two scrapes of the host give the rate() figures something to work with.
  const deadline = Date.now() + 60_000;
  for (;;) {
    const r = await (await fetch(`${vigil.url}/api/v1/query?query=count_over_time(node_load1[5m])`)).json();
    if (r.data?.result?.length && Number(r.data.result[0].value[1]) >= 2) break;
    if (Date.now() > deadline) throw new Error('no host samples after 60 s');
    await new Promise((r) => setTimeout(r, 500));
  }
});
after(async () => {
  await browser?.close();
  await vigil?.stop();
});

test('the home page shows health, host and self figures, alerts and targets', async () => {
  const page = await newPage(browser);
  await page.goto(vigil.url + '/');
  await page.waitForFunction(() => document.querySelector('#home-health')?.textContent === 'healthy and ready');
  await page.waitForFunction(() => [...document.querySelectorAll('.home-stat-value')].every((e) => e.textContent !== '…'));
  const stats = await page.$$eval('.home-stat', (xs) => xs.map((x) => [x.querySelector('.home-stat-label').textContent, x.querySelector('.home-stat-value').textContent]));
  const byLabel = Object.fromEntries(stats);
  assert.match(byLabel['CPU busy'], /^\d+(\.\d)? %$/, JSON.stringify(byLabel));
  assert.match(byLabel['Memory used'], /^\d+(\.\d)? %$/);
  assert.match(byLabel['Series in memory'], /^[\d,]+$/);
  assert.notEqual(byLabel['Series in memory'], '0');
  assert.equal(await page.textContent('#home-firing-count'), '0');
  const targets = (await (await fetch(`${vigil.url}/api/v1/targets`)).json()).data.activeTargets;
  const down = targets.filter((t) => t.health !== 'up').length;
  assert.equal(await page.textContent('#home-down-count'), `${down} of ${targets.length}`);
  await screenshot(page, 'home');
  await page.click('text=Vigil overview dashboard');
  await page.waitForURL(/\/d\/vigil-overview/);
  assert.deepEqual(page.problems, []);
});
