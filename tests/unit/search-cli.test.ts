/**
 * `earshot search` end to end on generated tone clips from two speakers (<speaker>_<n>.wav): a short
 * budget, a model folder that `earshot eval` reads, the front as a table or one JSON document, and
 * one-line refusals of bad input.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { readModelDir } from '../../src/cli/files.ts';
import { encodeWav } from '../../src/core/audio/wav.ts';
import { analyzeSpec } from '../../src/core/model/analyze.ts';
import { getBoard } from '../../src/core/mcu/boards.ts';
import { estimate } from '../../src/core/mcu/estimate.ts';
import { mulberry32 } from '../../src/core/model/prng.ts';

const dir = mkdtempSync(join(tmpdir(), 'earshot-cli-search-'));
const data = join(dir, 'data');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(() => {
  const r = mulberry32(11);
  for (const [label, hz] of [['low', 400], ['high', 2500]] as const) {
    mkdirSync(join(data, label), { recursive: true });
    for (const [si, speaker] of ['ann', 'bob'].entries()) {
      for (let k = 0; k < 4; k++) {
        const f = hz * (1 + 0.04 * si + 0.01 * k);
        const samples = Float32Array.from({ length: 16000 }, (_, i) => 0.3 * Math.sin((2 * Math.PI * f * i) / 16000) + 0.02 * (r() - 0.5));
        writeFileSync(join(data, label, `${speaker}_${k}.wav`), encodeWav(samples, 16000));
      }
    }
  }
});

async function cli(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

const small = ['--board', 'nano33ble', '--arena-kb', '8', '--latency-ms', '120', '--minutes', '0.05', '--rank-epochs', '1', '--final-epochs', '2', '--backend', 'cpu'];

describe('earshot search', () => {
  it('writes a fitting, trained model that earshot eval reads; --json gives counts, chosen, front and rows', async () => {
    const model = join(dir, 'model');
    const r = await cli('search', '--data', data, ...small, '--out', model, '--json');
    expect(r.code, r.err.join('\n')).toBe(0);
    const j = JSON.parse(r.out.join('\n'));
    expect(j.counts.trained).toBeGreaterThanOrEqual(1);
    expect(j.counts.trained + j.counts.skipped + j.counts.rejected).toBe(j.counts.candidates);
    expect(j.rows.length).toBe(j.counts.candidates);
    expect(j.front.map((f: { index: number }) => f.index)).toContain(j.chosen.index);
    expect(j.chosen.fit.arenaBytes).toBeLessThanOrEqual(8 * 1024);
    expect(j.chosen.fit.latencyMs).toBeLessThanOrEqual(120);
    expect(r.err.some((l) => /^candidate 1\/\d+ +elapsed 0:00/.test(l))).toBe(true);
    const a = readModelDir(model);
    expect(a.training!.epochs).toBe(2);
    expect(a.training!.split).toBe('speaker');
    const rep = estimate(analyzeSpec(a.spec), getBoard('nano33ble'), { featureConfig: a.featureConfig });
    expect(rep.fits.all).toBe(true);
    expect(rep.arenaBytes).toBeLessThanOrEqual(8 * 1024);
    expect(rep.latencyMs + rep.features.clipComputeMs).toBeLessThanOrEqual(120);
    const ev = await cli('eval', '--model', model, '--data', data, '--json');
    expect(ev.code, ev.err.join('\n')).toBe(0);
    expect(JSON.parse(ev.out.join('\n')).clips).toBe(16);
  }, 60_000);

  it('prints the front as a table, the chosen row starred', async () => {
    const r = await cli('search', '--data', data, ...small, '--minutes', '0.01', '--out', join(dir, 'model2'));
    expect(r.code, r.err.join('\n')).toBe(0);
    const text = r.out.join('\n');
    expect(text).toMatch(/^\d+ candidates: \d+ do not fit, \d+ trained, \d+ skipped \(time budget\)/);
    expect(text).toMatch(/network +features +acc +latency +arena +flash/);
    expect(r.out.filter((l) => l.startsWith('*')).length).toBe(1);
    expect(text).toMatch(/wrote .*model2: .* on every speaker \(\d+\.\d% on held-out speakers in its ranking run\)/);
  }, 60_000);

  it('refuses bad input with one line and a non-zero exit', async () => {
    const out = join(dir, 'never');
    const cases: string[][] = [
      ['--board', 'nano33ble', '--out', out],
      ['--data', data, '--out', out],
      ['--data', data, '--board', 'nano33ble'],
      ['--data', data, '--board', 'no-such-board', '--out', out],
      ['--data', data, '--board', 'nano33ble', '--runtime', 'tvm', '--out', out],
      ['--data', data, '--board', 'nano33ble', '--minutes', '0', '--out', out],
      ['--data', data, '--board', 'nano33ble', '--early-stop', '-1', '--out', out],
      ['--data', data, '--board', 'nano33ble', '--arena-kb', 'lots', '--out', out],
      ['--data', data, '--board', 'nano33ble', '--arena-kb', '0.05', '--latency-ms', '1', '--out', out],
      ['--data', data, '--board', 'nano33ble', '--speaker-pattern', '{label}_{nope}', '--out', out],
      ['--data', join(dir, 'missing'), '--board', 'nano33ble', '--out', out],
    ];
    for (const c of cases) {
      const r = await cli('search', ...c);
      expect(r.code, c.join(' ')).not.toBe(0);
      expect(r.err.length, c.join(' ')).toBe(1);
    }
    const nofit = await cli('search', '--data', data, '--board', 'nano33ble', '--arena-kb', '0.05', '--out', out);
    expect(nofit.err[0]).toMatch(/none of the \d+ candidates fits .*\[search\/no-fit\]/);
  });
});
