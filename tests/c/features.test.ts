/**
 * The C feature extractor (featuresCSource → features.h) gives IDENTICAL float log-mel and int8
 * features to the TypeScript, for every golden clip and every preset (+ an odd config), built with
 * strict flags and with FMA contraction allowed on the command line (the header's pragma must
 * keep it off).
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { loadGolden } from '../reference/fixtures.ts';
import { compileC, requireTool, runProgram, STRICT_C_FLAGS } from './helpers/gcc.ts';
import { differences, featuresProgram, parseFeaturesOutput, tsOutputs } from './helpers/features-program.ts';
import { ARM_CC, compileArm, CORTEX_M4F_FLAGS, disassemble, QEMU_ARM, runQemu } from './helpers/qemu.ts';

const golden = loadGolden();
// An input quantization per config (as a calibrated model would have), using most of int8.
const inputs = {
  earshot: { scale: 0.0937, zeroPoint: 21 },
  'micro-speech': { scale: 0.0902, zeroPoint: 18 },
  'edge-impulse-mfe': { scale: 0.1003, zeroPoint: 30 },
  'low-power-8k': { scale: 0.0853, zeroPoint: 10 },
  'speech-8k': { scale: 0.0521, zeroPoint: -20 },
  narrow: { scale: 0.0811, zeroPoint: 14 },
  'floor-only': { scale: 0.0402, zeroPoint: -60 },
} as const;

// [name, compiler, flags]. The C++ build stands for Arduino sketches (compiled as C++).
const builds: Array<[string, string, string[]]> = [
  ['strict -O2', 'gcc', ['-O2', ...STRICT_C_FLAGS]],
  ['-O2 -ffp-contract=fast -march=native', 'gcc', ['-O2', '-ffp-contract=fast', '-march=native', '-Wall', '-Wextra', '-Werror']],
  ['strict -O0', 'gcc', ['-O0', ...STRICT_C_FLAGS]],
  ['as C++11, -O2 -ffp-contract=fast', 'g++', ['-x', 'c++', '-std=c++11', '-O2', '-ffp-contract=fast', '-march=native', '-Wall', '-Wextra', '-Wdouble-promotion', '-Wfloat-conversion', '-Werror']],
];

describe.skipIf(!requireTool('gcc') || !requireTool('g++'))('C features == TypeScript features (host gcc)', () => {
  for (const [cname, config] of Object.entries(golden.configs)) {
    const clips = golden.clips.filter((c) => c.config === cname);
    const input = inputs[cname as keyof typeof inputs];
    const expected = tsOutputs(config, input, clips.map((c) => c.pcm));
    const program = featuresProgram(config, input, clips.map((c) => c.pcm));
    // Every config with the two -O2 builds; all four builds for the default config.
    for (const [bname, compiler, flags] of cname === 'earshot' ? builds : builds.slice(0, 2)) {
      it(`${cname} config, ${clips.length} clips, ${compiler} ${bname}`, () => {
        const built = compileC(program, { compiler, flags });
        try {
          expect(built.stderr).toBe('');
          const run = runProgram(built.exe);
          expect(run.exitCode).toBe(0);
          const got = parseFeaturesOutput(run.stdout, config, clips.length);
          clips.forEach((clip, i) => {
            expect(differences(got[i].features, expected[i].features), `int8 features of ${clip.name}`).toEqual([]);
            expect(differences(got[i].logMel, expected[i].logMel), `log-mel of ${clip.name}`).toEqual([]);
          });
          // The quantized features use most of the int8 range (the test is not trivially all-clamped).
          const all = expected.flatMap((e) => Array.from(e.features));
          expect(new Set(all).size).toBeGreaterThan(100);
        } finally {
          built.cleanup();
        }
      });
    }
  }

  it('negative control: without the header\'s pragma, -ffp-contract=fast on an FMA host changes the results', () => {
    const cname = 'earshot';
    const config = golden.configs[cname];
    const clips = golden.clips.filter((c) => c.config === cname);
    const expected = tsOutputs(config, inputs.earshot, clips.map((c) => c.pcm));
    const pragma = '#pragma GCC optimize("fp-contract=off")';
    const program = featuresProgram(config, inputs.earshot, clips.map((c) => c.pcm));
    expect(program).toContain(pragma);
    const built = compileC(program.replace(pragma, ''), { flags: ['-O2', '-ffp-contract=fast', '-march=native'] });
    try {
      const fused = spawnSync('objdump', ['-d', built.exe], { encoding: 'utf8', maxBuffer: 64 << 20 }).stdout.match(/vfn?m(add|sub)/g) ?? [];
      if (fused.length === 0) return; // no FMA on this CPU: nothing to contract, nothing to show
      const got = parseFeaturesOutput(runProgram(built.exe).stdout, config, clips.length);
      const changed = clips.reduce((n, _, i) => n + differences(got[i].logMel, expected[i].logMel, 1e9).length, 0);
      expect(changed).toBeGreaterThan(0);
    } finally {
      built.cleanup();
    }
  });
});

describe.skipIf(!requireTool(ARM_CC) || !requireTool(QEMU_ARM))('C features == TypeScript features (Cortex-M4F under QEMU)', () => {
  for (const [cname, config] of Object.entries(golden.configs)) {
    const clips = golden.clips.filter((c) => c.config === cname);
    const input = inputs[cname as keyof typeof inputs];
    it(`${cname} config, ${clips.length} clips, arm-none-eabi-gcc ${CORTEX_M4F_FLAGS.join(' ')}, mps2-an386`, () => {
      const expected = tsOutputs(config, input, clips.map((c) => c.pcm));
      const built = compileArm(featuresProgram(config, input, clips.map((c) => c.pcm)));
      try {
        expect(built.stderr).toBe('');
        // GNU C default (no -std) contracts a*b+c into vfma: the header's pragma must prevent it.
        expect(disassemble(built.exe).match(/\bvfn?m[as]\b/g) ?? []).toEqual([]);
        const run = runQemu(built.exe, { machine: 'mps2-an386', cpu: 'cortex-m4' });
        expect(run.exitCode).toBe(0);
        const got = parseFeaturesOutput(run.stdout, config, clips.length);
        clips.forEach((clip, i) => {
          expect(differences(got[i].features, expected[i].features), `int8 features of ${clip.name}`).toEqual([]);
          expect(differences(got[i].logMel, expected[i].logMel), `log-mel of ${clip.name}`).toEqual([]);
        });
      } finally {
        built.cleanup();
      }
    });
  }
});
