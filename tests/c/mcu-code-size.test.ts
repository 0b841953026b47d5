/**
 * The code-size table matches a fresh compile (arm-none-eabi-gcc -Os, arm-none-eabi-size) for two
 * cores, and the estimator's earshot-c runtime flash uses it.
 */
import { describe, expect, it } from 'vitest';
import { CODE_SIZE } from '../../src/core/mcu/code-size.generated.ts';
import { earshotCodeBytes } from '../../src/core/mcu/code-size.ts';
import { getRuntime } from '../../src/core/mcu/runtimes.ts';
import { measureCodeSize } from '../../scripts/code-size.ts';
import { requireTool } from './helpers/gcc.ts';

describe.skipIf(!requireTool('arm-none-eabi-gcc'))('Earshot C code size', () => {
  it('table == fresh arm-none-eabi-gcc -Os compile (M0+, M4F)', () => {
    const fresh = measureCodeSize(process.cwd(), ['cortex-m0plus', 'cortex-m4f']);
    for (const core of ['cortex-m0plus', 'cortex-m4f'] as const) {
      expect(fresh[core], `${core}: run npx tsx scripts/code-size.ts`).toEqual(CODE_SIZE[core]);
      // Plausibility: every kernel is real code (> 100 B), the whole runtime stays under 8 KB.
      for (const v of Object.values(fresh[core]!.kernelBytes)) expect(v).toBeGreaterThan(100);
      expect(earshotCodeBytes(core, new Set(Object.keys(fresh[core]!.kernelBytes)), 10)).toBeLessThan(8192);
    }
  });

  it('runtime flash counts only the kernels a model uses', () => {
    const rt = getRuntime('earshot-c');
    const dense = rt.codeFlashBytes('cortex-m4f', new Set(['dense']), 1);
    const convDense = rt.codeFlashBytes('cortex-m4f', new Set(['conv2d', 'dense']), 2);
    expect(convDense - dense).toBe(CODE_SIZE['cortex-m4f']!.kernelBytes.conv! + CODE_SIZE['cortex-m4f']!.callSiteBytes);
  });
});
