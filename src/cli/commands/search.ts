import { EarshotError } from '../../core/errors.ts';
import { FEATURE_PRESET_NAMES, RECOMMENDED_FEATURE_PRESET } from '../../core/dsp/feature-presets.ts';
import { parseNamePattern } from '../../core/dataset/name-pattern.ts';
import { getBoard } from '../../core/mcu/boards.ts';
import { getRuntime } from '../../core/mcu/estimate.ts';
import { RUNTIME_IDS } from '../../core/mcu/types.ts';
import { withSpeakers } from '../../core/pipeline/train-pipeline.ts';
import { planSearch, search, type SearchRow } from '../../core/search/search.ts';
import type { SearchBudget } from '../../core/search/budget.ts';
import { choice, flag, int, required, str } from '../args.ts';
import type { Command } from '../command.ts';
import { featureConfigOption } from '../feature-options.ts';
import { absolute, readDataDir, writeModelDir } from '../files.ts';
import { initNodeTf, NODE_BACKENDS } from '../node-tf.ts';

function num(values: Record<string, unknown>, name: string): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const v = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(v) || v <= 0) throw new EarshotError('cli/usage', `--${name} must be a positive number, got ${JSON.stringify(raw)}`);
  return v;
}

const clock = (ms: number): string => {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

const pct = (x: number | undefined): string => (x === undefined || Number.isNaN(x) ? 'n/a' : `${(x * 100).toFixed(1)}%`);

function rowJson(r: SearchRow) {
  const { candidate: c } = r;
  return {
    index: r.index, id: c.id, preset: c.preset, width: c.width, depth: c.depth, dropout: c.dropout, features: c.features.config, status: r.status,
    ...(r.fit ? { fit: r.fit } : {}), ...(r.reasons.length ? { reasons: r.reasons } : {}),
    ...(r.valAccuracy !== undefined ? { valAccuracy: Number.isNaN(r.valAccuracy) ? null : r.valAccuracy } : {}), ...(r.trainMs !== undefined ? { trainMs: r.trainMs } : {}),
  };
}

export const searchCommand: Command = {
  name: 'search',
  summary: 'find the most accurate model that fits a board',
  help: `usage: earshot search --data DIR --board ID [--runtime R] [--minutes N] [--arena-kb N] [--latency-ms N]
                      [--flash-kb N] [--seed N] [--features FILE | --features-preset NAME]
                      [--speaker-pattern PATTERN] [--rank-epochs N] [--final-epochs N] [--early-stop N] [--backend wasm|cpu]
                      --out MODEL [--json]

Proposes networks (presets × width, depth, dropout) and feature settings (hop, mel bands), drops
every one the estimator says does not fit the board and budgets (int8, as \`earshot fit\`),
ranks the rest by short training runs scored on speakers held out of training, and trains the
most accurate one (ties: lower latency) again with more epochs. Prints the Pareto front
(accuracy vs latency and arena) and writes the chosen model as \`earshot train --out\` does.
  --data DIR       clips, <label>/<speaker>_<n>.wav (at least 2 speakers; see --speaker-pattern)
  --board ID       see \`earshot boards\`
  --runtime ID     ${RUNTIME_IDS.join(', ')} (default earshot-c)
  --minutes N      time for the ranking runs (default 5; decimals allowed); no new run starts
                   once the average run would pass it. The final run comes after.
  --arena-kb N     largest tensor arena (default: what the board's RAM holds)
  --latency-ms N   largest latency per inference, model plus the window's features (default: the window length)
  --flash-kb N     largest flash use (default: the board's flash)
  --seed N         default 1: the same seed gives the same candidates in the same order
  --features FILE  the base FeatureConfig JSON (default: the ${RECOMMENDED_FEATURE_PRESET} preset, as the page)
  --features-preset NAME  ${FEATURE_PRESET_NAMES.join(' | ')} instead of --features
  --speaker-pattern PATTERN  how file names give the speaker (see \`earshot train --help\`)
  --rank-epochs N  epochs of each ranking run (default 4)
  --final-epochs N epochs of the final run (default 30)
  --early-stop N   final run: stop after N epochs without a better validation loss and keep the
                   best epoch (chosen on the held-out speakers, so its accuracy is then optimistic)
  --backend NAME   wasm (default) or cpu
  --out MODEL      the model folder to write
  --json           one JSON document: counts, chosen, front and every candidate row`,
  options: {
    data: { type: 'string' },
    board: { type: 'string' },
    runtime: { type: 'string' },
    minutes: { type: 'string' },
    'arena-kb': { type: 'string' },
    'latency-ms': { type: 'string' },
    'flash-kb': { type: 'string' },
    seed: { type: 'string' },
    features: { type: 'string' },
    'features-preset': { type: 'string' },
    'speaker-pattern': { type: 'string' },
    'rank-epochs': { type: 'string' },
    'final-epochs': { type: 'string' },
    'early-stop': { type: 'string' },
    backend: { type: 'string' },
    out: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run({ values }, io) {
    const data = required(values, 'data');
    const out = required(values, 'out');
    const board = getBoard(required(values, 'board'));
    const runtime = getRuntime(str(values, 'runtime') ?? 'earshot-c').id;
    const minutes = num(values, 'minutes') ?? 5;
    const arenaKb = num(values, 'arena-kb');
    const latencyMs = num(values, 'latency-ms');
    const flashKb = num(values, 'flash-kb');
    const budget: SearchBudget = {
      ...(arenaKb !== undefined ? { arenaBytes: arenaKb * 1024 } : {}),
      ...(latencyMs !== undefined ? { latencyMs } : {}),
      ...(flashKb !== undefined ? { flashBytes: flashKb * 1024 } : {}),
    };
    const seed = int(values, 'seed', 1, 0, 2 ** 31 - 1);
    const rankEpochs = int(values, 'rank-epochs', 4, 1, 1000);
    const finalEpochs = int(values, 'final-epochs', 30, 1, 1000);
    const patience = int(values, 'early-stop', 0, 0, 1000);
    const backendWanted = choice(values, 'backend', NODE_BACKENDS, 'wasm');
    const featureConfig = featureConfigOption(values);
    const speakerPattern = str(values, 'speaker-pattern');
    if (speakerPattern !== undefined) parseNamePattern(speakerPattern);
    const clips = withSpeakers(readDataDir(data, featureConfig, (l) => io.err(`warning: ${l}`)), speakerPattern);
    const request = { clips, featureConfig, board, runtime, budget, minutes, seed, rankEpochs, finalEpochs, ...(patience > 0 ? { finalPatience: patience } : {}), backend: backendWanted as string };
    planSearch(request); // bad budgets, too few speakers or nothing that fits fail before tfjs loads
    const backend = await initNodeTf(backendWanted);
    io.err(`searching on ${clips.length} clips for ${board.name} (${runtime}, ${backend} backend, ${minutes} min)`);
    const r = await search({
      ...request,
      backend,
      onProgress: (p) => io.err(p.phase === 'rank'
        ? `candidate ${p.index}/${p.total}  elapsed ${clock(p.elapsedMs)}  eta ${clock(p.etaMs)}  ${p.candidate.id}`
        : `final run (${finalEpochs} epochs, about ${clock(p.etaMs)}): ${p.candidate.id}`),
      onEpoch: (p) => io.err(`epoch ${p.epoch}/${p.epochs}  loss ${p.loss.toFixed(4)}  acc ${p.acc.toFixed(3)}${p.valAcc === undefined ? '' : `  val_acc ${p.valAcc.toFixed(3)}`}`),
    });
    const artifact = r.artifact;
    artifact.training = { ...artifact.training!, dataDir: absolute(data) };
    writeModelDir(out, artifact);
    const chosen = r.rows[r.chosen]!;
    const finalAcc = artifact.training.valAccuracy;
    if (flag(values, 'json')) {
      io.out(JSON.stringify({
        model: out, board: r.board, runtime: r.runtime, budget: r.budget, seed: r.seed, minutes, counts: r.counts, rankMs: r.rankMs, finalMs: r.finalMs,
        chosen: { ...rowJson(chosen), finalValAccuracy: Number.isNaN(finalAcc) ? null : finalAcc, epochsRun: artifact.training.epochsRun, bestEpoch: artifact.training.bestEpoch, heldOut: artifact.training.heldOut ?? [] },
        front: r.front.map((i) => rowJson(r.rows[i]!)),
        rows: r.rows.map(rowJson),
      }));
      return;
    }
    const c = r.counts;
    io.out(`${c.candidates} candidates: ${c.rejected} do not fit, ${c.trained} trained, ${c.skipped} skipped (time budget)`);
    io.out(`Pareto front (accuracy on held-out speakers after ${rankEpochs} epochs; latency = model + window features):`);
    io.out(`  ${'#'.padStart(4)}  ${'network'.padEnd(30)}${'features'.padEnd(22)}${'acc'.padStart(7)}${'latency'.padStart(11)}${'arena'.padStart(10)}${'flash'.padStart(10)}`);
    for (const i of r.front) {
      const row = r.rows[i]!;
      const [net, feat] = row.candidate.id.split(' | ');
      io.out(`${i === r.chosen ? '*' : ' '} ${String(i).padStart(4)}  ${net!.padEnd(30)}${feat!.padEnd(22)}${pct(row.valAccuracy).padStart(7)}${`${row.fit!.latencyMs.toFixed(1)} ms`.padStart(11)}${`${(row.fit!.arenaBytes / 1024).toFixed(1)} KB`.padStart(10)}${`${(row.fit!.flashBytes / 1024).toFixed(1)} KB`.padStart(10)}`);
    }
    const t = artifact.training;
    const epochsText = t.bestEpoch !== undefined && t.bestEpoch !== t.epochsRun ? `best epoch ${t.bestEpoch} of ${t.epochsRun}` : `${t.epochsRun ?? finalEpochs} epochs`;
    const held = artifact.training.heldOut ?? [];
    io.out(held.length
      ? `wrote ${out}: ${chosen.candidate.id}; ${epochsText}, accuracy ${pct(finalAcc)} on held-out speakers ${held.join(', ')}`
      : `wrote ${out}: ${chosen.candidate.id}; ${epochsText} on every speaker (${pct(chosen.valAccuracy)} on held-out speakers in its ranking run)`);
  },
};
