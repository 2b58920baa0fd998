// Explore in real Chromium: a query draws a chart with the expected series in the legend, the
// table view lists them, the URL reproduces the view, completion offers metric names, errors
// show the server's message at their position, and Prometheus /graph links open here.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startVigil, launchBrowser, newPage, screenshot } from './harness.mjs';

let vigil;
let browser;

/** Waits until the self-scrape has stored a few samples of `up`. */
async function waitForData(url) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const r = await (await fetch(`${url}/api/v1/query?query=count(up)`)).json();
    if (r.data?.result?.length && Number(r.data.result[0].value[1]) >= 2) return;
    if (Date.now() > deadline) throw new Error('no samples of `up` after 60 s');
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Counts non-transparent pixels of the chart's canvas. */
async function paintedPixels(page, selector = '.query-panel canvas') {
  return page.$eval(selector, (c) => {
    const ctx = c.getContext('2d');
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
    return n;
  });
}

before(async () => {
  vigil = await startVigil();
  browser = await launchBrowser();
  await waitForData(vigil.url);
});
after(async () => {
  await browser?.close();
  await vigil?.stop();
});

test('a query draws a chart whose legend lists the series, and the table view lists them', async () => {
  const page = await newPage(browser);
  const expected = (await (await fetch(`${vigil.url}/api/v1/query?query=up`)).json()).data.result.length;
  assert.ok(expected >= 1);
  await page.goto(`${vigil.url}/explore?q0=up&from=now-15m&to=now`);
  await page.waitForSelector('.query-panel canvas');
  await page.waitForSelector('.legend-item');
  const legend = await page.$$eval('.legend-item', (xs) => xs.map((x) => x.textContent));
  assert.equal(legend.length, expected);
  assert.ok(legend.every((t) => t.startsWith('up{')), legend.join(', '));
  assert.ok((await paintedPixels(page)) > 500, 'the chart canvas is empty');
  assert.match(await page.textContent('.query-stats'), /Samples: \d/);
  await screenshot(page, 'explore-graph');
  await page.click('.tabs button:has-text("Table")');
  await page.waitForSelector('.result-table');
  const rows = await page.$$eval('.result-table tbody tr', (xs) => xs.length);
  assert.equal(rows, expected);
  assert.match(page.url(), /tab0=table/);
  await screenshot(page, 'explore-table');
  assert.deepEqual(page.problems, []);
});

test('the URL reproduces the view: queries, tabs, styles and range', async () => {
  const page = await newPage(browser);
  await page.goto(`${vigil.url}/explore?q0=up&tab0=table&q1=${encodeURIComponent('sum(up)')}&mode1=stacked&from=now-30m&to=now`);
  await page.waitForSelector('.result-table');
  assert.equal(await page.$$eval('.query-panel', (xs) => xs.length), 2);
  assert.equal(await page.$eval('.query-panel[data-query-index="1"] select', (s) => s.value), 'stacked');
  assert.match(await page.textContent('.timepicker-button'), /30m/);
  const texts = await page.$$eval('.cm-content', (xs) => xs.map((x) => x.textContent));
  assert.deepEqual(texts, ['up', 'sum(up)']);
  assert.deepEqual(page.problems, []);
});

test("Prometheus's /graph links (alert generator URLs) open as explore views", async () => {
  const page = await newPage(browser);
  await page.goto(`${vigil.url}/graph?g0.expr=${encodeURIComponent('up == 1')}&g0.tab=1`);
  await page.waitForSelector('.result-table');
  assert.match(page.url(), /\/explore\?q0=up\+%3D%3D\+1&tab0=table/);
  assert.deepEqual(page.problems, []);
});

test('completion offers metric names from the live API', async () => {
  const page = await newPage(browser);
  await page.goto(`${vigil.url}/explore`);
  await page.click('.cm-content');
  // Vigil has no vigil_http_* metrics; its self-scrape stores vigil_scrapes_total.
  await page.keyboard.type('vigil_scr');
  await page.waitForSelector('.cm-tooltip-autocomplete');
  const options = await page.$$eval('.cm-tooltip-autocomplete li', (xs) => xs.map((x) => x.textContent));
  assert.ok(options.some((o) => o.startsWith('vigil_scrape')), options.join(', '));
  await screenshot(page, 'explore-autocomplete');
  assert.deepEqual(page.problems, []);
});

// Typing used to hang the renderer after a few keys (the panel echoed the draft back into the
// editor); type a long query key by key and check the editor keeps every character.
test('typing a long query with braces and matchers keeps up, completes a label name, Enter runs it', async () => {
  const page = await newPage(browser);
  // vigil_queries_total (self-scraped) has a `result` label besides job and instance.
  const series = (await (await fetch(`${vigil.url}/api/v1/series?match[]=vigil_queries_total`)).json()).data;
  assert.ok(series.some((s) => 'result' in s), JSON.stringify(series));
  const label = 'result';
  await page.goto(`${vigil.url}/explore`);
  await page.click('.cm-content');
  // closeBrackets inserts the closing ( [ { and "; typing them again steps over.
  const head = 'sum by (job) (rate(vigil_queries_total{job=~"vig.*"}[5m])) / on(job) sum by (job) (vigil_queries_total{';
  await page.keyboard.type(head);
  await page.keyboard.type(label.slice(0, 3));
  await page.waitForFunction(
    (l) => document.querySelector('.cm-tooltip-autocomplete li[aria-selected]')?.textContent.startsWith(l),
    label,
  );
  assert.equal(await page.$eval('.cm-content', (e) => e.textContent), `${head}${label.slice(0, 3)}})`);
  // Enter takes the open completion first (CodeMirror ignores it for its interactionDelay,
  // 75 ms, after the list appears or changes), then runs the query.
  await page.waitForTimeout(300);
  await page.keyboard.press('Enter');
  assert.equal(await page.$eval('.cm-content', (e) => e.textContent), `${head}${label}})`);
  const expr = `${head}${label}!=""})`;
  await page.keyboard.type('!=""');
  await page.keyboard.press('Escape');
  assert.equal(await page.$eval('.cm-content', (e) => e.textContent), expr);
  await page.keyboard.press('Enter');
  await page.waitForFunction((q) => new URLSearchParams(location.search).get('q0') === q, expr);
  await page.waitForSelector('.query-stats');
  assert.deepEqual(page.problems, []);
});

test('Shift+Enter inserts a newline and Enter runs the multi-line query', async () => {
  const page = await newPage(browser);
  await page.goto(`${vigil.url}/explore`);
  await page.click('.cm-content');
  await page.keyboard.type('sum(up)');
  await page.keyboard.press('Escape');
  await page.keyboard.press('Shift+Enter');
  await page.keyboard.type('+ 1');
  await page.keyboard.press('Escape');
  assert.deepEqual(await page.$$eval('.cm-line', (xs) => xs.map((x) => x.textContent)), ['sum(up)', '+ 1']);
  assert.equal(new URL(page.url()).searchParams.get('q0'), null);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => new URLSearchParams(location.search).get('q0') === 'sum(up)\n+ 1');
  await page.waitForSelector('.query-stats');
  assert.deepEqual(page.problems, []);
});

test("a bad query shows Vigil's message and marks its position in the editor", async () => {
  const page = await newPage(browser);
  await page.goto(`${vigil.url}/explore?q0=${encodeURIComponent('rate(up)')}`);
  await page.waitForSelector('.query-error');
  assert.match(await page.textContent('.query-error'), /rate\(\) expects a range vector.*e\.g\. rate\(my_metric\[5m\]\)/);
  await page.waitForSelector('.cm-lintRange-error');
  await screenshot(page, 'explore-error');
  // The page's own fetch of a 400 answer is logged by Chromium; nothing else may be.
  assert.deepEqual(page.problems.filter((p) => !/status of 400/.test(p)), []);
});

test('dragging over the chart zooms the range into the URL', async () => {
  const page = await newPage(browser);
  await page.goto(`${vigil.url}/explore?q0=up&from=now-15m&to=now`);
  await page.waitForSelector('.query-panel canvas');
  const box = await page.$eval('.u-over', (e) => { const r = e.getBoundingClientRect(); return { x: r.x, y: r.y, w: r.width, h: r.height }; });
  await page.mouse.move(box.x + box.w * 0.3, box.y + box.h / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.w * 0.6, box.y + box.h / 2, { steps: 5 });
  await page.mouse.up();
  await page.waitForFunction(() => /from=\d+&to=\d+/.test(location.search));
  await page.goBack();
  await page.waitForFunction(() => /from=now-15m/.test(location.search));
  assert.deepEqual(page.problems, []);
});
