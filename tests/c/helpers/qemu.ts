/**
 * Cortex-M builds run under QEMU with semihosting (newlib rdimon: printf and main's return code
 * reach the host). A tiny vector table at address 0 enables the FPU when there is one and jumps
 * to newlib's _start; faults exit QEMU with a non-zero code instead of hanging.
 * Machines (TOOLCHAIN.md): mps2-an385 (M3), mps2-an386 (M4), mps2-an500 (M7), mps2-an505 (M33).
 * Each board has its own memory map (ARM_BOARDS): the vector table goes where the core fetches
 * it at reset, the program right after it, the initial stack at the top of a RAM bank. The startup
 * file, boards and link flags live in tools/arm/cortex-m.ts (shared with tools/qemu-insn).
 */
import { spawnSync } from 'node:child_process';
import { ARM_BOARDS, armLinkFlags, CORTEX_M_STARTUP_S, qemuArgs, startupDefines, type ArmBoard, type ArmBoardName } from '../../../tools/arm/cortex-m.ts';
import { compileC, type Compiled, type RunResult } from './gcc.ts';

export const ARM_CC = 'arm-none-eabi-gcc';
export const QEMU_ARM = 'qemu-system-arm';

/** The firmware flags of the issue for a Cortex-M4F board. */
export const CORTEX_M4F_FLAGS = ['-mcpu=cortex-m4', '-mthumb', '-mfloat-abi=hard', '-mfpu=fpv4-sp-d16', '-Os', '-Wall', '-Wextra', '-Werror'];

export { ARM_BOARDS, type ArmBoard, type ArmBoardName } from '../../../tools/arm/cortex-m.ts';

export interface ArmBuildOptions {
  /** Compiler flags; default CORTEX_M4F_FLAGS. */
  flags?: string[];
  /** Memory map to link for; default mps2-an386. */
  board?: ArmBoardName;
  /** Other files written beside main.c (headers). */
  files?: Record<string, string>;
}

/** Build main.c (+ startup) into an ELF for one of QEMU's MPS2 machines. */
export function compileArm(cSource: string, opts: ArmBuildOptions = {}): Compiled {
  const board: ArmBoard = ARM_BOARDS[opts.board ?? 'mps2-an386'];
  return compileC(cSource, {
    compiler: ARM_CC,
    flags: [...(opts.flags ?? CORTEX_M4F_FLAGS), ...startupDefines(board)],
    files: { ...opts.files, 'startup.S': CORTEX_M_STARTUP_S },
    extraSources: ['startup.S'],
    ldflags: armLinkFlags(board),
  });
}

export interface QemuOptions {
  machine?: string;
  cpu?: string;
  /** Sets machine and cpu (overrides them). */
  board?: ArmBoardName;
  timeoutMs?: number;
}

/** Run an ELF under qemu-system-arm with semihosting; returns stdout and main's return code. */
export function runQemu(elf: string, opts: QemuOptions = {}): RunResult {
  const board = opts.board ? ARM_BOARDS[opts.board] : undefined;
  const args = qemuArgs(board?.machine ?? opts.machine ?? 'mps2-an386', board?.cpu ?? opts.cpu ?? 'cortex-m4', elf);
  const r = spawnSync(QEMU_ARM, args, { encoding: 'utf8', maxBuffer: 256 << 20, timeout: opts.timeoutMs ?? 120_000 });
  if (r.error) throw r.error;
  if (r.status === null) throw new Error(`qemu was stopped by ${String(r.signal)} (timeout?)\n${r.stderr}`);
  return { stdout: r.stdout, stderr: r.stderr, exitCode: r.status };
}

/** Disassembly of an ELF (for checks such as "no fused multiply-add"). */
export function disassemble(elf: string): string {
  const r = spawnSync('arm-none-eabi-objdump', ['-d', elf], { encoding: 'utf8', maxBuffer: 256 << 20 });
  if (r.error) throw r.error;
  return r.stdout;
}

export interface SizeFigures {
  textBytes: number;
  dataBytes: number;
  bssBytes: number;
}

/** arm-none-eabi-size (Berkeley format) of an object or ELF. */
export function armSize(file: string): SizeFigures {
  const r = spawnSync('arm-none-eabi-size', [file], { encoding: 'utf8' });
  if (r.error) throw r.error;
  const row = r.stdout.trim().split('\n')[1]?.trim().split(/\s+/).map(Number);
  if (!row || row.length < 3 || row.slice(0, 3).some((n) => !Number.isFinite(n))) throw new Error(`unexpected arm-none-eabi-size output:\n${r.stdout}${r.stderr}`);
  return { textBytes: row[0]!, dataBytes: row[1]!, bssBytes: row[2]! };
}
