/**
 * "Find the best model that fits" in Debian Chromium: without speakers the panel says what it
 * needs; WAVs of two speakers (`<label>_<speaker>_<take>.wav`, made here) are imported; a search
 * shows candidate i of n with an ETA and can be cancelled; a short one (3 s, 2 epochs per
 * candidate) draws the plot: tried points as buttons, the Pareto front, the latency budget,
 * the greyed ones that do not fit. The keyboard moves between points; the chosen point's model
 * becomes the current one, and another point is trained fully in the Train step.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { dataStatus, until, usePreviewAndBrowser, watchPage } from './helpers/harness.ts';
import { toneWav } from './helpers/clips.ts';

const session = usePreviewAndBrowser();
let tmp = '';
let page: Page;
let seen: ReturnType<typeof watchPage>;

const tone = toneWav; // a low or high voice per speaker and take

const status = () => dataStatus(page, 'search-status');
const waitUntil = (cond: () => Promise<boolean>, what: string, timeoutMs = 60_000) => until(page, cond, what, timeoutMs);

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'earshot-search-'));
  for (const [label, hz] of [['yes', 400], ['no', 2600]] as const) {
    mkdirSync(join(tmp, label), { recursive: true });
    ['alice', 'bob'].forEach((speaker, si) => {
      for (let k = 1; k <= 3; k++) writeFileSync(join(tmp, label, `${label}_${speaker}_${k}.wav`), tone(hz * (1 + 0.05 * si + 0.02 * k), si * 10 + k));
    });
  }
  page = await session.browser.newPage();
  seen = watchPage(page, session.server.origin);
  await page.goto(session.server.origin);
  await page.getByTestId('app-ready').waitFor({ timeout: 30_000 });
  await page.getByTestId('screen-search').waitFor({ timeout: 30_000 });
});

afterAll(async () => {
  await page?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('model search in Chromium', () => {
  it('asks for two speakers, then searches, shows progress and cancels', async () => {
    expect(await page.getByTestId('search-needs-speakers').textContent()).toMatch(/needs clips from at least two speakers[\s\S]*yes_alice_1\.wav/);
    expect(await page.getByTestId('search-start').isDisabled()).toBe(true);

    await page.getByTestId('import-folder-input').setInputFiles(tmp);
    await waitUntil(async () => (await page.getByTestId('search-needs-speakers').count()) === 0, 'the two speakers from the file names');
    await page.getByTestId('search-minutes').fill('0.2');
    await page.getByTestId('screen-search').locator('summary', { hasText: 'Search options' }).click();
    await page.getByTestId('search-rank-epochs').fill('2');
    await page.getByTestId('search-final-epochs').fill('3');
    await page.getByTestId('search-latency').fill('100');

    await page.getByTestId('search-start').click();
    await waitUntil(async () => /^Trying candidate \d+ of \d+: .*about .* left/.test((await page.getByTestId('search-status').textContent())?.trim() ?? ''), 'progress with an ETA', 30_000);
    // the worker runs one job at a time: Train waits for the search, and says why
    expect(await page.getByTestId('train-button').isDisabled()).toBe(true);
    expect(await page.getByTestId('train-search-running').textContent()).toMatch(/search .* is running/);
    await page.getByTestId('search-cancel').click();
    await waitUntil(async () => (await status()) === 'cancelled', 'the cancel', 10_000);
    expect(await page.getByTestId('search-error').count()).toBe(0);
    expect(await page.getByTestId('train-search-running').count()).toBe(0);
  });

  it('draws the candidates, the front, the budget and the misfits; keyboard picks a point', async () => {
    await page.getByTestId('search-minutes').fill('0.05');
    await page.getByTestId('search-start').click();
    await expect.poll(status, { timeout: 60_000, interval: 250 }).toMatch(/done|error/);
    expect(await page.getByTestId('search-error').count()).toBe(0);
    expect(await page.getByTestId('search-status').textContent()).toMatch(/\d+ candidates: \d+ do not fit, \d+ tried/);

    const points = page.getByTestId('search-point');
    expect(await points.count()).toBeGreaterThanOrEqual(1);
    expect(await page.getByTestId('search-front').count()).toBe(1);
    expect(await page.getByTestId('search-budget-line').getAttribute('data-ms')).toBe('100');
    expect(await page.getByTestId('search-point-rejected').count()).toBeGreaterThan(0); // > 100 ms: greyed in the strip
    const labels = await points.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
    for (const l of labels) {
      const m = /· features: hop [\d.]+ ms, \d+ mels · accuracy on held-out speakers \d+\.\d% · latency ([\d.]+) ms · arena [\d.]+ KB$/.exec(l);
      expect(m, l).not.toBeNull();
      expect(Number(m![1])).toBeLessThanOrEqual(100);
    }
    const chosen = page.locator('[data-testid=search-point][data-chosen=true]');
    expect(await chosen.count()).toBe(1);
    const chosenRow = await chosen.getAttribute('data-row');
    expect(await page.getByTestId('search-picked').getAttribute('data-row')).toBe(chosenRow);
    expect(await chosen.getAttribute('tabindex')).toBe('0'); // the one point in the tab order

    await chosen.focus();
    await page.keyboard.press('Home');
    const first = await page.evaluate(() => document.activeElement?.getAttribute('data-row'));
    expect(await page.getByTestId('search-picked').getAttribute('data-row')).toBe(first);
    await page.keyboard.press('End');
    const last = await page.evaluate(() => document.activeElement?.getAttribute('data-row'));
    expect(await page.getByTestId('search-picked').getAttribute('data-row')).toBe(last);
  });

  it('uses the model the search trained, and trains another point fully', async () => {
    const chosen = page.locator('[data-testid=search-point][data-chosen=true]');
    await chosen.focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('search-use-trained').click();
    await waitUntil(async () => (await page.getByTestId('search-done').count()) > 0, 'the search model to be the current one', 10_000);
    expect(await page.getByTestId('search-done').textContent()).toMatch(/now the current one \(kept as “search /);
    expect(await dataStatus(page, 'train-status')).toBe('done');
    expect(await page.locator('[data-testid=saved-model-row][data-name^="search "]').count()).toBe(1);

    const other = page.locator('[data-testid=search-point][data-chosen=false]').first();
    const target = (await other.count()) > 0 ? other : chosen;
    await target.focus();
    await page.keyboard.press('Enter');
    expect(await page.getByTestId('search-picked').getAttribute('data-row')).toBe(await target.getAttribute('data-row'));
    expect(await page.getByTestId('search-train-picked').textContent()).toMatch(/Train this one fully/);
    await page.getByTestId('epochs-input').fill('3');
    await page.getByTestId('search-train-picked').click();
    // the search's model came without a curve: a full run draws its 3 epochs
    await waitUntil(async () => (await dataStatus(page, 'train-status')) === 'error' || ((await dataStatus(page, 'train-status')) === 'done' && (await page.getByTestId('loss-curve').getAttribute('data-points')) === '3'), 'the full training');
    expect(await page.getByTestId('train-error').count()).toBe(0);
    expect(await page.getByTestId('training-design').textContent()).toMatch(/Training the network from the designer/);
    expect(await page.getByTestId('use-design').isChecked()).toBe(true);

    // a point whose features differ says so, and can switch the project to them (training then needs a reload)
    let found = false;
    for (const row of await page.getByTestId('search-point').evaluateAll((els) => els.map((e) => e.getAttribute('data-row')!))) {
      await page.locator(`[data-testid=search-point][data-row="${row}"]`).focus();
      await page.keyboard.press('Enter');
      if ((await page.getByTestId('search-features-differ').count()) === 0) continue;
      expect(await page.getByTestId('search-features-differ').textContent()).toMatch(/^This model listens with a hop of [\d.]+ ms and \d+ mel bands; your project uses a hop of [\d.]+ ms and \d+ mel bands\./);
      await page.getByTestId('search-switch-features').click();
      expect(await page.getByTestId('search-done').textContent()).toMatch(/^The project now uses hop [\d.]+ ms, \d+ mels\. Reload the page/);
      await page.getByTestId('train-features-note').waitFor({ timeout: 10_000 });
      found = true;
      break;
    }
    expect(found).toBe(true); // three of the four feature variants differ from the project's
    expect(seen.errors).toEqual([]);
    expect(seen.foreign).toEqual([]);
  });
});
