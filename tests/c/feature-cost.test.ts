/**
 * featureHopCost against a fresh measurement: instructions per hop of earshot_features over a whole
 * clip (the presets' full 1 s, while scripts/fit-costs.ts fits on short clips) under
 * qemu-system-arm (-Os), counted exactly by the insn-count TCG plugin of tools/qemu-insn, and
 * cycles from the executed instruction mix. The estimate is a fit of such measurements; this keeps
 * it honest when features.h or the fit changes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { featureShape } from '../../src/core/dsp/feature-config.ts';
import { featurePreset } from '../../src/core/dsp/feature-presets.ts';
import { featuresCSource } from '../../src/core/export/c-features.ts';
import { featureHopCost } from '../../src/core/mcu/earshot-costs.ts';
import type { CoreId } from '../../src/core/mcu/types.ts';
import { requireTool } from './helpers/gcc.ts';

const TOOL = join(import.meta.dirname, '..', '..', 'tools', 'qemu-insn', 'insn-count.ts');
const ready = requireTool('arm-none-eabi-gcc') && requireTool('qemu-system-arm') && requireTool('gcc');

function program(config: ReturnType<typeof featurePreset>['config']): string {
  return `${featuresCSource(config, { scale: 0.1, zeroPoint: 0 })}
static int16_t pcm[EARSHOT_INPUT_SAMPLES];
static int8_t feat[EARSHOT_FEATURE_COUNT];
int main(int argc, char **argv) {
  unsigned s = 1u; int i;
  for (i = 0; i < EARSHOT_INPUT_SAMPLES; i++) { s = s * 1664525u + 1013904223u; pcm[i] = (int16_t)(s >> 16); }
  if (argc > 1 && argv[1][0] == '1') earshot_features(pcm, feat);
  return feat[3] == 99 ? 1 : 0;
}
`;
}

const CASES: Array<[CoreId, 'earshot' | 'low-power-8k' | 'speech-8k']> = [
  ['cortex-m4f', 'earshot'],
  ['cortex-m4f', 'low-power-8k'],
  ['cortex-m4f', 'speech-8k'], // with the per-clip normalisation over its 41 frames
  ['cortex-m0plus', 'low-power-8k'],
];

describe.skipIf(!ready)('featureHopCost vs qemu instruction counts', () => {
  for (const [core, name] of CASES) {
    it(`${core}, ${name}: estimate within 4% of the measured instructions and cycles per hop`, async () => {
      const q = await import(TOOL);
      const dir = mkdtempSync(join(tmpdir(), 'earshot-feature-cost-'));
      try {
        const config = featurePreset(name).config;
        const src = join(dir, 'm.c');
        writeFileSync(src, program(config));
        const build = q.CORE_BUILDS[core];
        const elf = q.buildElf(dir, 'm', [src], build);
        const plugin = q.buildPlugin();
        const run = q.countInsns(elf, build, '1', plugin, { hist: true });
        const dry = q.countInsns(elf, build, '0', plugin, { hist: true });
        const frames = featureShape(config).frames;
        const insns = (run.insns - dry.insns) / frames;
        const cycles = q.histCycles(q.diffHist(run.hist, dry.hist), q.disassembly(elf), q.timingModelOf(core)) / frames;
        const est = featureHopCost(core, core !== 'cortex-m0plus', config);
        console.log(`${core} ${name}: measured ${insns.toFixed(0)} insns, ${cycles.toFixed(0)} cycles per hop; estimate ${est.instructions.toFixed(0)}, ${est.cycles.toFixed(0)}`);
        expect(insns).toBeGreaterThan(10000);
        expect(Math.abs(est.instructions - insns) / insns).toBeLessThan(0.04);
        expect(Math.abs(est.cycles - cycles) / cycles).toBeLessThan(0.04);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 120_000);
  }
});
