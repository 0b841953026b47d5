/**
 * A workshop room, end to end, in one browser (Debian Chromium, no microphone):
 *  1. Private: first visit, "Try the demo" → spectrograms → train → quantize → fit → export.
 *     Every request of the page, its workers and its service worker is recorded: none may
 *     leave the page's origin, and the Content-Security-Policy reports no violation (a probe
 *     fetch to another origin proves the policy is enforced).
 *  2. Guided and accessible: the step bar follows the flow, number keys jump between steps,
 *     and axe-core (injected by the test) finds no serious or critical violation.
 *  3. Offline: the service worker has precached the build; the server is stopped and the
 *     context set offline; a reload still opens the app, the demo loads again, trains
 *     (tfjs + its wasm from the cache), quantizes and exports.
 * Also: tfjs stays out of the entry chunk (first paint; bench/first-paint.bench.ts measures it).
 * EARSHOT_DOCS_SHOTS=1 also writes the README's screenshots into docs/.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { dataStatus, ROOT, usePreviewAndBrowser, watchPage } from './helpers/harness.ts';

const DEMO_CLIPS = 36;
const SHOTS = process.env.EARSHOT_DOCS_SHOTS === '1' ? join(ROOT, 'docs') : null;

let tmp = '';
const app = usePreviewAndBrowser();

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'earshot-demo-e2e-'));
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function shot(page: Page, name: string, testId?: string): Promise<void> {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  // Element shots scroll: unpin the sticky step bar so it does not cover the screen's top.
  await page.evaluate((pin) => { document.querySelector<HTMLElement>('[data-testid="step-bar"]')!.style.position = pin; }, testId ? 'static' : '');
  await (testId ? page.getByTestId(testId) : page).screenshot({ path: join(SHOTS, `${name}.png`) });
  await page.evaluate(() => { document.querySelector<HTMLElement>('[data-testid="step-bar"]')!.style.position = ''; });
}

async function readyCanvases(page: Page): Promise<number> {
  return page.locator('canvas[data-testid="spectrogram"][data-ready="true"]').count();
}

/** Demo → train (seeded) → quantize → fit → header download; returns the header text. */
async function demoFlow(page: Page, epochs: number, shots = false): Promise<{ header: string; int8: string }> {
  await page.getByTestId('demo-button').click();
  await expect.poll(() => dataStatus(page, 'demo-status'), { timeout: 60_000 }).toMatch(/done|error/);
  expect(await page.getByTestId('demo-error').count()).toBe(0);
  for (const label of ['yes', 'no', 'noise']) expect(await page.getByTestId(`class-count-${label}`).textContent()).toMatch(/^12\b/);
  await expect.poll(() => readyCanvases(page), { timeout: 60_000 }).toBe(DEMO_CLIPS);
  if (shots) {
    await shot(page, '2-demo-loaded', 'screen-record');
    await shot(page, '3-spectrograms', 'screen-clips');
  }

  await page.getByTestId('epochs-input').fill(String(epochs));
  await page.getByTestId('seed-input').fill('1');
  await page.getByTestId('train-button').click();
  await expect.poll(() => dataStatus(page, 'train-status'), { timeout: 180_000, interval: 500 }).toMatch(/^(done|error)$/);
  expect(await page.getByTestId('train-error').count()).toBe(0);
  expect(await page.getByTestId('loss-curve').getAttribute('data-points')).toBe(String(epochs));

  await page.getByTestId('quantize-button').click();
  await expect.poll(() => dataStatus(page, 'quantize-status'), { timeout: 60_000 }).toMatch(/^(done|error)$/);
  expect(await page.getByTestId('quantize-error').count()).toBe(0);
  const int8 = (await page.getByTestId('int8-accuracy').textContent()) ?? '';
  if (shots) await shot(page, '4-trained', 'screen-train');

  await page.getByTestId('board-select').selectOption('nano33ble');
  expect(await page.getByTestId('fit-verdict').getAttribute('data-fits')).toMatch(/^(yes|no)$/);
  if (shots) await shot(page, '5-fit', 'screen-fit');

  await page.getByTestId('prefix-input').fill('demo');
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.getByTestId('download-button').click()]);
  const path = join(tmp, `demo-${Date.now()}.h`);
  await download.saveAs(path);
  return { header: readFileSync(path, 'utf8'), int8 };
}

describe('workshop: demo, private, accessible, offline', () => {
  it('keeps tfjs out of the entry chunk (it loads with the training worker)', () => {
    const html = readFileSync(join(ROOT, 'dist/index.html'), 'utf8');
    const entry = /<script type="module" crossorigin src="\/([^"]+)"/.exec(html)?.[1];
    expect(entry).toBeDefined();
    const js = readFileSync(join(ROOT, 'dist', entry!), 'utf8');
    // Kernel names that only tfjs-core's op registry carries; a static import of anything that
    // reaches core/model/train.ts (e.g. via core/pipeline) drags ~1 MB of tfjs into first paint.
    expect(js.includes('Conv2DBackpropFilter') || js.includes('BatchMatMul'), `${entry} contains tfjs`).toBe(false);
    expect(gzipSync(js).length, 'entry chunk gzip bytes').toBeLessThan(150 * 1024);
  });

  it('runs the demo flow with no foreign request, passes axe, and works again offline', async () => {
    const origin = app.server.origin;
    const context = await app.browser.newContext({ acceptDownloads: true });
    // Every request of the context: pages, their workers and the service worker.
    const requests: string[] = [];
    context.on('request', (r) => requests.push(r.url()));
    await context.addInitScript(() => {
      const w = window as unknown as { __csp: string[] };
      w.__csp = [];
      document.addEventListener('securitypolicyviolation', (e) => w.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    const page = await context.newPage();
    const seen = watchPage(page, origin);
    const csp = () => page.evaluate(() => (window as unknown as { __csp: string[] }).__csp);

    await page.goto(origin);
    await page.getByTestId('app-ready').waitFor({ timeout: 30_000 });

    // The service worker takes control and precaches every file of the build.
    const precache = JSON.parse(/const PRECACHE = (\[.*\]);/.exec(readFileSync(join(ROOT, 'dist/sw.js'), 'utf8'))![1]) as string[];
    expect(precache).toContain('index.html');
    expect(precache.filter((f) => f.endsWith('.wasm')).length).toBe(3);
    expect(precache.some((f) => /train\.worker-.*\.js$/.test(f))).toBe(true);
    await expect
      .poll(
        () =>
          page.evaluate(async () => {
            if (!navigator.serviceWorker.controller) return -1;
            let n = 0;
            for (const k of await caches.keys()) n += (await (await caches.open(k)).keys()).length;
            return n;
          }),
        { timeout: 60_000 },
      )
      .toBe(precache.length);
    await page.getByTestId('offline-ready').waitFor({ timeout: 10_000 });
    await shot(page, '1-start');

    // Guided: an empty project starts at Record and says how to begin.
    expect(await page.getByTestId('step-record').getAttribute('data-state')).toBe('current');
    expect(await page.getByTestId('next-action').textContent()).toMatch(/Add a class.*Try the demo/);

    // 1. Private: the whole flow, online.
    const online = await demoFlow(page, 6, true);
    const stepStates = () => page.locator('[data-testid="step-bar"] li').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.state).join(' '));
    expect(await stepStates()).toBe('done done done done done done');
    // Keyboard: "4" jumps to the Quantize screen and moves focus to its heading.
    await page.locator('body').click({ position: { x: 2, y: 2 } });
    await page.keyboard.press('4');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('quantize-title');
    expect(online.header).toMatch(/DEMO_NUM_CLASSES\s+3/);
    expect(online.header).toContain('"yes"');

    const foreign = requests.filter((u) => !u.startsWith(`${origin}/`) && !u.startsWith('blob:') && !u.startsWith('data:'));
    expect(foreign).toEqual([]);
    expect(seen.foreign).toEqual([]);
    expect(requests.some((u) => u.endsWith('.wasm')), 'tfjs wasm was loaded from the origin').toBe(true);
    expect(await csp()).toEqual([]);
    // The policy is live: a fetch to another origin is refused before it leaves the page.
    const probe = await page.evaluate(() => fetch('https://example.com/leak').then(() => 'sent', () => 'blocked'));
    expect(probe).toBe('blocked');
    await expect.poll(csp).toEqual(['connect-src https://example.com/leak']);
    expect(requests.filter((u) => u.includes('example.com'))).toEqual([]);

    // 2. Accessible: axe-core finds no serious or critical violation on the finished page.
    const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
    await page.evaluate(axeSource);
    const violations = await page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }> }> } }).axe;
      const r = await axe.run(document, { resultTypes: ['violations'] });
      return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
    });
    expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);

    // 3. Offline: no server, no network. The reload and everything after come from the cache.
    app.server.stop();
    await context.setOffline(true);
    expect(await page.evaluate(() => fetch('/no-such-file').then((r) => r.status, () => 'network down'))).toBe('network down');
    await page.reload();
    await page.getByTestId('app-ready').waitFor({ timeout: 30_000 });
    const offline = await demoFlow(page, 3);
    expect(offline.header).toMatch(/DEMO_NUM_CLASSES\s+3/);
    expect(await page.getByTestId('backend-name').textContent()).toBe('wasm');
    console.log(`demo e2e: int8 accuracy online ${online.int8} (6 epochs), offline ${offline.int8} (3 epochs); ${precache.length} files precached; axe minor/moderate: ${violations.map((v) => `${v.id} (${v.impact})`).join(', ') || 'none'}`);

    expect(seen.errors).toEqual([]);
    await context.close();
  });
});
