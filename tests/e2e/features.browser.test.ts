/**
 * The features view in Debian Chromium: import spoken words, see the float log-mel with its
 * shape, switch presets (the spectrogram re-renders with the new frames × bands at once), edit a
 * field, see a typed problem for a bad field, compute all clips in the worker, preview a seeded
 * augmentation (generated pink noise at an SNR range, speed, room echo, voice warp) and play it.
 * No request may leave the page's origin.
 * `npm test` builds the app first (vite build); this test only serves dist/ with vite preview.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { dataStatus, ROOT, usePreviewAndBrowser, watchPage } from './helpers/harness.ts';

const app = usePreviewAndBrowser();

async function shapeOf(page: Page, testid: string): Promise<string> {
  return page.getByTestId(testid).evaluate((c) => `${c.dataset.ready}:${c.dataset.frames}x${c.dataset.bands}:${(c as HTMLCanvasElement).width}x${(c as HTMLCanvasElement).height}`);
}

describe('features view', () => {
  it('shows the float log-mel, follows preset and field edits at once, batches in the worker, previews augmentation', async () => {
    const context = await app.browser.newContext();
    const page = await context.newPage();
    const seen = watchPage(page, app.server.origin);
    await page.goto(app.server.origin);
    await page.getByTestId('app-ready').waitFor({ timeout: 20_000 });

    await page.getByTestId('class-name-input').fill('words');
    await page.getByTestId('add-class-button').click();
    await page.getByTestId('class-radio-words').check();
    const wavs = ['yes', 'up', 'down'].map((w) => join(ROOT, 'tests', 'fixtures', 'audio', `${w}-16k.wav`));
    await page.getByTestId('import-input').setInputFiles(wavs);
    await expect.poll(() => page.getByTestId('features-clip').locator('option').count(), { timeout: 15_000 }).toBe(3);

    // A new project's preset (speech-8k): 30 × 32, drawn.
    await expect(page.getByTestId('feature-preset').inputValue()).resolves.toBe('speech-8k');
    await expect.poll(() => shapeOf(page, 'features-float'), { timeout: 15_000 }).toBe('true:30x32:30x32');
    // Axes name Hz and ms.
    await expect(page.getByTestId('screen-features').textContent()).resolves.toMatch(/Hz \(mel band centre\)/);

    await page.getByTestId('feature-preset').selectOption('edge-impulse-mfe');
    await expect.poll(() => shapeOf(page, 'features-float'), { timeout: 15_000 }).toBe('true:99x40:99x40');
    await page.getByTestId('feature-preset').selectOption('low-power-8k');
    await expect.poll(() => shapeOf(page, 'features-float'), { timeout: 15_000 }).toBe('true:31x20:31x20');

    // Edit a field: 24 bands.
    await page.getByTestId('feature-field-melBands').fill('24');
    await expect.poll(() => shapeOf(page, 'features-float'), { timeout: 15_000 }).toBe('true:31x24:31x24');
    await expect(page.getByTestId('feature-preset').inputValue()).resolves.toBe('custom');

    // A bad field: a typed problem on that field, and the view keeps the last valid config.
    await page.getByTestId('feature-field-fftSize').fill('100');
    await expect(page.getByTestId('feature-problem').first().getAttribute('data-field')).resolves.toBe('fftSize');
    await expect(page.getByTestId('feature-problem').first().textContent()).resolves.toMatch(/power of two/);
    expect(await shapeOf(page, 'features-float')).toBe('true:31x24:31x24');
    await page.getByTestId('feature-preset').selectOption('earshot');
    await expect.poll(() => page.getByTestId('feature-problem').count()).toBe(0);
    await expect.poll(() => shapeOf(page, 'features-float'), { timeout: 15_000 }).toBe('true:49x40:49x40');

    // All clips in one worker batch.
    await page.getByTestId('features-extract-all').click();
    await expect.poll(() => dataStatus(page, 'features-batch'), { timeout: 30_000 }).toBe('done');
    await expect(page.getByTestId('features-batch').getAttribute('data-done')).resolves.toBe('3');

    // Augmentation preview: seeded; another draw changes the picture.
    await page.getByTestId('features-augment-toggle').check();
    await expect.poll(() => shapeOf(page, 'features-augmented'), { timeout: 15_000 }).toBe('true:49x40:49x40');
    const pixels = () => page.getByTestId('features-augmented').evaluate((c) => Array.from((c as HTMLCanvasElement).getContext('2d')!.getImageData(0, 0, 49, 40).data).join(','));
    const first = await pixels();
    await page.getByTestId('features-augment-next').click();
    await expect.poll(pixels).not.toBe(first);
    await page.getByTestId('features-augment-noise').selectOption('words');
    await expect.poll(() => shapeOf(page, 'features-augmented')).toBe('true:49x40:49x40');
    await expect(page.getByTestId('features-augment-error').count()).resolves.toBe(0);

    // Every option: generated pink noise at 0–20 dB, ±10 % speed, a room every draw, ±10 % voice warp.
    const before = await pixels();
    await page.getByTestId('features-augment-noise').selectOption('pink');
    await page.getByTestId('features-augment-snr-from').fill('0');
    await page.getByTestId('features-augment-snr-to').fill('20');
    await page.getByTestId('features-augment-speed').fill('10');
    await page.getByTestId('features-augment-reverb').fill('100');
    await page.getByTestId('features-augment-rt60-from').fill('300');
    await page.getByTestId('features-augment-rt60-to').fill('800');
    await page.getByTestId('features-augment-warp').fill('10');
    await expect.poll(pixels).not.toBe(before);
    await expect(page.getByTestId('features-augment-problem').count()).resolves.toBe(0);
    await expect(page.getByTestId('features-augment-error').count()).resolves.toBe(0);
    // A refused edit says why and keeps the picture.
    const set = await pixels();
    await page.getByTestId('features-augment-rt60-from').fill('900');
    await expect(page.getByTestId('features-augment-problem').textContent()).resolves.toMatch(/RT60/i);
    expect(await pixels()).toBe(set);
    await page.getByTestId('features-augment-rt60-from').fill('300');
    await expect.poll(() => page.getByTestId('features-augment-problem').count()).toBe(0);

    // Play the draw (headless audio is silent: the player's data-playing says what plays); again stops.
    const player = page.getByTestId('features-augment-player');
    await page.getByTestId('features-augment-play').click();
    await expect.poll(() => player.getAttribute('data-playing')).toBe('augmented');
    await page.getByTestId('features-augment-play').click();
    await expect.poll(() => player.getAttribute('data-playing')).toBe('');
    await page.getByTestId('features-augment-play-original').click();
    await expect.poll(() => player.getAttribute('data-playing')).toBe('original');
    await expect.poll(() => player.getAttribute('data-playing'), { timeout: 10_000 }).toBe(''); // the clip ran out

    expect(seen.foreign).toEqual([]);
    expect(seen.errors).toEqual([]);
    await context.close();
  }, 120_000);
});
