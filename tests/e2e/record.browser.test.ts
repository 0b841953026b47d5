/**
 * Recording in Debian Chromium with a fake microphone that says "yes" (espeak-ng) three times
 * in a 5.5 s loop (sox, 48 kHz): the applied track settings and capture rate are shown, the
 * live spectrogram moves, the R shortcut records a clip, a continuous take is split into one
 * clip per "yes" (1.83 s apart, as in the file) and accepted after review, each clip with the
 * speaker typed in the Speaker field. A browser with no microphone access gets a clear message.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM, chromiumArgs, launchBrowser, requireTool, run, startPreview, until, watchPage, type PreviewServer } from './helpers/harness.ts';

const PERIOD_S = 0.3 + 0.63 + 0.9; // pad before + "yes" + pad after, as made below

let tmp = '';
let server: PreviewServer | null = null;
const browsers: Browser[] = [];

beforeAll(async () => {
  for (const tool of ['sox', 'espeak-ng']) requireTool(tool);
  tmp = mkdtempSync(join(tmpdir(), 'earshot-record-'));
  run('espeak-ng', ['-w', join(tmp, 'yes.wav'), 'yes']);
  run('sox', [join(tmp, 'yes.wav'), '-r', '48000', join(tmp, 'mic.wav'), 'pad', '0.3', '0.9', 'repeat', '2']);
  server = await startPreview();
}, 60_000);

afterAll(async () => {
  for (const b of browsers) await b.close();
  server?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function open(browser: Browser): Promise<{ page: Page; seen: ReturnType<typeof watchPage> }> {
  const page = await (await browser.newContext()).newPage();
  const seen = watchPage(page, server!.origin);
  await page.goto(server!.origin);
  await page.getByTestId('app-ready').waitFor({ timeout: 30_000 });
  await page.getByTestId('class-name-input').fill('yes');
  await page.getByTestId('add-class-button').click();
  await page.getByTestId('class-radio-yes').waitFor();
  return { page, seen };
}

const count = async (page: Page) => Number.parseInt((await page.getByTestId('class-count-yes').textContent()) ?? '', 10);

describe('recording with a fake microphone', () => {
  it('shows what the browser applied, records with R, splits a continuous take for review', async () => {
    const browser = await launchBrowser(join(tmp, 'mic.wav'));
    browsers.push(browser);
    const { page, seen } = await open(browser);
    await page.getByTestId('mic-button').click();
    const settings = page.getByTestId('mic-settings');
    await settings.waitFor();
    const text = (await settings.textContent()) ?? '';
    expect(text).toMatch(/Echo cancellation: (off|not reported)/);
    expect(text).toMatch(/Auto gain: (off|not reported)/);
    expect(await settings.getAttribute('data-processed')).toBe('false');
    expect(await page.getByTestId('capture-rate').textContent()).toMatch(/\d{4,6} Hz/);
    const spectro = page.getByTestId('live-spectrogram');
    await until(page, async () => Number(await spectro.getAttribute('data-columns')) > 20, 'the live spectrogram to scroll');

    // who is speaking: saved on every recorded clip
    await page.getByTestId('record-speaker').fill('dana');
    // keyboard shortcut: R records one clip into the selected class
    await page.locator('body').click({ position: { x: 2, y: 2 } });
    await page.keyboard.press('r');
    await until(page, async () => (await count(page)) === 1, 'the R-key clip to be saved');

    // continuous take of one loop and a bit: one clip per "yes"
    await page.getByTestId('mode-continuous').check();
    const take = page.getByTestId('take-button');
    await take.click();
    await until(page, async () => Number(/\(([\d.]+) s\)/.exec((await take.textContent()) ?? '')?.[1] ?? 0) >= 3 * PERIOD_S + 0.2, 'the take to run', 30_000);
    await take.click();
    await page.getByTestId('take-review').waitFor();
    const at = (await page.getByTestId('review-clip').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-at'))))).sort((a, b) => a - b);
    expect(at.length).toBeGreaterThanOrEqual(3);
    expect(at.length).toBeLessThanOrEqual(4);
    // One clip per "yes": onsets one loop period apart. The fake device's delivery jitters by a few
    // hundred ms on a loaded 2-core machine, far below the 1.83 s period.
    for (let i = 1; i < at.length; i++) expect(Math.abs(at[i] - at[i - 1] - PERIOD_S)).toBeLessThan(0.4);
    // drop one, keep the others
    await page.getByTestId('drop-clip').first().click();
    await page.getByTestId('accept-all').click();
    await until(page, async () => (await count(page)) === 1 + at.length - 1, 'the reviewed clips to be saved');
    expect(await page.getByTestId('review-clip').count()).toBe(0);
    await page.locator('summary', { hasText: 'Edit clips' }).click();
    const speakers = await page.getByTestId('speaker-input').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
    expect(speakers).toEqual(Array(at.length).fill('dana'));
    expect(seen.errors).toEqual([]);
    expect(seen.foreign).toEqual([]);
  });

  it('a browser without microphone access says so clearly', async () => {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: chromiumArgs() });
    browsers.push(browser);
    const { page } = await open(browser);
    await page.getByTestId('record-button').click();
    const err = page.getByTestId('record-error');
    await err.waitFor();
    expect(await err.textContent()).toMatch(/\[mic\/(denied|unavailable)\]/);
    expect(await count(page)).toBe(0);
  });
});
