/**
 * The fit dashboard before any training: the preset's spec is estimated live; bars, verdict, the
 * per-layer timeline, boards side by side, int8 vs float32 and suggestions show; a custom board
 * (from the Alif E7 template, memory entered by hand) and the runtime choice change the numbers.
 */
import { describe, expect, it } from 'vitest';
import { usePreviewAndBrowser, watchPage } from './helpers/harness.ts';

const app = usePreviewAndBrowser();

describe('fit dashboard', () => {
  it('is live before training and follows board, runtime and a custom board', async () => {
    const page = await app.browser.newPage();
    const seen = watchPage(page, app.server.origin);
    await page.goto(app.server.origin);
    await page.getByTestId('app-ready').waitFor({ timeout: 60_000 });
    const latency = page.getByTestId('fit-latency');
    await latency.waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('fit-source').getAttribute('data-source')).toBe('preset');
    expect(Number(await latency.getAttribute('data-used'))).toBeGreaterThan(0);
    expect(await page.getByTestId('layer-timeline').getAttribute('data-dominant')).toBeTruthy();
    expect(await page.getByTestId('board-compare').locator('tbody tr').count()).toBe(3);
    expect(await page.getByTestId('dtype-int8').count()).toBe(1);
    expect(await page.getByTestId('dtype-float32').count()).toBe(1);
    expect(await page.getByTestId('fit-suggestions').locator('li').count()).toBeGreaterThan(0);

    const used = async () => Number(await latency.getAttribute('data-used'));
    const earshot = await used();
    await page.getByTestId('runtime-select').selectOption('vendor');
    await expect.poll(used).not.toBe(earshot);

    await page.getByTestId('board-select').selectOption('custom');
    await page.getByRole('button', { name: /Alif Ensemble E7/ }).click();
    expect(await page.getByTestId('custom-core').inputValue()).toBe('cortex-m55');
    await page.getByTestId('custom-sram').fill('8');
    await expect.poll(() => page.getByTestId('fit-verdict').getAttribute('data-fits')).toBe('no');
    expect(await page.getByTestId('fit-ram').getAttribute('data-budget')).toBe(String(8 * 1024));
    await page.getByTestId('custom-sram').fill('4096');
    await page.getByTestId('custom-power').fill('40');
    await expect.poll(() => page.getByTestId('fit-verdict').getAttribute('data-fits')).toBe('yes');
    expect(await page.getByTestId('fit-energy').textContent()).toMatch(/CR2032/);
    expect(seen.errors).toEqual([]);
    expect(seen.foreign).toEqual([]);
    await page.close();
  }, 120_000);
});
