/**
 * Training throughput of ds-cnn-s (input 49×40×1, 3 classes, batch 32) in headless Chromium, per
 * tfjs backend ('wasm-2workers': wasm with each batch cut in two slices, the second computed in a
 * gradient-shard worker, as the page trains), in the page's own train worker (src/workers/train.worker.ts via the Vite dev
 * server, which sends the COOP/COEP headers, so the threaded wasm build can run), with each
 * backend's ratio to cpu; then the wall time of the target run, 400 clips × 30 epochs,
 * on the fastest backend.
 *   npx tsx bench/train-browser.bench.ts [--clips 64] [--epochs 3] [--skip-full] [--backends wasm,wasm-2workers,wasm-threaded,webgl,cpu]
 * Samples/s count the epochs after the first (kernel warm-up and shader compilation).
 */
import { createServer } from 'vite';
import { launchBrowser, ROOT } from '../tests/e2e/helpers/harness.ts';

const args = process.argv.slice(2);
const opt = (k: string, d: string) => {
  const i = args.indexOf(k);
  return i >= 0 ? args[i + 1]! : d;
};
const clips = Number(opt('--clips', '64'));
const epochs = Number(opt('--epochs', '3'));
const backends = opt('--backends', 'wasm,wasm-2workers,wasm-threaded,webgl,cpu').split(',');
const TARGET = { clips: 400, epochs: 30, limitMs: 60_000 };

// No HMR and no file watching: other work in the tree must not reload the page mid-run.
const server = await createServer({ root: ROOT, configFile: `${ROOT}/vite.config.ts`, logLevel: 'error', server: { host: '127.0.0.1', port: 0, hmr: false, watch: null } });
await server.listen();
const origin = server.resolvedUrls!.local[0]!.replace(/\/$/, '');
const browser = await launchBrowser();
try {
  const page = await browser.newPage();
  await page.goto(origin);
  const isolated = await page.evaluate('crossOriginIsolated');
  console.log(`page cross-origin isolated: ${String(isolated)}; hardwareConcurrency ${String(await page.evaluate('navigator.hardwareConcurrency'))}`);

  interface Run { report: { name: string; threads: boolean; workers: number }; t: { samplesPerSec: number; wallMs: number; epochMs: number[] } }
  const measureOnce = (backend: string, n: number, e: number): Promise<Run> =>
    page.evaluate(`(async () => {
      const { createTrainClient, trainWorkerName } = await import('/src/workers/train-bridge.ts');
      const threads = ${JSON.stringify(backend)} === 'wasm-threaded';
      const client = createTrainClient(() => new Worker(new URL('/src/workers/train.worker.ts', location.origin), { type: 'module', name: trainWorkerName(threads) }));
      try {
        const name = ${JSON.stringify(backend)}.replace(/-.*/, '');
        const shards = ${JSON.stringify(backend)} === 'wasm-2workers' ? 2 : 1;
        const report = await client.init(name);
        const t = await client.measure({ backend: name, preset: 'ds-cnn-s', inputShape: [49, 40, 1], classes: 3, clips: ${n}, epochs: ${e}, batchSize: 32, shards, workers: true });
        return { report, t };
      } finally {
        client.terminate();
      }
    })()`) as Promise<Run>;
  // The dev server may reload the page once when it first optimizes a dependency: retry after that.
  const measure = async (backend: string, n: number, e: number): Promise<Run> => {
    try {
      return await measureOnce(backend, n, e);
    } catch (err) {
      if (!String(err).includes('context was destroyed')) throw err;
      await page.waitForLoadState('load');
      return measureOnce(backend, n, e);
    }
  };

  const results = new Map<string, Run>();
  for (const b of backends) {
    try {
      // webgl runs in software (SwiftShader) in headless Chromium: ~100× slower, so fewer clips
      const r = await measure(b, b === 'webgl' ? Math.min(clips, 16) : clips, b === 'webgl' ? Math.min(epochs, 2) : epochs);
      if (b === 'wasm-threaded' && !r.report.threads) throw new Error('the worker fell back to single-threaded wasm');
      if (b === 'wasm-2workers' && r.report.workers !== 2) throw new Error(`the shards did not run in workers (${r.report.workers})`);
      results.set(b, r);
    } catch (e) {
      console.log(`${b}: failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
    }
  }
  const cpu = results.get('cpu')?.t.samplesPerSec;
  for (const [b, r] of results) {
    const ratio = cpu ? ` (${(r.t.samplesPerSec / cpu).toFixed(2)}× cpu)` : '';
    console.log(`${b.padEnd(14)} ${r.t.samplesPerSec.toFixed(1).padStart(7)} samples/s${ratio}; epochs ms ${r.t.epochMs.map((v) => v.toFixed(0)).join(', ')}`);
  }
  const best = [...results].sort((a, b) => b[1].t.samplesPerSec - a[1].t.samplesPerSec)[0];
  if (best && !args.includes('--skip-full')) {
    const [b] = best;
    const r = await measure(b, TARGET.clips, TARGET.epochs);
    const s = r.t.wallMs / 1000;
    console.log(
      `ds-cnn-s 49×40, ${TARGET.clips} clips × ${TARGET.epochs} epochs on ${b}: ${s.toFixed(1)} s wall ` +
        `(${r.t.samplesPerSec.toFixed(1)} samples/s); target < ${TARGET.limitMs / 1000} s: ${r.t.wallMs < TARGET.limitMs ? 'met' : 'MISSED'}`,
    );
  }
} finally {
  await browser.close();
  await server.close();
}
