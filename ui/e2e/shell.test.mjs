// The shell: pages load from the binary with no console errors, client routes work on reload,
// and the assets come precompressed with ETags.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startVigil, launchBrowser, newPage, screenshot } from './harness.mjs';

let vigil;
let browser;
before(async () => {
  vigil = await startVigil();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await vigil?.stop();
});

test('home page loads with the navigation and no console errors', async () => {
  const page = await newPage(browser);
  await page.goto(vigil.url + '/');
  await page.waitForSelector('nav.topnav');
  assert.match(await page.title(), /Vigil/);
  await screenshot(page, 'home');
  assert.deepEqual(page.problems, []);
});

test('a client-side route opened directly serves the UI', async () => {
  const page = await newPage(browser);
  const resp = await page.goto(vigil.url + '/explore?x=1');
  assert.equal(resp.status(), 200);
  await page.waitForSelector('nav.topnav');
  assert.deepEqual(page.problems, []);
});

test('unknown API paths stay 404 and are not the UI page', async () => {
  const r = await fetch(vigil.url + '/api/v1/does-not-exist');
  assert.equal(r.status, 404);
  assert.doesNotMatch(await r.text(), /<html/);
});

test('the bundle is served brotli-compressed with an ETag, and revalidates to 304', async () => {
  const r = await fetch(vigil.url + '/app.js', { headers: { 'Accept-Encoding': 'br' } });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-encoding'), 'br');
  const etag = r.headers.get('etag');
  assert.ok(etag);
  const again = await fetch(vigil.url + '/app.js', { headers: { 'Accept-Encoding': 'br', 'If-None-Match': etag } });
  assert.equal(again.status, 304);
});

test('paths that are no page answer 404 with the UI, which says so', async () => {
  const r = await fetch(vigil.url + '/no-such-page');
  assert.equal(r.status, 404);
  assert.match(await r.text(), /<div id="root">/);
  const page = await newPage(browser);
  const resp = await page.goto(vigil.url + '/no-such-page');
  assert.equal(resp.status(), 404);
  await page.waitForSelector('text=Page not found');
  // Chromium logs the document's own 404; nothing else may be logged.
  assert.deepEqual(page.problems.filter((p) => !/status of 404/.test(p)), []);
});
