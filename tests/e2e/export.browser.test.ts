/**
 * Quantize and export screens in the real page (Debian Chromium): the demo project, a short
 * seeded training, quantization with a chosen calibration size → the per-layer SQNR table; then
 * each export format is downloaded and checked: the .tflite is a TFLite flatbuffer ("TFL3"), the
 * TFLM zip holds model.h (the same .tflite bytes) and model_settings.h, the Arduino zip holds the
 * sketch and the header; the provenance shows the model hash the header carries.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import type { Page } from 'playwright-core';
import { dataStatus, usePreviewAndBrowser, watchPage } from './helpers/harness.ts';

const app = usePreviewAndBrowser();
let tmp = '';

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'earshot-export-e2e-'));
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function download(page: Page, name: string): Promise<Uint8Array> {
  const [d] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.getByTestId('download-button').click()]);
  expect(d.suggestedFilename()).toBe(name);
  const path = join(tmp, name);
  await d.saveAs(path);
  return new Uint8Array(readFileSync(path));
}

describe('quantize and export screens', () => {
  it('calibration size, per-layer SQNR, and every export format', async () => {
    const context = await app.browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    const seen = watchPage(page, app.server.origin);
    await page.goto(app.server.origin);
    await page.getByTestId('app-ready').waitFor({ timeout: 30_000 });
    await page.getByTestId('demo-button').click();
    await expect.poll(() => dataStatus(page, 'demo-status'), { timeout: 60_000 }).toMatch(/done|error/);
    await page.getByTestId('epochs-input').fill('2');
    await page.getByTestId('seed-input').fill('1');
    await page.getByTestId('train-button').click();
    await expect.poll(() => dataStatus(page, 'train-status'), { timeout: 180_000, interval: 500 }).toMatch(/^(done|error)$/);
    expect(await page.getByTestId('train-error').count()).toBe(0);

    await page.getByTestId('calibration-size-input').fill('12');
    await page.getByTestId('quantize-button').click();
    await expect.poll(() => dataStatus(page, 'quantize-status'), { timeout: 90_000 }).toMatch(/^(done|error)$/);
    expect(await page.getByTestId('quantize-error').count()).toBe(0);
    expect(await page.getByTestId('calibration-count').textContent()).toMatch(/^12 clips/);
    const rows = page.getByTestId('sqnr-row');
    expect(await rows.count()).toBeGreaterThanOrEqual(3);
    expect(await rows.first().getAttribute('data-layer')).toBe('input');
    const dbs = await rows.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-db'))));
    for (const db of dbs) expect(db).toBeGreaterThan(0);

    await page.getByTestId('prefix-input').fill('kws');
    const hash = (await page.getByTestId('model-hash').textContent())?.trim() ?? '';
    expect(hash).toMatch(/^[0-9a-f]{8}$/);

    const header = new TextDecoder().decode(await download(page, 'kws.h'));
    expect(header).toContain(`model hash (FNV-1a 32 of model.json + model.bin): ${hash}`);
    expect(header).toContain('kws_pp_push');

    await page.getByTestId('format-tflite').check();
    const tflite = await download(page, 'kws.tflite');
    expect(new TextDecoder().decode(tflite.subarray(4, 8))).toBe('TFL3');

    await page.getByTestId('format-tflm').check();
    const tflm = unzipSync(await download(page, 'kws_tflm.zip'));
    const modelH = new TextDecoder().decode(tflm['model.h']);
    expect(modelH).toContain(`kws_model_tflite_len = ${tflite.length};`);
    expect(new TextDecoder().decode(tflm['model_settings.h'])).toContain('#define KWS_SAMPLE_RATE_HZ');

    await page.getByTestId('format-arduino').check();
    const sketch = unzipSync(await download(page, 'earshot_kws.zip'));
    expect(Object.keys(sketch).filter((k) => !k.endsWith('/')).sort()).toEqual(['earshot_kws/README.txt', 'earshot_kws/earshot_kws.ino', 'earshot_kws/model.h']);
    expect(new TextDecoder().decode(sketch['earshot_kws/model.h'])).toBe(header);
    expect(await page.getByTestId('export-error').count()).toBe(0);

    expect(seen.errors).toEqual([]);
    expect(seen.foreign).toEqual([]);
    await context.close();
  });
});
