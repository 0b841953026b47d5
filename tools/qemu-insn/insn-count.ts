/**
 * Instruction counting of Cortex-M code under qemu-system-arm with the insn-count TCG plugin
 * (insn-count.c beside this file), and a cycle model over the executed instruction mix.
 * Used by scripts/fit-costs.ts (the fitted cost table) and tests/c/mcu-insn-count.test.ts.
 * Startup code, board memory maps and link flags: tools/arm/cortex-m.ts (shared with tests/c).
 * Node only (spawns gcc, arm-none-eabi-*, qemu-system-arm).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ARM_BOARDS, armLinkFlags, CORTEX_M_STARTUP_S, qemuArgs, startupDefines, type ArmBoardName } from '../arm/cortex-m.ts';

export const HERE = dirname(fileURLToPath(import.meta.url));
export const PLUGIN_SOURCE = join(HERE, 'insn-count.c');

function sh(cmd: string, args: string[], opts: { cwd?: string } = {}): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 << 20, cwd: opts.cwd });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status}):\n${r.stderr.slice(0, 4000)}`);
  return r.stdout;
}

/** Build the plugin (host gcc -shared -fPIC) once into a cache folder; returns the .so path. */
export function buildPlugin(outDir = join(tmpdir(), 'earshot-insn-count')): string {
  mkdirSync(outDir, { recursive: true });
  const so = join(outDir, 'insn-count.so');
  if (!existsSync(so) || statSync(so).mtimeMs < statSync(PLUGIN_SOURCE).mtimeMs) {
    sh('gcc', ['-shared', '-fPIC', '-O2', '-Wall', '-Wextra', '-Werror', '-o', so, PLUGIN_SOURCE]);
  }
  return so;
}

/**
 * One way to run code of each core id under QEMU 7.2. ARMv6-M (M0+) code is valid ARMv7-M code and
 * its instruction count depends only on the binary, so M0+ builds run on the M3 machine: QEMU 7.2
 * has no M0/M0+ MPS2 machine (mps2 boards refuse other CPUs; `microbit` has a Cortex-M0 but 16 KB RAM).
 * M85 has no QEMU model: its code is the same ARMv8.1-M ISA as the M55 and uses the M55 build.
 */
export interface CoreBuild {
  cflags: string[];
  /** The board (tools/arm/cortex-m.ts): its memory map places the startup code and stack. */
  machine: ArmBoardName;
  cpu: string;
}

export const CORE_BUILDS: Record<string, CoreBuild> = {
  'cortex-m0plus': { cflags: ['-mcpu=cortex-m0plus', '-mthumb', '-mfloat-abi=soft'], machine: 'mps2-an385', cpu: 'cortex-m3' },
  'cortex-m3': { cflags: ['-mcpu=cortex-m3', '-mthumb', '-mfloat-abi=soft'], machine: 'mps2-an385', cpu: 'cortex-m3' },
  'cortex-m4': { cflags: ['-mcpu=cortex-m4', '-mthumb', '-mfloat-abi=soft'], machine: 'mps2-an386', cpu: 'cortex-m4' },
  'cortex-m4f': { cflags: ['-mcpu=cortex-m4', '-mthumb', '-mfloat-abi=hard', '-mfpu=fpv4-sp-d16'], machine: 'mps2-an386', cpu: 'cortex-m4' },
  'cortex-m7': { cflags: ['-mcpu=cortex-m7', '-mthumb', '-mfloat-abi=hard', '-mfpu=fpv5-d16'], machine: 'mps2-an500', cpu: 'cortex-m7' },
  // mps2-an505 boots in the secure state from 0x10000000 and faults on this startup code; ARMv8-M
  // mainline code is valid ARMv8.1-M code, so the M33 build runs on the M55 machine.
  'cortex-m33': { cflags: ['-mcpu=cortex-m33', '-mthumb', '-mfloat-abi=hard', '-mfpu=fpv5-sp-d16'], machine: 'mps3-an547', cpu: 'cortex-m55' },
  'cortex-m55': { cflags: ['-mcpu=cortex-m55', '-mthumb', '-mfloat-abi=hard'], machine: 'mps3-an547', cpu: 'cortex-m55' },
};

/** Compile C sources (paths) for a core at -Os into dir/name.elf (semihosting, rdimon). */
export function buildElf(dir: string, name: string, sources: string[], build: CoreBuild, extra: string[] = []): string {
  mkdirSync(dir, { recursive: true });
  const startup = join(dir, 'startup.S');
  writeFileSync(startup, CORTEX_M_STARTUP_S);
  const elf = join(dir, `${name}.elf`);
  const board = ARM_BOARDS[build.machine];
  sh('arm-none-eabi-gcc', [...build.cflags, '-Os', '-std=c99', '-Wall', '-Wextra', ...startupDefines(board), ...extra, ...sources, startup, '-o', elf,
    ...armLinkFlags(board)]);
  return elf;
}

export interface CountResult {
  insns: number;
  /** Executed count per instruction address (only with hist). */
  hist: Map<number, number>;
  stdout: string;
}

/** Run an ELF under QEMU with the plugin; `append` is the semihosting command line. */
export function countInsns(elf: string, build: CoreBuild, append: string, plugin: string, opts: { hist?: boolean; lo?: number; hi?: number } = {}): CountResult {
  const out = join(dirname(elf), `count-${process.pid}.txt`);
  const pargs = [`out=${out}`];
  if (opts.lo !== undefined) pargs.push(`lo=${opts.lo}`);
  if (opts.hi !== undefined) pargs.push(`hi=${opts.hi}`);
  if (opts.hist) pargs.push('hist=on');
  const r = spawnSync('qemu-system-arm', [
    ...qemuArgs(build.machine, build.cpu, elf), '-append', append,
    '-plugin', `${plugin},${pargs.join(',')}`,
  ], { encoding: 'utf8', timeout: 300_000 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`qemu ${build.machine} ${append}: exit ${r.status}\n${r.stdout}\n${r.stderr}`);
  const lines = readFileSync(out, 'utf8').trim().split('\n');
  const insns = Number(lines[0]!.split(' ')[1]);
  const hist = new Map<number, number>();
  for (const l of lines.slice(1)) {
    const [a, c] = l.split(' ');
    hist.set(Number(a), Number(c));
  }
  return { insns, hist, stdout: r.stdout };
}

/** Executed count of one run minus a dry run (same program, kernel skipped), per address. */
export function diffHist(run: Map<number, number>, dry: Map<number, number>): Map<number, number> {
  const d = new Map<number, number>();
  for (const [a, c] of run) {
    const x = c - (dry.get(a) ?? 0);
    if (x !== 0) d.set(a, x);
  }
  for (const [a, c] of dry) if (!run.has(a)) d.set(a, -c);
  return d;
}

/** Symbol address and size from arm-none-eabi-nm (for lo/hi ranges). */
export function symbolRange(elf: string, name: string): { lo: number; hi: number } {
  for (const line of sh('arm-none-eabi-nm', ['-S', elf]).split('\n')) {
    const [addr, size, , sym] = line.trim().split(/\s+/);
    if (sym === name && size !== undefined) {
      const lo = parseInt(addr!, 16) & ~1;
      return { lo, hi: lo + parseInt(size, 16) };
    }
  }
  throw new Error(`symbol ${name} not found in ${elf}`);
}

export interface Insn {
  size: number;
  mnemonic: string;
  operands: string;
}

/** Address → instruction from arm-none-eabi-objdump -d. */
export function disassembly(elf: string): Map<number, Insn> {
  const map = new Map<number, Insn>();
  const re = /^\s*([0-9a-f]+):\t([0-9a-f ]+?)\s*\t(\S+)\s*(.*)$/;
  for (const line of sh('arm-none-eabi-objdump', ['-d', elf]).split('\n')) {
    const m = re.exec(line);
    if (!m) continue;
    const hex = m[2]!.replace(/ /g, '');
    map.set(parseInt(m[1]!, 16), { size: hex.length / 2, mnemonic: m[3]!.replace(/\.[nw]$/, ''), operands: m[4]! });
  }
  return map;
}

/**
 * Cycle timings per instruction class. Evidence:
 * - Cortex-M0+ TRM (Arm DDI 0484C, table 3-1, instruction set summary): data processing 1,
 *   loads and stores 2, LDM/STM/PUSH/POP 1+N, MULS 1 (the single-cycle multiplier option that RP2040,
 *   SAMD21 and STM32G0 implement), B<cond> 2 taken / 1 not taken, B 2, BL 3, BX/BLX 2, POP {pc} 3+N.
 * - Cortex-M3 TRM (DDI 0337I, table 18-1) and Cortex-M4 TRM (DDI 0439B, table 3-1): data processing 1,
 *   LDR 2, STR 1 (buffered: pipelines with the next instruction), LDM/STM/PUSH/POP 1+N, LDRD/STRD 3,
 *   MUL 1, MLA/MLS 2 (M3) / 1 (M4), SMULL/UMULL 4 (M3: 3-5) / 1 (M4), SMLAL/UMLAL 5 (M3: 4-7) / 1 (M4),
 *   SDIV/UDIV 7 (2-12), branches taken 1+P with pipeline refill P = 2 (TRM: 1-3), not taken 1.
 *   FPv4 (M4 TRM table 7-1): VADD/VSUB/VMUL/VCVT/VMOV 1, VLDR/VSTR 2, VLDM/VSTM/VPUSH/VPOP 1+N,
 *   VMLA/VFMA 3, VDIV/VSQRT 14.
 * Cores without a published per-instruction table (M7, M33, M55, M85) use the M4 table on their own
 * binary's mix; estimate() then scales M7/M55/M85 by CoreMark/MHz (see cost-tables.ts).
 */
export type TimingModel = 'm0plus' | 'm3' | 'm4';

export function timingModelOf(core: string): TimingModel {
  return core === 'cortex-m0plus' ? 'm0plus' : core === 'cortex-m3' ? 'm3' : 'm4';
}

const BRANCH_PENALTY = 2; // P of the M3/M4 TRMs (1-3)

function regCount(operands: string): number {
  const m = /\{([^}]*)\}/.exec(operands);
  if (!m) return 1;
  let n = 0;
  for (const part of m[1]!.split(',')) {
    const r = /([rsd])(\d+)\s*-\s*[rsd](\d+)/.exec(part.trim());
    n += r ? Number(r[3]) - Number(r[2]) + 1 : 1;
  }
  return n;
}

const COND = /^(eq|ne|cs|hs|cc|lo|mi|pl|vs|vc|hi|ls|ge|lt|gt|le)$/;

/** Cycles of one instruction executed `count` times, `taken` of them as a taken branch. */
export function insnCycles(i: Insn, count: number, taken: number, model: TimingModel): number {
  const m = i.mnemonic.toLowerCase();
  const m0 = model === 'm0plus';
  const p = m0 ? 1 : BRANCH_PENALTY;
  const n = regCount(i.operands);
  const hasPc = /\bpc\b/.test(i.operands);
  if (m === 'b' || m === 'bl' || m === 'bx' || m === 'blx') return count * (m === 'bl' ? (m0 ? 3 : 1 + p) : 1 + p);
  if (m === 'cbz' || m === 'cbnz' || (m.startsWith('b') && COND.test(m.slice(1)))) return count + taken * p;
  if (m === 'tbb' || m === 'tbh') return count * (2 + p);
  if (m === 'pop' || m === 'ldm' || m === 'ldmia' || m === 'ldmia.w' || m.startsWith('ldmia') || m === 'ldmdb') return count * (1 + n + (hasPc ? (m0 ? 2 : p) : 0));
  if (m === 'push' || m.startsWith('stm')) return count * (1 + n);
  if (m === 'vpush' || m === 'vpop' || m.startsWith('vldm') || m.startsWith('vstm')) return count * (1 + n);
  if (m === 'ldrd' || m === 'strd') return count * (m0 ? 4 : 3);
  if (m.startsWith('ldr')) return count * (2 + (hasPc && /^ldr$/.test(m) && /^pc,/.test(i.operands) ? p : 0));
  if (m.startsWith('str')) return count * (m0 ? 2 : 1);
  if (m === 'vldr' || m === 'vstr') return count * 2;
  if (m.startsWith('vdiv') || m.startsWith('vsqrt')) return count * 14;
  if (m.startsWith('vmla') || m.startsWith('vmls') || m.startsWith('vfma') || m.startsWith('vfms') || m.startsWith('vnm')) return count * 3;
  if (m === 'sdiv' || m === 'udiv') return count * 7;
  if (model === 'm3') {
    if (m === 'mla' || m === 'mls') return count * 2;
    if (m === 'smull' || m === 'umull') return count * 4;
    if (m === 'smlal' || m === 'umlal') return count * 5;
  }
  return count;
}

/**
 * Cycles of an executed-instruction histogram. A conditional branch's taken count is its count
 * minus the count of the instruction after it (fall-through); exact when the fall-through is not
 * itself a branch target, as at the bottom of compiled loops.
 */
export function histCycles(hist: Map<number, number>, dis: Map<number, Insn>, model: TimingModel): number {
  let cycles = 0;
  for (const [a, c] of hist) {
    const i = dis.get(a);
    if (!i) throw new Error(`no instruction at 0x${a.toString(16)}`);
    const next = hist.get(a + i.size) ?? 0;
    const taken = Math.max(0, c - Math.max(0, next));
    cycles += insnCycles(i, c, taken, model);
  }
  return cycles;
}
