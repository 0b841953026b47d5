/**
 * The whole page flow in Debian Chromium with a fake microphone. Two launches share one
 * profile (so IndexedDB persists between them): the first one's fake mic plays a 440 Hz burst
 * pattern (class "tone"), the second one's white noise (class "noise", plus WAV files imported
 * and dropped) → spectrograms → reload keeps everything → train (wasm) → quantize → board
 * "pico" → download the C header → it builds with arm-none-eabi-gcc and its self test passes
 * with host gcc. No request may leave the page's origin.
 * `npm test` builds the app first (vite build); this test only serves dist/ with vite preview.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { dataStatus, launchPersistent, requireTool, run, startPreview, watchPage, type PreviewServer } from './helpers/harness.ts';

const CLIPS_PER_CLASS = 5;
const EPOCHS = 8;

let tmp = '';
let server: PreviewServer | null = null;
let origin = '';

beforeAll(async () => {
  for (const tool of ['sox', 'gcc', 'arm-none-eabi-gcc']) requireTool(tool);
  tmp = mkdtempSync(join(tmpdir(), 'earshot-e2e-'));
  // Fake mic of the first browser: 0.35 s of a 440 Hz tone then 0.15 s of silence, looped.
  run('sox', ['-n', '-r', '48000', '-c', '1', '-b', '16', join(tmp, 'mic-tone.wav'), 'synth', '0.35', 'sine', '440', 'vol', '0.6', 'pad', '0', '0.15', 'repeat', '3']);
  // Fake mic of the second browser (same profile): white-noise bursts.
  run('sox', ['-n', '-r', '44100', '-c', '1', '-b', '16', join(tmp, 'mic-noise.wav'), 'synth', '0.3', 'whitenoise', 'vol', '0.5', 'pad', '0', '0.2', 'repeat', '3']);
  // More "noise" from files: white-noise bursts at 44.1 kHz stereo (the page downmixes and resamples).
  for (let i = 0; i < 3; i++) {
    run('sox', ['-n', '-r', '44100', '-c', '2', '-b', '16', join(tmp, `noise-${i}.wav`), 'synth', '0.6', 'whitenoise', 'vol', String(0.3 + 0.1 * i), 'pad', String(0.05 * i), '0.2']);
  }
  writeFileSync(join(tmp, 'broken.wav'), 'RIFF....not really a wav');
  server = await startPreview();
  origin = server.origin;
});

afterAll(() => {
  server?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function count(page: Page, label: string): Promise<number> {
  const t = await page.getByTestId(`class-count-${label}`).textContent();
  return Number.parseInt(t ?? '', 10);
}

async function readyCanvases(page: Page): Promise<{ ready: number; varied: number }> {
  return page.evaluate(() => {
    const cs = [...document.querySelectorAll<HTMLCanvasElement>('canvas[data-testid="spectrogram"]')];
    let varied = 0;
    for (const c of cs) {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      const seen = new Set<number>();
      for (let i = 0; i < d.length; i += 4) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
      if (seen.size > 8) varied++;
    }
    return { ready: cs.filter((c) => c.dataset.ready === 'true').length, varied };
  });
}

describe('the page, end to end', () => {
  it('records, trains, quantizes, fits and exports a header that builds and self-tests', async () => {
    const profile = join(tmp, 'profile');
    const watchers: Array<ReturnType<typeof watchPage>> = [];
    const foreign = () => watchers.flatMap((w) => w.foreign);
    const pageErrors = () => watchers.flatMap((w) => w.errors);
    const open = async (mic: string): Promise<{ context: BrowserContext; page: Page }> => {
      const context = await launchPersistent(profile, join(tmp, mic));
      const page = context.pages()[0] ?? (await context.newPage());
      watchers.push(watchPage(page, origin));
      await page.goto(origin);
      await page.getByTestId('app-ready').waitFor({ timeout: 20_000 });
      return { context, page };
    };
    const recordClips = async (page: Page, label: string, n: number) => {
      await page.getByTestId(`class-radio-${label}`).check();
      const start = await count(page, label);
      let maxLevel = 0;
      for (let i = 1; i <= n; i++) {
        await page.getByTestId('record-button').click();
        await expect.poll(() => count(page, label), { timeout: 15_000 }).toBe(start + i);
        maxLevel = Math.max(maxLevel, Number(await page.getByTestId('level-meter').getAttribute('data-level')));
        await expect.poll(() => page.getByTestId('record-button').isEnabled(), { timeout: 5_000 }).toBe(true);
      }
      expect(maxLevel, 'the level meter moves while recording').toBeGreaterThan(0.2);
      expect(await page.getByTestId('mic-status').textContent()).toMatch(/Microphone on at \d+ Hz/);
    };

    // 1. First browser, fake mic playing a tone: create the classes, record "tone".
    let { context, page } = await open('mic-tone.wav');
    for (const name of ['tone', 'noise']) {
      await page.getByTestId('class-name-input').fill(name);
      await page.getByTestId('add-class-button').click();
      await page.getByTestId(`class-count-${name}`).waitFor();
    }
    await recordClips(page, 'tone', CLIPS_PER_CLASS + 1);
    // One too many: delete it (the deletion must survive the next launch).
    await page.getByTestId('clip-list-tone').getByTestId('delete-clip').first().click();
    await expect.poll(() => count(page, 'tone'), { timeout: 5_000 }).toBe(CLIPS_PER_CLASS);
    expect(pageErrors()).toEqual([]);
    expect(foreign()).toEqual([]);
    await context.close();

    // 2. Second browser on the same profile, fake mic playing noise: the clips are still there;
    // record "noise" from the microphone too.
    ({ context, page } = await open('mic-noise.wav'));
    expect(await count(page, 'tone')).toBe(CLIPS_PER_CLASS);
    await recordClips(page, 'noise', CLIPS_PER_CLASS);

    // 2b. Import more "noise" WAV files with the file input; the broken one is reported, the
    // others still import. The last noise file is dropped on the page instead.
    await page.getByTestId('class-radio-noise').check();
    const noise = readdirSync(tmp).filter((f) => f.startsWith('noise-')).sort();
    const picked = [...noise.slice(0, -1), 'broken.wav'].map((f) => join(tmp, f));
    await page.getByTestId('import-input').setInputFiles(picked);
    await expect.poll(() => count(page, 'noise'), { timeout: 15_000 }).toBe(CLIPS_PER_CLASS + noise.length - 1);
    await expect(page.getByTestId('import-failure').textContent()).resolves.toMatch(/broken\.wav.*\[wav\//);
    const dropped = noise[noise.length - 1];
    await page.evaluate(
      ({ b64, name }) => {
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        const dt = new DataTransfer();
        dt.items.add(new File([bytes], name, { type: 'audio/wav' }));
        const target = document.querySelector('[data-testid="clip-list-tone"]')!;
        for (const type of ['dragover', 'drop']) target.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
      },
      { b64: readFileSync(join(tmp, dropped)).toString('base64'), name: dropped },
    );
    const NOISE = CLIPS_PER_CLASS + noise.length;
    const TOTAL = CLIPS_PER_CLASS + NOISE;
    await expect.poll(() => count(page, 'noise'), { timeout: 15_000 }).toBe(NOISE);

    // 3. Every clip shows a spectrogram computed in the worker.
    await expect.poll(async () => (await readyCanvases(page)).ready, { timeout: 20_000 }).toBe(TOTAL);
    expect((await readyCanvases(page)).varied).toBe(TOTAL);

    // Reload: classes and clips come back from IndexedDB.
    await page.reload();
    await page.getByTestId('app-ready').waitFor({ timeout: 20_000 });
    expect(await count(page, 'tone')).toBe(CLIPS_PER_CLASS);
    expect(await count(page, 'noise')).toBe(NOISE);
    await expect.poll(async () => (await readyCanvases(page)).ready, { timeout: 20_000 }).toBe(TOTAL);

    // 4. Train. First a long run that is cancelled over the worker edge, then the real one.
    await page.getByTestId('epochs-input').fill('500');
    await page.getByTestId('train-button').click();
    await expect.poll(async () => Number(await page.getByTestId('loss-curve').getAttribute('data-points')), { timeout: 60_000 }).toBeGreaterThan(0);
    await page.getByTestId('cancel-button').click();
    await expect.poll(() => dataStatus(page, 'train-status'), { timeout: 10_000 }).toBe('cancelled');
    expect(Number(await page.getByTestId('loss-curve').getAttribute('data-points'))).toBeLessThan(500);
    await page.getByTestId('epochs-input').fill(String(EPOCHS));
    await page.getByTestId('seed-input').fill('7');
    await page.getByTestId('train-button').click();
    await expect.poll(() => dataStatus(page, 'train-status'), { timeout: 150_000, interval: 500 }).toMatch(/done|error/);
    const trainError = await page.getByTestId('train-error').count() ? await page.getByTestId('train-error').textContent() : null;
    expect(trainError).toBeNull();
    expect(await page.getByTestId('backend-name').textContent()).toBe('wasm');
    expect(await page.getByTestId('loss-curve').getAttribute('data-points')).toBe(String(EPOCHS));
    expect(await page.getByTestId('val-accuracy').textContent()).toMatch(/^\d+\.\d%$/);

    // 5. Quantize: float and int8 accuracy on all clips.
    await page.getByTestId('quantize-button').click();
    await expect.poll(() => dataStatus(page, 'quantize-status'), { timeout: 60_000 }).toMatch(/done|error/);
    expect(await page.getByTestId('quantize-error').count()).toBe(0);
    const floatAcc = await page.getByTestId('float-accuracy').textContent();
    const int8Acc = await page.getByTestId('int8-accuracy').textContent();
    expect(floatAcc).toMatch(/^\d+\.\d%$/);
    expect(int8Acc).toMatch(/^\d+\.\d%$/);

    // 6. Fit on the Raspberry Pi Pico.
    await page.getByTestId('board-select').selectOption('pico');
    const flash = page.getByTestId('fit-flash');
    expect(Number(await flash.getAttribute('data-used'))).toBeGreaterThan(1000);
    expect(Number(await flash.getAttribute('data-budget'))).toBe(2 * 1024 * 1024);
    expect(Number(await page.getByTestId('fit-ram').getAttribute('data-used'))).toBeGreaterThan(0);
    expect(Number(await page.getByTestId('fit-latency').getAttribute('data-used'))).toBeGreaterThan(0);
    expect(await page.getByTestId('fit-verdict').getAttribute('data-fits')).toMatch(/^(yes|no)$/);
    expect(await page.getByTestId('fit-verdict').textContent()).toMatch(/Pico/);

    // 7. Download the header and build it.
    await page.getByTestId('prefix-input').fill('kws');
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.getByTestId('download-button').click()]);
    expect(download.suggestedFilename()).toBe('kws.h');
    const header = join(tmp, 'kws.h');
    await download.saveAs(header);
    const text = readFileSync(header, 'utf8');
    expect(text).toMatch(/KWS_NUM_CLASSES\s+2/);
    expect(text).toContain('"tone"');

    const unit = join(tmp, 'unit.c');
    writeFileSync(unit, '#include "kws.h"\nint kws_link_check(void) { return kws_self_test(); }\n');
    run('arm-none-eabi-gcc', ['-mcpu=cortex-m4', '-mthumb', '-mfloat-abi=hard', '-mfpu=fpv4-sp-d16', '-Os', '-Wall', '-Wextra', '-Werror', '-c', unit, '-o', join(tmp, 'unit.o')], tmp);

    const main = join(tmp, 'main.c');
    writeFileSync(main, '#include <stdio.h>\n#include "kws.h"\nint main(void) { int r = kws_self_test(); printf("self_test=%d\\n", r); return r == 0 ? 0 : 1; }\n');
    run('gcc', ['-std=c99', '-Wall', '-Wextra', '-Werror', '-O2', main, '-o', join(tmp, 'selftest'), '-lm'], tmp);
    expect(run(join(tmp, 'selftest'), [], tmp)).toContain('self_test=0');

    // The trained, quantized model survives a reload (IndexedDB) and still exports.
    await page.reload();
    await page.getByTestId('app-ready').waitFor({ timeout: 20_000 });
    expect(await dataStatus(page, 'train-status')).toBe('done');
    expect(await dataStatus(page, 'quantize-status')).toBe('done');
    expect(await page.getByTestId('loss-curve').getAttribute('data-points')).toBe(String(EPOCHS));
    expect(await page.getByTestId('download-button').isEnabled()).toBe(true);

    // EARSHOT_E2E_SHOT=/path.png keeps a full-page screenshot of the finished flow (for eyes).
    if (process.env.EARSHOT_E2E_SHOT) await page.screenshot({ path: process.env.EARSHOT_E2E_SHOT, fullPage: true });
    console.log(`e2e: float ${floatAcc}, int8 ${int8Acc}, val ${await page.getByTestId('val-accuracy').textContent()}`);

    expect(pageErrors()).toEqual([]);
    expect(foreign()).toEqual([]);
    await context.close();
  });
});
