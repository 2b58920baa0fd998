// Builds the UI into ../crates/ui/dist, which the vigil binary embeds.
//
// The output is deterministic (same sources and package-lock.json → same bytes), so CI can
// rebuild it and fail on any difference with the committed copy: `node build.mjs --check`.
// Each asset gets precompressed .gz and .br siblings, which the server sends to clients that
// accept them.
import * as esbuild from 'esbuild';
import { mkdirSync, readFileSync, writeFileSync, readdirSync, rmSync, existsSync, mkdtempSync } from 'node:fs';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';
import { join, dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, '..', 'crates', 'ui', 'dist');
const check = process.argv.includes('--check');
const out = check ? mkdtempSync(join(tmpdir(), 'vigil-ui-')) : dist;

async function build(outdir) {
  if (existsSync(outdir)) rmSync(outdir, { recursive: true });
  mkdirSync(outdir, { recursive: true });
  await esbuild.build({
    entryPoints: { app: join(here, 'src', 'main.tsx') },
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['chrome110', 'firefox110', 'safari16'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    outdir,
    legalComments: 'linked',
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  writeFileSync(join(outdir, 'index.html'), readFileSync(join(here, 'src', 'index.html')));
  writeFileSync(join(outdir, 'routes.txt'), pagePatterns().join('\n') + '\n');
  const favicon = join(here, 'src', 'favicon.svg');
  if (existsSync(favicon)) writeFileSync(join(outdir, 'favicon.svg'), readFileSync(favicon));
  for (const name of readdirSync(outdir)) {
    const data = readFileSync(join(outdir, name));
    writeFileSync(join(outdir, name + '.gz'), gzipSync(data, { level: 9 }));
    writeFileSync(
      join(outdir, name + '.br'),
      brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: data.length } }),
    );
  }
}

/**
 * The page paths of the route tables (`{ path: '/d/:uid/:slug?', … }` in ui/src), one pattern a
 * line: the server answers these with the UI and 200, any other page path with the UI and 404,
 * so clients and probes still see "not found" for paths that are nothing.
 */
function pagePatterns() {
  const found = new Set();
  const walk = (dir) => {
    for (const name of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, name.name);
      if (name.isDirectory()) walk(p);
      else if (/\.tsx?$/.test(name.name)) {
        for (const m of readFileSync(p, 'utf8').matchAll(/\{\s*path:\s*'(\/[^']*)'/g)) found.add(m[1]);
      }
    }
  };
  walk(join(here, 'src'));
  return [...found].sort();
}

await build(out);
const sizes = readdirSync(out)
  .filter((n) => n.endsWith('.gz'))
  .map((n) => [n, readFileSync(join(out, n)).length]);
const total = sizes.filter(([n]) => /\.(js|css)\.gz$/.test(n)).reduce((a, [, s]) => a + s, 0);
console.log(`ui: ${sizes.map(([n, s]) => `${n} ${(s / 1024).toFixed(1)} KiB`).join(', ')}; JS+CSS gzipped ${(total / 1024).toFixed(1)} KiB`);
if (total > 350 * 1024) {
  console.error(`ui: JS+CSS is ${(total / 1024).toFixed(1)} KiB gzipped, over the 350 KiB budget`);
  process.exit(1);
}
if (check) {
  const a = readdirSync(out).sort();
  const b = existsSync(dist) ? readdirSync(dist).sort() : [];
  const differ = [...new Set([...a, ...b])].filter(
    (n) => !a.includes(n) || !b.includes(n) || !readFileSync(join(out, n)).equals(readFileSync(join(dist, n))),
  );
  rmSync(out, { recursive: true });
  if (differ.length) {
    console.error(`ui: crates/ui/dist differs from what the sources build: ${differ.join(', ')}\nrun \`npm run build\` in ui/ and commit the result`);
    process.exit(1);
  }
  console.log('ui: crates/ui/dist is exactly what the sources build');
}
