/**
 * Design → train → evaluate in Debian Chromium, one persistent profile: the model editor's live
 * MACs and its message on the layer at fault; training the designed network with the backend
 * probe, cancelled once and then run to the end with speaker split and early stopping; the UI
 * after a reload (model, curve, backend, saved models back); the confusion matrix and the clips
 * behind a cell. Training runs in two workers (gradient shards); with "Use 2 workers" off the
 * same run gives the same weights, byte for byte (read back from IndexedDB).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { dataStatus, launchPersistent, requireTool, run, startPreview, watchPage, type PreviewServer } from './helpers/harness.ts';

let tmp = '';
let server: PreviewServer | null = null;

beforeAll(async () => {
  requireTool('sox');
  tmp = mkdtempSync(join(tmpdir(), 'earshot-train-'));
  // two speakers per class (names <speaker>_<n>.wav), tones at different pitches
  for (const [label, hz] of [['low', 300], ['high', 2500]] as const) {
    for (const speaker of ['ann', 'bob', 'cy']) {
      for (let k = 0; k < 3; k++) {
        const f = Math.round(hz * (1 + 0.04 * k) * (speaker === 'bob' ? 1.05 : speaker === 'cy' ? 0.95 : 1));
        run('sox', ['-n', '-r', '16000', '-c', '1', '-b', '16', join(tmp, `${speaker}_${label}_${k}.wav`), 'synth', '0.8', 'sine', String(f), 'vol', '0.5', 'pad', '0.1', '0.1']);
      }
    }
  }
  run('sox', ['-n', '-r', '48000', '-c', '1', '-b', '16', join(tmp, 'mic-low.wav'), 'synth', '3', 'sine', '300', 'vol', '0.5']);
  server = await startPreview();
});

afterAll(() => {
  server?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const status = (page: Page) => dataStatus(page, 'train-status');

describe('design, train, evaluate', () => {
  it('edits a network live, trains it (cancel, then to the end), survives a reload, shows the confusion matrix, listens live on the fake mic', async () => {
    const context = await launchPersistent(join(tmp, 'profile'));
    try {
      let page = context.pages()[0] ?? (await context.newPage());
      const seen = watchPage(page, server!.origin);
      await page.goto(server!.origin);
      await page.getByTestId('app-ready').waitFor({ timeout: 30_000 });
      // Steady tones (and a steady tone on the live mic): the plain 16 kHz features. The new
      // project's speech-8k removes each band's mean, which leaves a steady tone almost nothing.
      await page.getByTestId('feature-preset').selectOption('earshot');
      await expect.poll(async () => (await page.getByTestId('feature-reload-note').textContent()) ?? '', { timeout: 10_000 }).toContain('Saved to this project');
      await page.reload();
      await page.getByTestId('app-ready').waitFor({ timeout: 30_000 });

      for (const label of ['low', 'high']) {
        await page.getByTestId('class-name-input').fill(label);
        await page.getByTestId('add-class-button').click();
        await page.getByTestId(`class-radio-${label}`).check();
        const files = ['ann', 'bob', 'cy'].flatMap((s) => [0, 1, 2].map((k) => join(tmp, `${s}_${label}_${k}.wav`)));
        await page.getByTestId('import-input').setInputFiles(files);
        await expect.poll(async () => Number.parseInt((await page.getByTestId(`class-count-${label}`).textContent()) ?? '', 10), { timeout: 20_000 }).toBe(9);
      }

      // The editor: tiny-conv, then wider filters (MACs change as you type), then a broken layer.
      await page.getByTestId('design-preset').selectOption('tiny-conv');
      // the knobs: a width out of range is refused on the spot, then width 6 and depth 2
      await page.getByTestId('design-width').fill('0');
      await page.getByTestId('design-load-preset').click();
      expect(await page.getByTestId('design-preset-error').textContent()).toMatch(/width must be an integer from 1 to 512/);
      await page.getByTestId('design-width').fill('6');
      await page.getByTestId('design-depth').fill('2');
      await page.getByTestId('design-load-preset').click();
      await expect.poll(() => page.getByTestId('layer-shape-1').textContent()).toBe('[25×20×6]');
      expect(await page.getByTestId('design-preset-error').count()).toBe(0);
      await page.getByTestId('design-depth').fill('');
      await page.getByTestId('design-load-preset').click();
      await expect.poll(() => page.getByTestId('layer-shape-0').textContent()).toBe('[25×20×6]');
      const macs = async () => (await page.getByTestId('design-macs').textContent()) ?? '';
      const before = await macs();
      await page.getByTestId('field-0-filters').fill('4');
      await expect.poll(macs).not.toBe(before);
      expect(await page.getByTestId('layer-shape-0').textContent()).toBe('[25×20×4]');
      await page.getByTestId('field-0-kernelSize').fill('10, 8');
      await page.getByTestId('design-add-layer').click(); // a dense after the softmax dense: valid
      await page.getByTestId('field-4-units').fill('x');
      expect(await page.getByTestId('layer-row').nth(4).textContent()).toMatch(/not a number/);
      await page.getByTestId('remove-layer-4').click();
      await page.getByTestId('use-design').check();
      await page.getByTestId('training-design').waitFor();

      // Options: speaker split, early stopping; cancel a long run first.
      await page.getByTestId('screen-train').locator('details.options summary').first().click();
      await page.getByTestId('split-select').selectOption('speaker');
      // augmentation follows the Features step's settings (no noise class chosen there)
      await page.getByTestId('augment-toggle').check();
      expect(await page.getByTestId('augment-summary').textContent()).toMatch(/shift up to 100 ms, gain up to ±6 dB, no noise/);
      await page.getByTestId('augment-toggle').uncheck();
      await page.getByTestId('epochs-input').fill('400');
      await page.getByTestId('train-button').click();
      await expect.poll(async () => ((await status(page)) === 'error' ? await page.getByTestId('train-error').textContent() : Number(await page.getByTestId('loss-curve').getAttribute('data-points'))), { timeout: 90_000 }).toBeGreaterThan(0);
      await page.getByTestId('train-eta').waitFor({ timeout: 10_000 });
      await page.getByTestId('cancel-button').click();
      await expect.poll(() => status(page), { timeout: 15_000 }).toBe('cancelled');
      expect(await page.getByTestId('backend-name').textContent()).toBe('wasm');
      expect(await page.getByTestId('backend-probe').textContent()).toMatch(/wasm \d+/);

      await page.getByTestId('epochs-input').fill('30');
      await page.getByTestId('early-stop-input').fill('3');
      await page.getByTestId('train-button').click();
      await expect.poll(() => status(page), { timeout: 180_000, interval: 500 }).toMatch(/done|error/);
      expect(await page.getByTestId('train-error').count()).toBe(0);
      const points = Number(await page.getByTestId('loss-curve').getAttribute('data-points'));
      expect(points).toBeGreaterThan(0);
      expect(await page.getByTestId('backend-workers').textContent()).toMatch(/in 2 workers/);
      // the production bundle (minified tfjs glue) still reaches the wasm heap for our kernels
      expect(await page.getByTestId('backend-kernels').textContent()).toMatch(/SIMD kernels/);
      await page.getByTestId('model-name-input').fill('designed');
      await page.getByTestId('save-model-button').click();
      await page.getByTestId('saved-model-row').first().waitFor();

      // The same run with the second slice computed in the train worker itself: the same bytes.
      await page.getByTestId('use-workers').uncheck();
      await page.getByTestId('train-button').click();
      await expect.poll(() => status(page), { timeout: 10_000 }).not.toBe('done');
      await expect.poll(() => status(page), { timeout: 240_000, interval: 500 }).toMatch(/done|error/);
      expect(await page.getByTestId('train-error').count()).toBe(0);
      await page.getByTestId('model-name-input').fill('one-worker');
      await page.getByTestId('save-model-button').click();
      await expect.poll(() => page.getByTestId('saved-model-row').count()).toBe(2);
      // the comparison's size and latency follow the board chosen in Fit
      const latency = async () => (await page.getByTestId('saved-model-latency').first().textContent()) ?? '';
      const onDefault = await latency();
      expect(onDefault).toMatch(/ms$/);
      await page.getByTestId('board-select').selectOption('pico');
      await expect.poll(latency).not.toBe(onDefault);
      expect(await page.getByTestId('saved-models-caption').textContent()).toMatch(/Pico/);
      const bins = (await page.evaluate(`new Promise((resolve, reject) => {
        const open = indexedDB.open('earshot');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const get = open.result.transaction('models').objectStore('models').getAll();
          get.onsuccess = () => resolve(get.result.filter((r) => /[/](designed|one-worker)$/.test(r.key)).map((r) => ({ key: r.key, bin: Array.from(r.files['model.bin']) })));
          get.onerror = () => reject(get.error);
        };
      })`)) as { key: string; bin: number[] }[];
      expect(bins.length).toBe(2);
      expect(bins[0]!.bin.length).toBeGreaterThan(1000);
      expect(bins[0]!.bin).toEqual(bins[1]!.bin);
      await page.getByTestId('use-workers').check();

      // Reload: the trained model, its curve, backend and the saved model come back, and the
      // editor shows the network as it was left (the draft is kept with the project).
      const designed = await macs();
      await page.reload();
      page = context.pages()[0]!;
      await page.getByTestId('app-ready').waitFor({ timeout: 30_000 });
      await expect.poll(() => status(page), { timeout: 20_000 }).toBe('done');
      expect(Number(await page.getByTestId('loss-curve').getAttribute('data-points'))).toBe(points);
      expect(await page.getByTestId('backend-name').textContent()).toBe('wasm');
      expect(await page.getByTestId('saved-model-row').first().getAttribute('data-name')).toMatch(/designed|one-worker/);
      expect(await page.getByTestId('design-macs').textContent()).toBe(designed);
      expect(await page.getByTestId('layer-shape-0').textContent()).toBe('[25×20×4]');

      // Evaluate on the validation clips (a held-out speaker: 6 clips), then listen to a cell.
      await page.getByTestId('evaluate-button').click();
      await expect.poll(() => dataStatus(page, 'evaluate-status'), { timeout: 60_000 }).toBe('done');
      expect(await page.getByTestId('evaluate-status').textContent()).toMatch(/on 6 validation clips/);
      const cells = await page.locator('[data-testid^="confusion-cell-"]').allTextContents();
      expect(cells.map(Number).reduce((a, b) => a + b, 0)).toBe(6);
      const nonEmpty = page.locator('[data-testid^="confusion-cell-"]:not([disabled])').first();
      const n = Number(await nonEmpty.textContent());
      await nonEmpty.click();
      await expect.poll(() => page.getByTestId('cell-clip').count()).toBe(n);
      // Save post-processing settings with the model; they come back after a reload.
      await page.getByTestId('live-hop').fill('200');
      await page.getByTestId('live-threshold').fill('0.6');
      await page.getByTestId('live-save').click();
      expect(seen.errors).toEqual([]);
      expect(seen.foreign).toEqual([]);
    } finally {
      await context.close();
    }

    // Live inference on the fake microphone playing a 'low' tone, same profile (model restored).
    const mic = await launchPersistent(join(tmp, 'profile'), join(tmp, 'mic-low.wav'));
    try {
      const page = mic.pages()[0] ?? (await mic.newPage());
      const seen = watchPage(page, server!.origin);
      await page.goto(server!.origin);
      await page.getByTestId('app-ready').waitFor({ timeout: 30_000 });
      await expect.poll(() => status(page), { timeout: 20_000 }).toBe('done');
      await expect.poll(() => page.getByTestId('live-hop').inputValue(), { timeout: 10_000 }).toBe('200');
      expect(await page.getByTestId('live-threshold').inputValue()).toBe('0.6');
      await page.getByTestId('live-start').click();
      await expect.poll(async () => Number(await page.getByTestId('live-status').getAttribute('data-windows')), { timeout: 30_000 }).toBeGreaterThan(5);
      expect(Number(await page.getByTestId('live-timeline').getAttribute('data-points'))).toBeGreaterThan(5);
      await expect.poll(() => page.getByTestId('live-detection').count(), { timeout: 30_000 }).toBeGreaterThan(0);
      expect(await page.getByTestId('live-detection').first().getAttribute('data-label')).toBe('low');
      await page.getByTestId('live-stop').click();
      await expect.poll(() => dataStatus(page, 'live-status'), { timeout: 10_000 }).toBe('idle');
      expect(await page.getByTestId('live-error').count()).toBe(0);
      expect(seen.errors).toEqual([]);
    } finally {
      await mic.close();
    }
  });
});
