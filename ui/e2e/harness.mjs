// Browser-test harness: starts the real vigil binary on a free loopback port with a fresh data
// dir, drives Debian's Chromium through playwright-core, collects console errors, and saves
// screenshots into the test output folder ($VIGIL_UI_TEST_OUTPUT, default target/ui-e2e).
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const repo = resolve(here, '..', '..');
export const outputDir = process.env.VIGIL_UI_TEST_OUTPUT ?? join(repo, 'target', 'ui-e2e');
mkdirSync(outputDir, { recursive: true });

/** The vigil binary under test: $VIGIL_BIN, else the workspace's debug build. */
export function vigilBinary() {
  const bin = process.env.VIGIL_BIN ?? join(repo, 'target', 'debug', 'vigil');
  if (!existsSync(bin)) throw new Error(`vigil binary not found at ${bin}: run \`cargo build -p vigil\` or set VIGIL_BIN`);
  return bin;
}

/** Debian's Chromium; Playwright cannot download its own browser here. */
export function chromiumPath() {
  if (process.env.CHROMIUM) return process.env.CHROMIUM;
  for (const p of ['/usr/bin/chromium', '/usr/bin/chromium-browser']) if (existsSync(p)) return p;
  try {
    return execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('chromium not found: install Debian\'s `chromium` package (.ci/run does)');
  }
}

export function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
    s.on('error', rej);
  });
}

/**
 * Starts vigil with `args` (plus a listen address and data dir) and waits for /-/ready.
 * `files` are written into a fresh config folder first (name → text); their paths are in `dir`.
 */
export async function startVigil({ args = [], files = {}, env = {} } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-ui-e2e-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const expanded = args.map((a) => a.replaceAll('{dir}', dir));
  const child = spawn(vigilBinary(), [`--web.listen-address=127.0.0.1:${port}`, `--storage.tsdb.path=${join(dir, 'data')}`, ...expanded], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`vigil exited with ${child.exitCode}:\n${log}`);
    try {
      const r = await fetch(`${url}/-/ready`);
      if (r.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`vigil not ready after 30 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    dir,
    port,
    log: () => log,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

/**
 * A new page that records console errors and failed requests in `page.problems`; tests assert
 * it stays empty. Requests the page sends are in `page.requests` (URL strings).
 */
export async function newPage(browser, { width = 1400, height = 900 } = {}) {
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  page.problems = [];
  page.requests = [];
  page.on('console', (m) => {
    if (m.type() === 'error') page.problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => page.problems.push(`uncaught: ${e.message}`));
  page.on('request', (r) => page.requests.push(r.url()));
  return page;
}

/** Saves a full-page screenshot as `<name>.png` in the output folder; returns its path. */
export async function screenshot(page, name) {
  const path = join(outputDir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

