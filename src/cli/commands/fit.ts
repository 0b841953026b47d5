import { EarshotError } from '../../core/errors.ts';
import { analyzeSpec } from '../../core/model/analyze.ts';
import { customBoard, getBoard } from '../../core/mcu/boards.ts';
import { estimate } from '../../core/mcu/estimate.ts';
import type { Board, RuntimeId } from '../../core/mcu/types.ts';
import { choice, flag, int, str } from '../args.ts';
import type { Command } from '../command.ts';
import { readJson, readModelDir } from '../files.ts';

function num(values: Record<string, unknown>, name: string): number {
  const raw = values[name];
  const v = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(v) || v <= 0) throw new EarshotError('cli/usage', `--${name} must be a positive number, got ${JSON.stringify(raw)}`);
  return v;
}

function formatHours(h: number): string {
  return h >= 48 ? `${(h / 24).toFixed(1)} days` : `${h.toFixed(1)} hours`;
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

export const fitCommand: Command = {
  name: 'fit',
  summary: 'estimate flash, RAM and latency on a Cortex-M board',
  help: `usage: earshot fit (--model MODEL | --spec FILE) (--board ID | --core ID --clock-mhz N --sram-kb N --flash-kb N)
                   [--power-mw N] [--runtime ID] [--dtype int8|float32] [--interval-ms N] [--json]

  --model MODEL    a model folder (its spec and features are used)
  --spec FILE      a ModelSpec JSON (no training needed)
  --board ID       see \`earshot boards\`
  --core ID ...    a custom board instead: core, clock, SRAM and flash
                   (cores: cortex-m0plus, cortex-m3, cortex-m4, cortex-m4f, cortex-m7, cortex-m33, cortex-m55, cortex-m85)
  --power-mw N     the custom board's active power (energy and battery life)
  --interval-ms N  run the model every N ms while streaming (default: once per clip length)
  --runtime ID     earshot-c (default), earshot-simd, tflm-cmsis-nn, tflm-reference, vendor
  --dtype          int8 (default) or float32
  --json           latencyMs, cycles, arenaBytes, flashBytes, ramBytes, fits, per-layer rows,
                   features (per hop), dutyCycle and power (energy, battery life) when known`,
  options: {
    model: { type: 'string' },
    spec: { type: 'string' },
    board: { type: 'string' },
    core: { type: 'string' },
    'clock-mhz': { type: 'string' },
    'sram-kb': { type: 'string' },
    'flash-kb': { type: 'string' },
    'power-mw': { type: 'string' },
    'interval-ms': { type: 'string' },
    runtime: { type: 'string' },
    dtype: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run({ values }, io) {
    const modelDir = str(values, 'model');
    const specPath = str(values, 'spec');
    if (!modelDir === !specPath) throw new EarshotError('cli/usage', 'give exactly one of --model or --spec');
    const artifact = modelDir ? readModelDir(modelDir) : undefined;
    const analysis = analyzeSpec(artifact ? artifact.spec : readJson(specPath!));
    const boardId = str(values, 'board');
    const core = str(values, 'core');
    if (!boardId === !core) throw new EarshotError('cli/usage', 'give --board ID, or --core with --clock-mhz, --sram-kb and --flash-kb');
    const board: Board = boardId
      ? getBoard(boardId)
      : customBoard({
          core: core as Board['core'],
          clockMhz: int(values, 'clock-mhz', 0, 1, 2000),
          sramKb: int(values, 'sram-kb', 0, 1, 1 << 20),
          flashKb: int(values, 'flash-kb', 0, 1, 1 << 22),
          ...(str(values, 'power-mw') !== undefined ? { activePowerMw: num(values, 'power-mw') } : {}),
        });
    if (boardId && str(values, 'power-mw') !== undefined) throw new EarshotError('cli/usage', '--power-mw describes a custom board (--core ...), not --board');
    const dtype = choice(values, 'dtype', ['int8', 'float32'] as const, 'int8');
    const runtime = str(values, 'runtime') as RuntimeId | undefined;
    const intervalMs = str(values, 'interval-ms') !== undefined ? num(values, 'interval-ms') : undefined;
    const r = estimate(analysis, board, { runtime, dtype, ...(artifact ? { featureConfig: artifact.featureConfig } : {}), ...(intervalMs !== undefined ? { inferenceIntervalMs: intervalMs } : {}) });
    if (flag(values, 'json')) {
      io.out(JSON.stringify(r));
      return;
    }
    io.out(`${r.board.name} (${r.board.core} @ ${r.board.clockMhz} MHz), runtime ${r.runtime}, ${r.dtype}`);
    io.out(`latency  ${r.latencyMs.toFixed(2)} ms (${Math.round(r.cycles)} cycles)`);
    io.out(`flash    ${kb(r.flashBytes)} of ${kb(r.board.flashBytes)}  ${r.fits.flash ? 'fits' : 'DOES NOT FIT'}`);
    io.out(`ram      ${kb(r.ramBytes)} of ${kb(r.board.sramBytes)} (arena ${kb(r.arenaBytes)})  ${r.fits.ram ? 'fits' : 'DOES NOT FIT'}`);
    io.out(`fits     ${r.fits.all ? 'yes' : 'no'}`);
    io.out(`features ${r.features.hopComputeMs.toFixed(3)} ms per ${r.features.hopMs} ms hop; duty cycle ${(r.dutyCycle * 100).toFixed(1)}%${r.dutyCycle > 1 ? ' (cannot keep up)' : ''}`);
    if (r.power) {
      io.out(`energy   ${r.power.energyPerInferenceUj.toFixed(1)} uJ per inference, average ${r.power.averagePowerMw.toFixed(2)} mW`);
      for (const b of r.power.batteries) io.out(`battery  ${b.name}: ${formatHours(b.hours)}`);
    }
    for (const n of r.notes) io.out(`note     ${n}`);
    io.out('layer'.padEnd(28) + 'type'.padEnd(24) + 'MACs'.padStart(12) + 'ms'.padStart(10));
    for (const l of r.layers) io.out(l.name.padEnd(28) + l.type.padEnd(24) + String(l.macs).padStart(12) + l.latencyMs.toFixed(3).padStart(10));
  },
};
