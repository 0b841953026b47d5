/**
 * Dataset handling in Debian Chromium, one persistent profile (IndexedDB survives reloads):
 * a folder import with some bad files (folder name → class), the bad-input batch on the file
 * import and on the archive import (each gets its code, nothing stored changes), export →
 * delete → import round trip (bit-exact WAVs), a reload in the middle of an import
 * (everything shown as saved is still there), renaming a class (its clips follow it), and the
 * feature settings of each project (saved on edit, switched with the project, in its zip).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import type { BrowserContext, Page } from 'playwright-core';
import { requireTool, run, until, watchPage, type PreviewServer, openPersistentApp } from './helpers/harness.ts';
import { BAD_ARCHIVES, BAD_WAVS } from '../fixtures/bad-inputs.ts';
import { encodeWav } from '../../src/core/audio/wav.ts';

let tmp = '';
let server: PreviewServer | null = null;
let context: BrowserContext | null = null;
let page: Page;
let seen: ReturnType<typeof watchPage>;

/** Seeded noise burst as a 16 kHz WAV (distinct per seed). */
function burst(seed: number, rateHz = 16000): Uint8Array {
  let s = seed >>> 0;
  const x = new Float32Array(Math.round(rateHz * 0.6));
  for (let i = 0; i < x.length; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    x[i] = ((s / 2 ** 32) * 2 - 1) * 0.3 * Math.sin((Math.PI * i) / x.length);
  }
  return encodeWav(x, rateHz);
}

async function countOf(label: string): Promise<number> {
  // One read: a count() then textContent() pair races a class that is being deleted (the second
  // call then waits its whole timeout for an element that is gone).
  const texts = await page.getByTestId(`class-count-${label}`).allTextContents();
  return texts.length === 0 ? 0 : Number.parseInt(texts[0]!, 10);
}

async function summary(): Promise<string> {
  return (await page.getByTestId('dataset-summary').textContent()) ?? '';
}

async function projectNames(): Promise<string[]> {
  return page.getByTestId('project-select').locator('option').allTextContents();
}

/** The harness's until() on this file's page, with a minute by default (imports take a while). */
const waitUntil = (cond: () => Promise<boolean>, what: string, timeoutMs = 60_000) => until(page, cond, what, timeoutMs);

async function ready(): Promise<void> {
  await page.getByTestId('app-ready').waitFor({ timeout: 30_000 });
}

beforeAll(async () => {
  requireTool('sox');
  tmp = mkdtempSync(join(tmpdir(), 'earshot-dataset-'));
  // A folder of classes: yes/ and no/ with WAVs in several formats (sox), plus some bad files.
  const data = join(tmp, 'data');
  for (const label of ['yes', 'no']) mkdirSync(join(data, label), { recursive: true });
  run('sox', ['-n', '-r', '44100', '-c', '2', '-b', '24', join(data, 'yes', 'y1.wav'), 'synth', '0.5', 'sine', '500', 'vol', '0.4']);
  run('sox', ['-n', '-r', '8000', '-c', '1', '-b', '8', join(data, 'yes', 'y2.wav'), 'synth', '0.7', 'sine', '700', 'vol', '0.4']);
  run('sox', ['-n', '-r', '48000', '-c', '1', '-e', 'floating-point', '-b', '32', join(data, 'no', 'n1.wav'), 'synth', '1.5', 'pinknoise', 'vol', '0.3']);
  run('sox', ['-n', '-r', '16000', '-c', '1', '-b', '16', join(data, 'no', 'n2.wav'), 'synth', '0.9', 'brownnoise', 'vol', '0.3']);
  writeFileSync(join(data, 'yes', 'renamed-text.wav'), 'hello, not audio');
  writeFileSync(join(data, 'no', 'truncated.wav'), readFileSync(join(data, 'no', 'n2.wav')).subarray(0, 30));
  ({ server, context, page, seen } = await openPersistentApp(join(tmp, 'profile')));
}, 120_000);

afterAll(async () => {
  await context?.close();
  server?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('dataset studio in Chromium', () => {
  it('imports a folder: folder names become classes, bad files get their reason, the rest import', async () => {
    await page.getByTestId('import-folder-input').setInputFiles(join(tmp, 'data'));
    await waitUntil(async () => (await page.getByTestId('import-report').count()) > 0 && (await page.getByTestId('import-progress').count()) === 0, 'the folder import');
    expect(await page.getByTestId('import-report').locator('.ok').textContent()).toContain('4 imported, 2 failed');
    const failures = await page.getByTestId('import-failure').allTextContents();
    expect(failures.some((f) => f.includes('renamed-text.wav') && f.includes('wav/not-riff'))).toBe(true);
    expect(failures.some((f) => f.includes('truncated.wav') && f.includes('wav/truncated'))).toBe(true);
    expect(await countOf('yes')).toBe(2);
    expect(await countOf('no')).toBe(2);
  });

  it('the bad-input batch: every hostile file gets its code and message; nothing stored changes', async () => {
    await page.getByTestId('class-radio-yes').check();
    const before = await summary();
    const cases = BAD_WAVS.filter((c) => !c.nodeOnly);
    await page.getByTestId('import-input').setInputFiles(cases.map((c) => ({ name: c.file, mimeType: 'audio/wav', buffer: Buffer.from(c.bytes()) })));
    await waitUntil(async () => (await page.getByTestId('import-failure').count()) === cases.length, 'one failure line per bad file');
    const lines = await page.getByTestId('import-failure').evaluateAll((els) => els.map((e) => [e.getAttribute('data-name'), e.textContent ?? '']));
    const byName = new Map(lines as Array<[string, string]>);
    for (const c of cases) expect(byName.get(c.file), c.name).toContain(`[${c.code}]`);
    expect(await summary()).toBe(before);
    expect(seen.errors).toEqual([]);
  });

  it('hostile archives are refused with their code; no project appears', async () => {
    const projects = await projectNames();
    const before = await summary();
    const panel = page.getByTestId('archive-panel');
    const attempts = async () => Number(await panel.getAttribute('data-attempts'));
    for (const c of BAD_ARCHIVES) {
      const n = await attempts();
      await page.getByTestId('archive-input').setInputFiles({ name: 'dataset.zip', mimeType: 'application/zip', buffer: Buffer.from(c.bytes()) });
      await waitUntil(async () => (await attempts()) === n + 1, `the archive "${c.name}" to be read`, 20_000);
      expect(await page.getByTestId('archive-error').textContent(), c.name).toContain(`[${c.code}]`);
    }
    expect(await projectNames()).toEqual(projects);
    expect(await summary()).toBe(before);
  });

  it('export → delete → import gives back bit-identical WAVs in a new project', async () => {
    const download = page.waitForEvent('download');
    await page.getByTestId('export-archive').click();
    const path = join(tmp, 'export.zip');
    await (await download).saveAs(path);
    const exported = unzipSync(new Uint8Array(readFileSync(path)));
    const wavs = (z: Record<string, Uint8Array>) => Object.entries(z).filter(([n]) => n.endsWith('.wav')).map(([n, b]) => `${n.split('/')[0]}:${Buffer.from(b).toString('base64')}`).sort();
    expect(wavs(exported)).toHaveLength(4);
    for (const label of ['yes', 'no']) await page.getByRole('button', { name: `Delete class ${label}` }).click();
    await waitUntil(async () => (await countOf('yes')) === 0 && (await countOf('no')) === 0, 'the classes to go');
    const nav = page.waitForEvent('load');
    await page.getByTestId('archive-input').setInputFiles(path);
    await nav;
    await ready();
    expect(await countOf('yes')).toBe(2);
    expect(await countOf('no')).toBe(2);
    expect((await projectNames()).length).toBe(2);
    const again = page.waitForEvent('download');
    await page.getByTestId('export-archive').click();
    const path2 = join(tmp, 'export2.zip');
    await (await again).saveAs(path2);
    expect(wavs(unzipSync(new Uint8Array(readFileSync(path2))))).toEqual(wavs(exported));
  });

  it('a reload in the middle of an import keeps every clip that was shown as saved', async () => {
    await page.getByTestId('class-radio-yes').check();
    const start = await countOf('yes');
    // 200 files of 0.6 s at 44.1 kHz: each is decoded, resampled and stored in its own transaction.
    const files = Array.from({ length: 200 }, (_, i) => ({ name: `b${i}.wav`, mimeType: 'audio/wav', buffer: Buffer.from(burst(i + 1, 44100)) }));
    await page.getByTestId('import-input').setInputFiles(files);
    await waitUntil(async () => (await countOf('yes')) >= start + 10, 'the import to get going');
    const shown = await countOf('yes');
    await page.reload();
    await ready();
    const after = await countOf('yes');
    expect(after).toBeGreaterThanOrEqual(shown);
    expect(after).toBeLessThan(start + files.length); // the reload did cut the import short
    expect(seen.foreign).toEqual([]);
  });

  it('renames a class in place: rule errors and a taken name are refused, Escape cancels, the clips follow across a reload', async () => {
    const rows = (label: string) => page.locator(`[data-testid="dataset-row"][data-label="${label}"]`).count();
    const noClips = await countOf('no');
    expect(noClips).toBe(2);
    const input = page.getByTestId('class-rename-input');
    const error = page.getByTestId('class-rename-error');
    await page.getByRole('button', { name: 'Rename class no' }).click();
    expect(await input.evaluate((el) => el === document.activeElement)).toBe(true);
    await input.fill('bad/name');
    expect(await error.textContent()).toContain('[dataset/bad-label]');
    await input.press('Enter');
    expect(await error.textContent()).toContain('[dataset/bad-label]');
    await input.fill('yes');
    await input.press('Enter');
    await waitUntil(async () => ((await error.textContent()) ?? '').includes('already exists'), 'the taken name to be refused', 10_000);
    expect(await error.textContent()).toContain('[dataset/bad-label]');
    expect(await input.getAttribute('aria-invalid')).toBe('true');
    await input.press('Escape');
    expect(await input.count()).toBe(0);
    expect(await countOf('no')).toBe(noClips);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Rename class no');

    await page.getByRole('button', { name: 'Rename class no' }).click();
    await input.fill('  nope ');
    await input.press('Enter');
    await waitUntil(async () => (await countOf('nope')) === noClips, 'the renamed class', 10_000);
    expect(await countOf('no')).toBe(0);
    expect(await rows('nope')).toBe(noClips);
    expect(await rows('no')).toBe(0);
    await page.reload();
    await ready();
    expect(await countOf('nope')).toBe(noClips);
    expect(await countOf('no')).toBe(0);
    expect(await rows('nope')).toBe(noClips);
    expect(await rows('no')).toBe(0);
    expect(await summary()).toContain('nope');
    expect(seen.errors).toEqual([]);
  });

  it('feature settings belong to the project: saved on edit, back after a reload, switched with the project, in its zip', async () => {
    const preset = page.getByTestId('feature-preset');
    const select = page.getByTestId('project-select');
    const mine = await select.inputValue();
    const values = await select.locator('option').evaluateAll((els) => els.map((e) => (e as HTMLOptionElement).value));
    const other = values.find((v) => v !== mine)!;
    const openProject = async (id: string) => {
      const nav = page.waitForEvent('load');
      await select.selectOption(id);
      await nav;
      await ready();
    };
    expect(await preset.inputValue()).toBe('speech-8k'); // a new project's features
    await preset.selectOption('low-power-8k');
    await waitUntil(async () => ((await page.getByTestId('feature-reload-note').textContent()) ?? '').includes('Saved to this project'), 'the features to be saved', 10_000);
    // the train screen says training still runs on the features the page opened with
    await page.getByTestId('train-features-note').waitFor({ timeout: 20_000 });
    await page.reload();
    await ready();
    expect(await preset.inputValue()).toBe('low-power-8k');
    expect(await page.getByTestId('feature-reload-note').count()).toBe(0);
    expect(await page.getByTestId('train-features-note').count()).toBe(0);
    await openProject(other);
    expect(await preset.inputValue()).toBe('speech-8k'); // a new project's features
    await openProject(mine);
    expect(await preset.inputValue()).toBe('low-power-8k');
    const download = page.waitForEvent('download');
    await page.getByTestId('export-archive').click();
    const path = join(tmp, 'export-8k.zip');
    await (await download).saveAs(path);
    const manifest = JSON.parse(new TextDecoder().decode(unzipSync(new Uint8Array(readFileSync(path)))['manifest.json'])) as { project: { config: { sampleRateHz: number; melBands: number } } };
    expect([manifest.project.config.sampleRateHz, manifest.project.config.melBands]).toEqual([8000, 20]);
    expect(seen.errors).toEqual([]);
  });
});
