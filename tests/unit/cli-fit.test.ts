/**
 * `earshot fit` flags: --spec with --board or a custom board (--core --clock-mhz --sram-kb
 * --flash-kb [--power-mw]), --runtime, --dtype, --interval-ms, --json; bad input exits non-zero
 * with one line.
 */
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';

const SPEC = 'tests/fixtures/specs/mlperf-kws-ds-cnn.json';

async function run(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['fit', ...argv], { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

describe('earshot fit', () => {
  it('custom board flags, runtime, dtype and interval reach the estimate (--json)', async () => {
    const r = await run('--spec', SPEC, '--core', 'cortex-m33', '--clock-mhz', '200', '--sram-kb', '256', '--flash-kb', '1024',
      '--power-mw', '70', '--runtime', 'tflm-cmsis-nn', '--dtype', 'int8', '--interval-ms', '500', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out.join('\n'));
    expect(j.board).toMatchObject({ id: 'custom', core: 'cortex-m33', clockMhz: 200, sramBytes: 256 * 1024, flashBytes: 1024 * 1024, activePowerMw: 70 });
    expect(j.runtime).toBe('tflm-cmsis-nn');
    expect(j.dtype).toBe('int8');
    expect(j.power.inferenceIntervalMs).toBe(500);
    expect(j.latencyMs).toBeCloseTo(j.cycles / 200_000, 9);
    expect(j.layers.length).toBeGreaterThan(10);
    for (const k of ['arenaBytes', 'flashBytes', 'ramBytes', 'dutyCycle']) expect(j[k]).toBeGreaterThan(0);
    const f32 = JSON.parse((await run('--spec', SPEC, '--core', 'cortex-m33', '--clock-mhz', '200', '--sram-kb', '256', '--flash-kb', '1024', '--dtype', 'float32', '--json')).out.join('\n'));
    expect(f32.dtype).toBe('float32');
    expect(f32.weightBytes).toBeGreaterThan(3 * j.weightBytes);
  });

  it('text output names the board, latency, features, battery when known', async () => {
    const r = await run('--spec', SPEC, '--board', 'nucleo-l4r5zi', '--runtime', 'vendor');
    expect(r.code).toBe(0);
    const text = r.out.join('\n');
    expect(text).toMatch(/NUCLEO-L4R5ZI/);
    expect(text).toMatch(/features .* per 20 ms hop; duty cycle/);
    expect(text).toMatch(/battery  CR2032/);
  });

  it('refuses bad input with one line and a non-zero exit', async () => {
    const cases: string[][] = [
      ['--spec', SPEC],
      ['--spec', SPEC, '--board', 'pico', '--core', 'cortex-m4'],
      ['--spec', SPEC, '--core', 'cortex-m9', '--clock-mhz', '100', '--sram-kb', '10', '--flash-kb', '10'],
      ['--spec', SPEC, '--core', 'cortex-m4', '--clock-mhz', '100', '--sram-kb', '10'],
      ['--spec', SPEC, '--board', 'pico', '--runtime', 'tvm'],
      ['--spec', SPEC, '--board', 'pico', '--dtype', 'int4'],
      ['--spec', SPEC, '--board', 'pico', '--interval-ms', '-5'],
      ['--spec', SPEC, '--board', 'pico', '--power-mw', '5'],
      ['--spec', SPEC, '--board', 'alif-e7'],
    ];
    for (const c of cases) {
      const r = await run(...c);
      expect(r.code, c.join(' ')).not.toBe(0);
      expect(r.err.length, c.join(' ')).toBe(1);
    }
  });
});
