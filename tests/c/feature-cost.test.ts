/**
 * featureCostPerHop against a fresh measurement: instructions per hop of earshot_features under
 * qemu-system-arm (Cortex-M4F, -Os), counted exactly by the insn-count TCG plugin of
 * tools/qemu-insn, and cycles from the executed instruction mix. The estimate is a fit of such
 * measurements; this keeps it honest when features.h changes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { featureShape } from '../../src/core/dsp/feature-config.ts';
import { featureCostPerHop } from '../../src/core/dsp/feature-cost.ts';
import { featurePreset } from '../../src/core/dsp/feature-presets.ts';
import { featuresCSource } from '../../src/core/export/c-features.ts';
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

describe.skipIf(!ready)('featureCostPerHop vs qemu instruction counts (Cortex-M4F)', () => {
  for (const name of ['earshot', 'low-power-8k'] as const) {
    it(`${name}: estimate within 4% of the measured instructions and cycles per hop`, async () => {
      const q = await import(TOOL);
      const dir = mkdtempSync(join(tmpdir(), 'earshot-feature-cost-'));
      try {
        const config = featurePreset(name).config;
        const src = join(dir, 'm.c');
        writeFileSync(src, program(config));
        const build = q.CORE_BUILDS['cortex-m4f'];
        const elf = q.buildElf(dir, 'm', [src], build);
        const plugin = q.buildPlugin();
        const run = q.countInsns(elf, build, '1', plugin, { hist: true });
        const dry = q.countInsns(elf, build, '0', plugin, { hist: true });
        const frames = featureShape(config).frames;
        const insns = (run.insns - dry.insns) / frames;
        const cycles = q.histCycles(q.diffHist(run.hist, dry.hist), q.disassembly(elf), 'm4') / frames;
        const est = featureCostPerHop(config);
        expect(insns).toBeGreaterThan(10000);
        expect(Math.abs(est.instructions - insns) / insns).toBeLessThan(0.04);
        expect(Math.abs(est.cycles - cycles) / cycles).toBeLessThan(0.04);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 120_000);
  }
});
