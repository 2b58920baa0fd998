// Runs every browser test (e2e/*.test.mjs) with node's test runner, one file at a time
// (each starts its own vigil and Chromium; two cores do not take more).
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.test.mjs'))
  .filter((f) => !only.length || only.some((o) => f.includes(o)))
  .sort()
  .map((f) => join(here, f));
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=1', '--test-timeout=240000', '--test-reporter=spec', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
