/**
 * Training-only clips in Debian Chromium: real speakers' WAVs named `<label>_<speaker>_<take>.wav`
 * are imported as usual, then a folder of synthetic voices (`earshot voices` names them
 * `<voice>_1.wav`) with "Extra voices for training only" ticked. Those rows carry the tag, the
 * speakers summary does not count them, the file-name guess ignores their names, training splits by the real speakers only and names only
 * real ones as the voices it never heard, and evaluation scores no synthetic clip. The bulk tools
 * mark and unmark ticked clips.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { dataStatus, until, watchPage, type PreviewServer, openPersistentApp } from './helpers/harness.ts';
import { toneWav } from './helpers/clips.ts';

const SPEAKERS = ['alice', 'bob', 'carol'];
const VOICES = ['en-us-1', 'en-gb-2', 'de-3'];
let tmp = '';
let server: PreviewServer | null = null;
let context: BrowserContext | null = null;
let page: Page;
let seen: ReturnType<typeof watchPage>;

const waitUntil = (cond: () => Promise<boolean>, what: string, timeoutMs = 60_000) => until(page, cond, what, timeoutMs);
const importDone = async () => (await page.getByTestId('import-report').count()) > 0 && (await page.getByTestId('import-progress').count()) === 0;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'earshot-train-only-'));
  for (const [label, hz] of [['yes', 400], ['no', 2600]] as const) {
    mkdirSync(join(tmp, 'data', label), { recursive: true });
    mkdirSync(join(tmp, 'voices', label), { recursive: true });
    SPEAKERS.forEach((speaker, si) => {
      for (let k = 1; k <= 3; k++) writeFileSync(join(tmp, 'data', label, `${label}_${speaker}_${k}.wav`), toneWav(hz * (1 + 0.05 * si + 0.02 * k), si * 10 + k));
    });
    VOICES.forEach((voice, vi) => writeFileSync(join(tmp, 'voices', label, `${voice}_1.wav`), toneWav(hz * (1.03 + 0.04 * vi), 100 + vi)));
  }
  ({ server, context, page, seen } = await openPersistentApp(join(tmp, 'profile')));
}, 120_000);

afterAll(async () => {
  await context?.close();
  server?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** [file name, has the training-only tag] of every row of the clip table. */
async function rows(): Promise<[string, boolean][]> {
  const details = page.locator('details', { has: page.locator('summary', { hasText: 'Edit clips' }) });
  if ((await details.getAttribute('open')) === null) await details.locator('summary').click();
  return page.getByTestId('dataset-row').evaluateAll((els) =>
    els.map((e) => [e.querySelector('.clip-title')?.textContent?.replace('training only', '') ?? '', e.querySelector('[data-testid=train-only-tag]') !== null] as [string, boolean]),
  );
}

describe('training-only clips in Chromium', () => {
  it('imports a folder of synthetic voices as training only: tagged, and no speakers', async () => {
    await page.getByTestId('import-folder-input').setInputFiles(join(tmp, 'data'));
    await waitUntil(importDone, 'the real speakers import');
    const box = page.getByTestId('import-train-only');
    expect(await box.isChecked()).toBe(false);
    await box.check();
    await page.getByTestId('import-folder-input').setInputFiles(join(tmp, 'voices'));
    await waitUntil(async () => (await rows()).length === 24, 'all 24 clips in the table');
    expect(await page.getByTestId('import-report').textContent()).toMatch(/^6 imported as training only/);
    expect(await box.isChecked()).toBe(false); // one import at a time
    const table = await rows();
    for (const [name, tagged] of table) expect(tagged, name).toBe(VOICES.some((v) => name === `${v}_1.wav`));
    expect(table.filter(([, t]) => t)).toHaveLength(6);
    expect(await page.getByTestId('speaker-summary').textContent()).toMatch(/6 training-only clips \(no speaker's\)/);
    // their `<voice>_1.wav` names leave the file-name guess for the real speakers alone
    await page.getByTestId('speaker-tools').locator('summary').click();
    expect(await page.getByTestId('name-pattern-input').inputValue()).toBe('{label}_{speaker}_{*}');
    expect(await page.getByTestId('name-pattern-counts').textContent()).toMatch(/18 clips fit, 0 do not\. Found speakers alice, bob, carol\./);
    await page.getByTestId('speaker-tools').locator('summary').click();
    expect(seen.errors).toEqual([]);
  });

  it('trains by the real speakers only and never names a synthetic voice as one it never heard', async () => {
    const note = page.getByTestId('split-note');
    await note.waitFor({ timeout: 30_000 });
    expect(await note.getAttribute('data-split')).toBe('speaker');
    expect(await note.getAttribute('data-speakers')).toBe('3');
    expect(await page.getByTestId('split-note-extra').textContent()).toBe('6 training-only clips join training and are never tested on.');
    await page.getByTestId('epochs-input').fill('4');
    await page.getByTestId('train-button').click();
    await expect.poll(() => dataStatus(page, 'train-status'), { timeout: 240_000, interval: 500 }).toMatch(/done|error/);
    expect(await page.getByTestId('train-error').count()).toBe(0);
    const held = ((await page.getByTestId('held-out').getAttribute('data-held-out')) ?? '').split(',');
    expect(held.length).toBeGreaterThanOrEqual(1);
    for (const h of held) expect(SPEAKERS).toContain(h);
    expect(await page.getByTestId('train-val-clips').getAttribute('data-extra')).toBe('6');
    expect(await page.getByTestId('train-val-clips').textContent()).toMatch(/^\d+ \(6 training only\) \/ \d+$/);
    await page.getByTestId('evaluate-button').click();
    await expect.poll(() => dataStatus(page, 'evaluate-status'), { timeout: 60_000 }).toBe('done');
    const text = (await page.getByTestId('evaluate-status').textContent()) ?? '';
    expect(text).toContain(`validation clips (voices it never heard: ${held.join(', ')})`);
    for (const v of VOICES) expect(text).not.toContain(v);
    expect(seen.errors).toEqual([]);
    expect(seen.foreign).toEqual([]);
  });

  it('marks and unmarks ticked clips training only from the bulk tools', async () => {
    const row = page.getByTestId('dataset-row').filter({ hasText: 'yes_alice_1.wav' });
    await rows(); // opens the table
    await row.getByTestId('clip-tick').check();
    await page.getByTestId('speaker-tools').locator('summary').click();
    await page.getByTestId('bulk-train-only-on').click();
    await waitUntil(async () => (await page.getByTestId('speaker-done').textContent()) === 'Marked 1 clip training only.', 'the mark', 10_000);
    expect(await row.getByTestId('train-only-tag').count()).toBe(1);
    await page.getByTestId('bulk-train-only-off').click();
    await waitUntil(async () => (await page.getByTestId('speaker-done').textContent()) === '1 clip no longer training only.', 'the unmark', 10_000);
    expect(await row.getByTestId('train-only-tag').count()).toBe(0);
    expect(seen.errors).toEqual([]);
  });
});
