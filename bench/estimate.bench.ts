/**
 * Speed of estimate() (and of suggest(), which re-estimates modified specs) on the MLPerf Tiny KWS
 * DS-CNN and the tiny-conv preset, against analyzeSpec() of the same spec as the peer measured in
 * the same run.   npx tsx bench/estimate.bench.ts
 */
import { readFileSync } from 'node:fs';
import { analyzeSpec } from '../src/core/model/analyze.ts';
import { presetSpec } from '../src/core/model/presets.ts';
import type { ModelSpec } from '../src/core/model/spec.ts';
import { getBoard } from '../src/core/mcu/boards.ts';
import { estimate } from '../src/core/mcu/estimate.ts';
import { suggest } from '../src/core/mcu/suggest.ts';

function perCallUs(fn: () => unknown, minMs = 300): number {
  for (let i = 0; i < 50; i++) fn();
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < minMs) {
    fn();
    n++;
  }
  return ((performance.now() - t0) * 1000) / n;
}

const specs: Record<string, ModelSpec> = {
  'kws-ds-cnn': JSON.parse(readFileSync(new URL('../tests/fixtures/specs/mlperf-kws-ds-cnn.json', import.meta.url), 'utf8')) as ModelSpec,
  'tiny-conv': presetSpec('tiny-conv', [49, 40, 1], 3),
};
const board = getBoard('nano33ble');
for (const [name, spec] of Object.entries(specs)) {
  const a = analyzeSpec(spec);
  const analyze = perCallUs(() => analyzeSpec(spec));
  const est = perCallUs(() => estimate(a, board));
  const sug = perCallUs(() => suggest(a, board), 500);
  console.log(`${name.padEnd(12)} estimate ${est.toFixed(1).padStart(7)} µs (${(est / analyze).toFixed(2)}× analyzeSpec ${analyze.toFixed(1)} µs)   suggest ${(sug / 1000).toFixed(2)} ms`);
}
