/**
 * First paint of the built app against a peer measured in the same run: the same app with
 * tfjs imported eagerly by its entry chunk (what the page would cost without the lazy worker).
 *   npx tsx bench/first-paint.bench.ts [--rounds N]
 * Builds both into a temp dir with the project's vite.config.ts, serves each with `vite
 * preview` on loopback, and loads each N times (alternating, a fresh browser context each time
 * so nothing is cached) in Debian Chromium. Prints the entry chunk's size and gzip size, and
 * medians of first-contentful-paint and of the time until the app is ready (data-testid
 * app-ready, i.e. the saved clips are read), with app/peer ratios.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, preview, type PreviewServer } from 'vite';
import { launchBrowser, ROOT } from '../tests/e2e/helpers/harness.ts';

const args = process.argv.slice(2);
const rounds = Number(args[args.indexOf('--rounds') + 1] || 7);

const tmp = mkdtempSync(join(tmpdir(), 'earshot-first-paint-'));
const silent = { logLevel: 'silent' as const, configFile: join(ROOT, 'vite.config.ts') };

async function buildApp(): Promise<string> {
  const outDir = join(tmp, 'app');
  await build({ ...silent, root: ROOT, build: { outDir, emptyOutDir: true } });
  return outDir;
}

/** The peer: index.html whose entry imports all of tfjs (and the wasm backend) before the app. */
async function buildPeer(): Promise<string> {
  // Inside node_modules (ignored by git) so that bare imports resolve from the project.
  const root = join(ROOT, 'node_modules/.earshot-first-paint-peer');
  const outDir = join(tmp, 'peer');
  mkdirSync(root, { recursive: true });
  const html = readFileSync(join(ROOT, 'index.html'), 'utf8').replace('/src/main.ts', './peer-main.js');
  writeFileSync(join(root, 'index.html'), html);
  writeFileSync(
    join(root, 'peer-main.js'),
    `import * as tf from '@tensorflow/tfjs';\nimport '@tensorflow/tfjs-backend-wasm';\nimport '${join(ROOT, 'src/main.ts')}';\nglobalThis.tf = tf;\n`,
  );
  try {
    await build({ ...silent, root, build: { outDir, emptyOutDir: true } });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return outDir;
}

function entryChunk(outDir: string): { name: string; bytes: number; gzipBytes: number } {
  const html = readFileSync(join(outDir, 'index.html'), 'utf8');
  const src = /<script type="module" crossorigin src="\/([^"]+)"/.exec(html)?.[1];
  if (!src) throw new Error(`no entry script in ${outDir}/index.html`);
  const bytes = readFileSync(join(outDir, src));
  return { name: src, bytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length };
}

async function serve(outDir: string): Promise<{ server: PreviewServer; url: string }> {
  const server = await preview({ ...silent, root: ROOT, build: { outDir }, preview: { host: '127.0.0.1', port: 0 } });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('vite preview gave no URL');
  return { server, url };
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const t0 = performance.now();
const appDir = await buildApp();
const peerDir = await buildPeer();
console.log(`built app and peer in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
const chunks = { app: entryChunk(appDir), peer: entryChunk(peerDir) };
const servers = { app: await serve(appDir), peer: await serve(peerDir) };
const browser = await launchBrowser();
const times: Record<'app' | 'peer', { fcp: number[]; ready: number[] }> = { app: { fcp: [], ready: [] }, peer: { fcp: [], ready: [] } };
try {
  for (let i = 0; i < rounds + 1; i++) {
    for (const which of i % 2 ? (['peer', 'app'] as const) : (['app', 'peer'] as const)) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(servers[which].url);
      await page.getByTestId('app-ready').waitFor({ timeout: 60_000 });
      const readyMs = await page.evaluate(() => performance.now());
      const fcpMs = await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN);
      await context.close();
      if (i === 0) continue; // warm-up round: disk cache of the OS, JIT of the server
      times[which].fcp.push(fcpMs);
      times[which].ready.push(readyMs);
    }
  }
} finally {
  await browser.close();
  await Promise.all([servers.app.server.close(), servers.peer.server.close()]);
  rmSync(tmp, { recursive: true, force: true });
}

const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
for (const which of ['app', 'peer'] as const) {
  const c = chunks[which];
  console.log(
    `${which.padEnd(4)} entry ${c.name}: ${kib(c.bytes)} (gzip ${kib(c.gzipBytes)}); first-contentful-paint median ${median(times[which].fcp).toFixed(0)} ms, app-ready median ${median(times[which].ready).toFixed(0)} ms (${rounds} cold loads)`,
  );
}
console.log(
  `app/peer (peer = same app with tfjs eager in the entry chunk): gzip ${(chunks.app.gzipBytes / chunks.peer.gzipBytes).toFixed(3)}, ` +
    `first paint ${(median(times.app.fcp) / median(times.peer.fcp)).toFixed(2)}, ready ${(median(times.app.ready) / median(times.peer.ready)).toFixed(2)}`,
);
