/**
 * The CLI end to end, as a workshop leader runs it: sox makes a small two-class data set
 * (mixed rates, stereo, odd lengths), then train → quantize → eval → predict → fit → export,
 * and the exported header, compiled with host gcc, gives the same int8 scores as `predict --int8`
 * and passes its self-test; it also builds for Cortex-M4.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeForModel } from '../../src/core/audio/prepare.ts';
import { DEFAULT_FEATURE_CONFIG } from '../../src/core/dsp/feature-config.ts';
import { requireTool } from './helpers/tools.ts';

const root = process.cwd();
const work = mkdtempSync(join(tmpdir(), 'earshot-cli-'));

function earshot(...args: string[]) {
  const r = spawnSync(process.execPath, [join(root, 'bin/earshot.js'), ...args], { encoding: 'utf8', cwd: work });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

function ok(...args: string[]): string {
  const r = earshot(...args);
  if (r.code !== 0) throw new Error(`earshot ${args.join(' ')} exited ${r.code}: ${r.err}`);
  return r.out;
}

/** 12 clips per class: 'low' tones 300–700 Hz, 'high' tones 2.5–3.7 kHz, with noise. */
function makeDataSet(dir: string, seed: number) {
  for (const [label, base, step] of [['low', 300, 37], ['high', 2500, 101]] as const) {
    mkdirSync(join(dir, label), { recursive: true });
    for (let i = 0; i < 12; i++) {
      const f = base + ((i * step + seed * 13) % (label === 'low' ? 400 : 1200));
      const rate = i % 3 === 0 ? 44100 : 16000;
      const channels = i % 4 === 0 ? 2 : 1;
      const len = (0.6 + (i % 5) * 0.15).toFixed(2);
      const out = join(dir, label, `${label}-${seed}-${i}.wav`);
      execFileSync('sox', ['-n', '-r', String(rate), '-c', String(channels), '-b', '16', out,
        'synth', len, 'sine', String(f), 'synth', len, 'whitenoise', 'amod', '0.15', 'gain', '-6', 'fade', '0.05', len, '0.05']);
    }
  }
}

describe('earshot CLI flow', () => {
  const data = join(work, 'data');
  const val = join(work, 'val');
  const model = join(work, 'model');

  beforeAll(() => {
    requireTool('sox');
    requireTool('gcc');
    makeDataSet(data, 1);
    makeDataSet(val, 2);
  });

  it('rejects bad input with a one-line reason and a non-zero exit', () => {
    const cases: string[][] = [
      ['nonsense'],
      ['train', '--data', join(work, 'missing'), '--out', model],
      ['train', '--data', data, '--out', model, '--epochs', 'many'],
      ['train', '--data', data, '--out', model, '--preset', 'huge'],
      ['fit', '--spec', join(work, 'nope.json'), '--board', 'nano33ble'],
      ['fit', '--model', model, '--board', 'no-such-board'],
      ['export', '--model', join(work, 'missing'), '--format', 'c', '--out', 'x.h'],
    ];
    for (const args of cases) {
      const r = earshot(...args);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.err.trim().split('\n').length, r.err).toBe(1);
    }
  });

  it('prints help for every command', () => {
    for (const c of ['train', 'quantize', 'eval', 'predict', 'fit', 'export', 'boards']) {
      expect(ok(c, '--help')).toMatch(new RegExp(`usage: earshot ${c}`));
    }
  });

  it('lists the boards, including the three the page offers first', () => {
    const boards = JSON.parse(ok('boards', '--json')) as Array<{ id: string }>;
    expect(boards.map((b) => b.id)).toEqual(expect.arrayContaining(['nano33ble', 'pico', 'nucleo-l476rg']));
  });

  it('train → quantize → eval → predict → fit → export, and the C agrees bit for bit', () => {
    // two gradient slices per batch, as the page trains
    // Steady tones: the 16 kHz features without the per-clip normalisation (band mean removal
    // takes out most of what tells a steady tone apart; tests/c/header.test.ts covers that path).
    const trained = JSON.parse(ok('train', '--data', data, '--val', val, '--epochs', '12', '--seed', '3', '--shards', '2', '--features-preset', 'earshot', '--out', model, '--json'));
    expect(trained.labels).toEqual(['high', 'low']);
    expect(trained.shards).toBe(2);
    expect(trained.valAccuracy).toBeGreaterThanOrEqual(0.9);

    const q = JSON.parse(ok('quantize', '--model', model, '--json'));
    expect(q.int8Accuracy).toBeGreaterThanOrEqual(q.floatAccuracy - 0.1);

    const ev = JSON.parse(ok('eval', '--model', model, '--data', val, '--int8', '--json'));
    expect(ev.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(ev.confusion).toHaveLength(2);

    const files = ['low/low-2-1.wav', 'low/low-2-3.wav', 'high/high-2-0.wav', 'high/high-2-5.wav'].map((f) => join(val, f));
    const pred = JSON.parse(ok('predict', '--model', model, '--int8', '--json', ...files));
    expect(pred.predictions).toHaveLength(4);

    for (const board of ['nano33ble', 'pico', 'nucleo-l476rg']) {
      const fit = JSON.parse(ok('fit', '--model', model, '--board', board, '--json'));
      expect(fit.latencyMs).toBeGreaterThan(0);
      expect(fit.arenaBytes).toBeGreaterThan(0);
      expect(fit.flashBytes).toBeGreaterThan(0);
      expect(typeof fit.fits.all).toBe('boolean');
      expect(fit.layers.length).toBeGreaterThan(0);
    }

    const header = join(work, 'kws.h');
    ok('export', '--model', model, '--format', 'c', '--prefix', 'kws', '--out', header);

    // Host build: self-test, then classify each predicted file's PCM and print the int8 scores.
    const pcm = files.map((f) => decodeForModel(readFileSync(f), DEFAULT_FEATURE_CONFIG));
    const pcmBin = join(work, 'pcm.bin');
    const all = new Int16Array(pcm.length * pcm[0].length);
    pcm.forEach((s, k) => s.forEach((v, i) => { all[k * s.length + i] = Math.max(-32768, Math.min(32767, Math.round(v * 32768))); }));
    writeFileSync(pcmBin, new Uint8Array(all.buffer));
    const driver = join(work, 'main.c');
    writeFileSync(driver, `#include <stdio.h>
#include "kws.h"
int main(int argc, char **argv) {
  static int16_t pcm[KWS_INPUT_SAMPLES];
  int8_t scores[KWS_NUM_CLASSES];
  FILE *f = fopen(argv[1], "rb");
  int st = kws_self_test();
  printf("self_test %d\\n", st);
  (void)argc;
  while (fread(pcm, sizeof(int16_t), KWS_INPUT_SAMPLES, f) == KWS_INPUT_SAMPLES) {
    int top = kws_classify(pcm, scores);
    printf("%d", top);
    for (int i = 0; i < KWS_NUM_CLASSES; i++) printf(" %d", scores[i]);
    printf("\\n");
  }
  fclose(f);
  return st;
}
`);
    const exe = join(work, 'main');
    execFileSync('gcc', ['-std=c99', '-O2', '-Wall', '-Wextra', '-Wdouble-promotion', '-Wfloat-conversion', '-Werror', '-o', exe, driver], { cwd: work });
    const lines = execFileSync(exe, [pcmBin], { encoding: 'utf8' }).trim().split('\n');
    expect(lines[0]).toBe('self_test 0');
    const labels: string[] = trained.labels;
    lines.slice(1).forEach((line, k) => {
      const [top, ...scores] = line.split(' ').map(Number);
      const p = pred.predictions[k];
      expect(labels[top]).toBe(p.label);
      expect(scores).toEqual(labels.map((l) => p.scores[l]));
    });

    requireTool('arm-none-eabi-gcc');
    execFileSync('arm-none-eabi-gcc', ['-mcpu=cortex-m4', '-mthumb', '-mfloat-abi=hard', '-mfpu=fpv4-sp-d16', '-Os', '-Wall', '-Wextra', '-Werror', '-c', '-x', 'c', header, '-o', join(work, 'kws.o')]);
  });
});
