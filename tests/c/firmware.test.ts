/**
 * Firmware proof on real Cortex-M cores: the generated header of realistic models (the tiny-conv
 * and ds-cnn-s presets on the default 49x40 log-mel input, seeded weights, int8) builds with
 * arm-none-eabi-gcc for cortex-m0plus, cortex-m4 (hard float), cortex-m7 and cortex-m33 with
 * -Wall -Wextra -Werror, and P_self_test() returns 0 under QEMU with semihosting
 * (M4: mps2-an386, M7: mps2-an500, M33: mps2-an505; the M0+ build, ARMv6-M code, runs on the
 * ARMv7-M mps2-an385 M3 since QEMU has no MPS2 board with an M0+), with the ACLE SIMD kernels
 * on (default where __ARM_FEATURE_DSP) and forced off (-DP_NO_SIMD).
 * arm-none-eabi-size of the firmware object (features + network + weights, no test vectors,
 * no libc) is printed per core and preset.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { validateFeatureConfig } from '../../src/core/dsp/feature-config.ts';
import { generateCHeader } from '../../src/core/export/c-header.ts';
import { presetSpec } from '../../src/core/model/presets.ts';
import { compileC, requireTool, STRICT_C_FLAGS } from './helpers/gcc.ts';
import { seededQuantizedModel } from './helpers/model-fixtures.ts';
import { ARM_CC, armSize, compileArm, disassemble, QEMU_ARM, runQemu, type ArmBoardName, type SizeFigures } from './helpers/qemu.ts';

const CONFIG = validateFeatureConfig({});

interface Core {
  cpu: string;
  flags: string[];
  board: ArmBoardName;
  /** Has the DSP extension (SMLAD, SXTB16). */
  dsp: boolean;
}

const CORES: Core[] = [
  { cpu: 'cortex-m0plus', flags: ['-mcpu=cortex-m0plus', '-mfloat-abi=soft'], board: 'mps2-an385', dsp: false },
  { cpu: 'cortex-m4', flags: ['-mcpu=cortex-m4', '-mfloat-abi=hard', '-mfpu=fpv4-sp-d16'], board: 'mps2-an386', dsp: true },
  { cpu: 'cortex-m7', flags: ['-mcpu=cortex-m7', '-mfloat-abi=hard', '-mfpu=fpv5-d16'], board: 'mps2-an500', dsp: true },
  { cpu: 'cortex-m33', flags: ['-mcpu=cortex-m33', '-mfloat-abi=hard', '-mfpu=fpv5-sp-d16'], board: 'mps2-an505', dsp: true },
];
const FIRMWARE_FLAGS = ['-mthumb', '-Os', ...STRICT_C_FLAGS];

const PRESETS = ['tiny-conv', 'ds-cnn-s'] as const;
const models = PRESETS.map((name, i) => {
  const { artifact } = seededQuantizedModel(presetSpec(name, [49, 40, 1], 4), CONFIG, 101 + i, { calibrationClips: 8, clips: 0 });
  const prefix = name === 'tiny-conv' ? 'kws' : 'dscnn';
  // one test vector keeps the emulated runs short (ds-cnn-s is ~5.6 M MACs an inference)
  return { name, prefix, header: generateCHeader(artifact, { prefix, maxTestVectors: 1, generator: 'earshot firmware test' }) };
});

const sizes: string[] = [];
afterAll(() => {
  if (sizes.length > 0) console.log(`arm-none-eabi-size (-Os, firmware object: features + int8 network + weights)\n${sizes.join('\n')}`);
});

const mainC = (p: string) => `#include <stdio.h>
#include "model.h"
int main(void) {
  int r = ${p}_self_test();
  printf("self_test %d simd %d\\n", r, ${p.toUpperCase()}_SIMD);
  return r;
}
`;
const firmwareC = (p: string) => `#include "model.h"
int firmware_classify(const int16_t *pcm, int8_t *scores);
int firmware_classify(const int16_t *pcm, int8_t *scores) { return ${p}_classify(pcm, scores); }
`;

describe.skipIf(!requireTool(ARM_CC) || !requireTool(QEMU_ARM))('firmware header on Cortex-M (arm-none-eabi-gcc, QEMU)', () => {
  for (const m of models) {
    for (const core of CORES) {
      it(`${m.name} on ${core.cpu}: -Wall -Wextra -Werror build; self-test 0 under QEMU ${core.board}${core.dsp ? ', SIMD on and off' : ''}`, () => {
        const flags = [...core.flags, ...FIRMWARE_FLAGS];
        // the firmware object a user links: its size, and which kernels it contains
        const obj = compileC(firmwareC(m.prefix), { compiler: ARM_CC, flags: [...flags, '-c'], files: { 'model.h': m.header } });
        let size: SizeFigures;
        try {
          expect(obj.stderr).toBe('');
          size = armSize(obj.exe);
          const asm = disassemble(obj.exe);
          expect(/\bsmlad\b/.test(asm), 'SMLAD in the firmware object').toBe(core.dsp);
        } finally {
          obj.cleanup();
        }
        sizes.push(`  ${m.name.padEnd(9)} ${core.cpu.padEnd(13)} text ${String(size.textBytes).padStart(7)}  data ${String(size.dataBytes).padStart(5)}  bss ${String(size.bssBytes).padStart(6)}`);
        expect(size.textBytes).toBeGreaterThan(1000);

        for (const simd of core.dsp ? [true, false] : [false]) {
          const built = compileArm(mainC(m.prefix), {
            board: core.board,
            flags: [...flags, ...(simd ? [] : [`-D${m.prefix.toUpperCase()}_NO_SIMD`])],
            files: { 'model.h': m.header },
          });
          try {
            expect(built.stderr).toBe('');
            const run = runQemu(built.exe, { board: core.board, timeoutMs: 60_000 });
            expect(run.stdout.trim()).toBe(`self_test 0 simd ${simd ? 1 : 0}`);
            expect(run.exitCode).toBe(0);
          } finally {
            built.cleanup();
          }
        }
      });
    }
  }

  it('negative control: a SIMD kernel that ignores the input zero point fails the self-test on the M4', () => {
    const m = models[1]!;
    const broken = m.header.replace('__sxtab16(offset, (int32_t)xw)', '__sxtab16(0, (int32_t)xw)');
    expect(broken).not.toBe(m.header);
    const built = compileArm(mainC(m.prefix), { board: 'mps2-an386', flags: ['-mcpu=cortex-m4', '-mfloat-abi=hard', '-mfpu=fpv4-sp-d16', ...FIRMWARE_FLAGS], files: { 'model.h': broken } });
    try {
      const run = runQemu(built.exe, { board: 'mps2-an386', timeoutMs: 60_000 });
      expect(run.stdout.trim()).toBe('self_test 1 simd 1');
    } finally {
      built.cleanup();
    }
  });
});
