/**
 * Speakers in Debian Chromium, one persistent profile: a folder of WAVs named
 * `<label>_<speaker>_<take>.wav` (made here) is imported; the file-name pattern is prefilled with
 * the guess, its preview shows what each name gives and how many clips fit; a bad pattern reads in
 * plain words (code in data-code only); Apply saves the speakers (still there after a reload), a
 * ticked clip gets one by hand, the recorder's speaker field is remembered. Training then splits
 * by speaker on its own and names the voices it was tested on; a split that would leave a class
 * with nothing to learn from is refused in plain words.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { dataStatus, until, watchPage, type PreviewServer, openPersistentApp } from './helpers/harness.ts';
import { toneWav } from './helpers/clips.ts';

const SPEAKERS = ['alice', 'bob', 'carol'];
let tmp = '';
let server: PreviewServer | null = null;
let context: BrowserContext | null = null;
let page: Page;
let seen: ReturnType<typeof watchPage>;

const tone = toneWav; // a low or high voice per speaker and take

const ready = () => page.getByTestId('app-ready').waitFor({ timeout: 30_000 });
const waitUntil = (cond: () => Promise<boolean>, what: string, timeoutMs = 60_000) => until(page, cond, what, timeoutMs);

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'earshot-speakers-'));
  const data = join(tmp, 'data');
  for (const [label, hz] of [['yes', 400], ['no', 2600]] as const) {
    mkdirSync(join(data, label), { recursive: true });
    SPEAKERS.forEach((speaker, si) => {
      for (let k = 1; k <= 3; k++) writeFileSync(join(data, label, `${label}_${speaker}_${k}.wav`), tone(hz * (1 + 0.05 * si + 0.02 * k), si * 10 + k));
    });
  }
  writeFileSync(join(data, 'no', 'odd.wav'), tone(3000, 99)); // a name the pattern does not fit
  ({ server, context, page, seen } = await openPersistentApp(join(tmp, 'profile')));
}, 120_000);

afterAll(async () => {
  await context?.close();
  server?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Speaker of every clip in the clip table, by file name. */
async function speakersByName(): Promise<Record<string, string>> {
  const details = page.locator('details', { has: page.locator('summary', { hasText: 'Edit clips' }) });
  if ((await details.getAttribute('open')) === null) await details.locator('summary').click();
  const rows = await page.getByTestId('dataset-row').evaluateAll((els) =>
    els.map((e) => [e.querySelector('.clip-title')?.textContent ?? '', (e.querySelector('[data-testid=speaker-input]') as HTMLInputElement).value]),
  );
  return Object.fromEntries(rows);
}

describe('speakers in Chromium', () => {
  it('sets speakers from the file names in bulk, with a live preview; they survive a reload', async () => {
    await page.getByTestId('import-folder-input').setInputFiles(join(tmp, 'data'));
    await waitUntil(async () => (await page.getByTestId('import-report').count()) > 0 && (await page.getByTestId('import-progress').count()) === 0, 'the folder import');
    expect(await page.getByTestId('speaker-summary').textContent()).toMatch(/No speakers known yet/);

    await page.getByTestId('speaker-tools').locator('summary').click();
    const input = page.getByTestId('name-pattern-input');
    expect(await input.inputValue()).toBe('{label}_{speaker}_{*}'); // the guess: the first part is the class
    const counts = page.getByTestId('name-pattern-counts');
    expect([await counts.getAttribute('data-matched'), await counts.getAttribute('data-unmatched')]).toEqual(['18', '1']);
    expect(await counts.textContent()).toMatch(/18 clips fit, 1 does not\. Found speakers alice, bob, carol\./);
    const rows = await page.getByTestId('name-preview-row').evaluateAll((els) => els.map((e) => [e.children[0]!.textContent, e.getAttribute('data-fits'), e.getAttribute('data-speaker')]));
    expect(rows.length).toBe(5);
    expect(rows).toContainEqual(['odd.wav', 'false', '']);
    for (const [name, fits, speaker] of rows) if (fits === 'true') expect(name).toContain(`_${speaker}_`);

    // a bad pattern: plain words, the code only in data-code, Apply disabled
    await input.fill('{label}_{take}');
    const err = page.getByTestId('name-pattern-error');
    await err.waitFor();
    expect(await err.getAttribute('data-code')).toBe('dataset/bad-pattern');
    expect(await err.textContent()).toMatch(/^The file-name pattern "\{label\}_\{take\}" has neither \{speaker\} nor \{session\}/);
    expect(await err.textContent()).not.toContain('[');
    expect(await page.getByTestId('name-pattern-apply').isDisabled()).toBe(true);

    await input.fill('{label}_{speaker}_{take}');
    await page.getByTestId('name-pattern-apply').click();
    await page.getByTestId('speaker-done').waitFor();
    expect(await page.getByTestId('speaker-done').textContent()).toBe('Saved speakers for 18 clips from their file names.');

    // by hand: tick odd.wav, give it a speaker
    const odd = page.getByTestId('dataset-row').filter({ hasText: 'odd.wav' });
    await speakersByName(); // opens the table
    await odd.getByTestId('clip-tick').check();
    await page.getByTestId('bulk-target').selectOption(':ticked');
    await page.getByTestId('bulk-speaker').fill('dana');
    await page.getByTestId('bulk-apply').click();
    await waitUntil(async () => (await page.getByTestId('speaker-done').textContent()) === 'Set speaker “dana” for 1 clip ticked.', 'the ticked clip to get its speaker', 10_000);

    await page.reload();
    await ready();
    expect(await page.getByTestId('speaker-summary').getAttribute('data-speakers')).toBe('alice,bob,carol,dana');
    const saved = await speakersByName();
    expect(Object.keys(saved)).toHaveLength(19);
    for (const [name, speaker] of Object.entries(saved)) expect(speaker).toBe(name === 'odd.wav' ? 'dana' : name.split('_')[1]);
    expect(seen.errors).toEqual([]);
  });

  it('remembers the recorder speaker for the project', async () => {
    await page.getByTestId('record-speaker').fill('erin');
    await page.reload();
    await ready();
    expect(await page.getByTestId('record-speaker').inputValue()).toBe('erin');
  });

  it('trains by speaker on its own and names the voices it never heard; a starved class is refused in plain words', async () => {
    const note = page.getByTestId('split-note');
    await note.waitFor({ timeout: 30_000 });
    expect(await note.getAttribute('data-split')).toBe('speaker');
    await page.getByTestId('epochs-input').fill('6');
    await page.getByTestId('train-button').click();
    await expect.poll(() => dataStatus(page, 'train-status'), { timeout: 240_000, interval: 500 }).toMatch(/done|error/);
    expect(await page.getByTestId('train-error').count()).toBe(0);
    expect(await page.getByTestId('val-accuracy-label').textContent()).toBe('Accuracy on voices it never heard');
    expect(await page.getByTestId('val-accuracy').textContent()).toMatch(/^\d+\.\d%$/);
    const held = ((await page.getByTestId('held-out').getAttribute('data-held-out')) ?? '').split(',');
    expect(held.length).toBeGreaterThanOrEqual(1);
    for (const h of held) expect([...SPEAKERS, 'dana']).toContain(h);
    expect(await page.getByTestId('held-out').textContent()).toBe(`Tested on voices it never heard: ${held.join(', ')}`);
    await page.getByTestId('evaluate-button').click();
    await expect.poll(() => dataStatus(page, 'evaluate-status'), { timeout: 60_000 }).toBe('done');
    expect(await page.getByTestId('evaluate-status').textContent()).toContain(`validation clips (voices it never heard: ${held.join(', ')})`);

    // every "no" clip from one speaker, every "yes" from another: holding either out starves a class
    await page.getByTestId('speaker-tools').locator('summary').click();
    for (const [label, who] of [['no', 'zed'], ['yes', 'ann']]) {
      await page.getByTestId('bulk-target').selectOption(label);
      await page.getByTestId('bulk-speaker').fill(who);
      await page.getByTestId('bulk-apply').click();
      await waitUntil(async () => ((await page.getByTestId('speaker-done').textContent()) ?? '').includes(`“${who}”`), `class ${label} to be ${who}'s`, 10_000);
    }
    await page.getByTestId('train-button').click();
    await expect.poll(() => dataStatus(page, 'train-status'), { timeout: 60_000, interval: 300 }).toBe('error');
    const err = page.getByTestId('train-error');
    expect(await err.getAttribute('data-code')).toBe('split/class-held-out');
    const text = (await err.textContent()) ?? '';
    expect(text).toMatch(/All clips of “(no|yes)” are from (zed|ann): holding (zed|ann) out leaves nothing to learn “(no|yes)” from\./);
    expect(text).not.toContain('[');
    expect(seen.errors).toEqual([]);
    expect(seen.foreign).toEqual([]);
  });
});
