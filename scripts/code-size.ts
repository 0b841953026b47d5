/**
 * Regenerates src/core/mcu/code-size.generated.ts: flash bytes of Earshot's C runtime per core,
 * measured by compiling src/core/export/c/kernels.h and features.h with arm-none-eabi-gcc -Os
 * (the flags of tools/qemu-insn CORE_BUILDS) and reading section sizes with arm-none-eabi-size -A.
 *
 *   npx tsx scripts/code-size.ts      (a few seconds)
 *
 * Per kernel: the marginal .text of one wrapper that calls it (all wrappers − all but this one), so
 * that helpers shared by kernels (requantization) are counted once, in `sharedBytes`.
 * features: .text of a function calling earshot_features (tables are data and counted separately
 * by estimate()). callSiteBytes: one generated call with 20 arguments to an out-of-line kernel.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_FEATURE_CONFIG } from '../src/core/dsp/feature-config.ts';
import { featuresCSource } from '../src/core/export/c-features.ts';
import { CORE_BUILDS } from '../tools/qemu-insn/insn-count.ts';

export const CODE_SIZE_MODULE = 'src/core/mcu/code-size.generated.ts';
export const SIZED_SOURCES = ['src/core/export/c/kernels.h', 'src/core/export/c/features.h', 'scripts/code-size.ts'];

/** sha256 (16 hex) over the names and texts of files below root: what a generated table was measured from. */
export function hashFiles(root: string, files: readonly string[]): string {
  const h = createHash('sha256');
  for (const f of files) h.update(f).update('\0').update(readFileSync(join(root, f))).update('\0');
  return h.digest('hex').slice(0, 16);
}

export function codeSizeHash(root: string): string {
  return hashFiles(root, SIZED_SOURCES);
}

/** A generated TypeScript module: provenance comment, the source hash, one typed JSON constant. */
export function renderTableModule(m: { comment: string[]; typeImport: string; files: readonly string[]; hashName: string; hash: string; name: string; type: string; value: unknown }): string {
  return [
    ...m.comment.map((l) => `// ${l}`),
    m.typeImport,
    '',
    `/** sha256 (16 hex) of ${m.files.join(', ')}. */`,
    `export const ${m.hashName} = '${m.hash}';`,
    '',
    `export const ${m.name}: ${m.type} = ${JSON.stringify(m.value, null, 2)};`,
    '',
  ].join('\n');
}

/** Wrapper calls, by kernel kind; arguments come from volatile globals so nothing folds away. */
const CALLS: Record<string, string> = {
  conv: 'earshot_conv2d_s8(gi, v(), v(), v(), gw, gb, gm, gs, v(), v(), v(), v(), v(), v(), go, v(), v(), v(), v(), v(), v(), v())',
  depthwise: 'earshot_depthwise_conv2d_s8(gi, v(), v(), v(), gw, gb, gm, gs, v(), v(), v(), v(), v(), v(), v(), go, v(), v(), v(), v(), v(), v())',
  dense: 'earshot_fully_connected_s8(gi, v(), v(), gw, gb, gm, gs, go, v(), v(), v(), v(), v())',
  maxpool: 'earshot_max_pool_s8(gi, v(), v(), v(), v(), v(), v(), v(), v(), v(), go, v(), v(), v(), v())',
  avgpool: 'earshot_avg_pool_s8(gi, v(), v(), v(), v(), v(), v(), v(), v(), v(), go, v(), v(), v(), v())',
  add: 'earshot_add_s8(gi, gw, go, v(), v(), v(), v(), v(), v(), v(), v(), v(), v(), v(), v(), v())',
};
export const KERNEL_KINDS = Object.keys(CALLS);

const PRELUDE = `#include <stdint.h>
#include "kernels.h"
extern volatile int32_t gv;
extern const int8_t *gi; extern const int8_t *gw; extern int8_t *go;
extern const int32_t *gb; extern const int32_t *gm; extern const int32_t *gs;
static inline int32_t v(void) { return gv; }
`;

function sh(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** .text bytes of C source compiled -Os for a core. */
function textBytes(dir: string, name: string, source: string, cflags: string[], kernelsDir: string): number {
  writeFileSync(join(dir, `${name}.c`), source);
  sh('arm-none-eabi-gcc', [...cflags, '-Os', '-std=c99', `-I${kernelsDir}`, '-c', `${name}.c`, '-o', `${name}.o`], dir);
  const out = sh('arm-none-eabi-size', ['-A', `${name}.o`], dir);
  let text = 0;
  for (const line of out.split('\n')) {
    const m = /^(\.text\S*)\s+(\d+)/.exec(line.trim());
    if (m) text += Number(m[2]);
  }
  return text;
}

export interface CoreCodeSize {
  sharedBytes: number;
  kernelBytes: Record<string, number>;
  featuresBytes: number;
  callSiteBytes: number;
}

export function measureCodeSize(root: string, cores: readonly string[] = Object.keys(CORE_BUILDS)): Record<string, CoreCodeSize> {
  const dir = mkdtempSync(join(tmpdir(), 'earshot-size-'));
  const kernelsDir = join(root, 'src', 'core', 'export', 'c');
  const wrappers = (kinds: string[]): string => PRELUDE + kinds.map((k) => `void use_${k}(void) { ${CALLS[k]}; }\n`).join('');
  const features = `${featuresCSource(DEFAULT_FEATURE_CONFIG, { scale: 0.1, zeroPoint: 0 })}
int use_features(const int16_t *pcm, int8_t *out) { return earshot_features(pcm, out); }
`;
  const callSite = `#include <stdint.h>
extern void k(const int8_t *, int, int, int, const int8_t *, const int32_t *, const int32_t *, const int32_t *, int, int, int, int, int, int, int8_t *, int, int, int, int32_t, int32_t);
extern int8_t arena[];
extern const int8_t w[]; extern const int32_t b[], m[], s[];
void call(void) { k(arena, 49, 10, 1, w, b, m, s, 10, 4, 2, 2, 4, 1, arena + 512, 25, 5, 64, -128, 5); }
`;
  const out: Record<string, CoreCodeSize> = {};
  try {
    for (const core of cores) {
      const build = CORE_BUILDS[core]!;
      const all = textBytes(dir, `all-${core}`, wrappers(KERNEL_KINDS), build.cflags, kernelsDir);
      const kernelBytes: Record<string, number> = {};
      for (const k of KERNEL_KINDS) {
        kernelBytes[k] = all - textBytes(dir, `no-${k}-${core}`, wrappers(KERNEL_KINDS.filter((x) => x !== k)), build.cflags, kernelsDir);
      }
      const sharedBytes = all - Object.values(kernelBytes).reduce((a, b) => a + b, 0);
      out[core] = {
        sharedBytes,
        kernelBytes,
        featuresBytes: textBytes(dir, `features-${core}`, features, build.cflags, kernelsDir),
        callSiteBytes: textBytes(dir, `call-${core}`, callSite, build.cflags, kernelsDir),
      };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

export function renderCodeSize(sizes: Record<string, CoreCodeSize>, hash: string): string {
  return renderTableModule({
    comment: [
      'Generated by scripts/code-size.ts: arm-none-eabi-gcc -Os, arm-none-eabi-size -A (.text) of',
      'src/core/export/c/kernels.h and features.h per core. Do not edit: run `npx tsx scripts/code-size.ts`.',
    ],
    typeImport: "import type { CodeSizeTable } from './code-size.ts';",
    files: SIZED_SOURCES,
    hashName: 'CODE_SIZE_SOURCES_HASH',
    hash,
    name: 'CODE_SIZE',
    type: 'CodeSizeTable',
    value: sizes,
  });
}

if (process.argv[1]?.endsWith('code-size.ts')) {
  const root = process.cwd();
  writeFileSync(join(root, CODE_SIZE_MODULE), renderCodeSize(measureCodeSize(root), codeSizeHash(root)));
  console.log(`wrote ${CODE_SIZE_MODULE}`);
}
