/**
 * Cortex-M builds run under QEMU with semihosting (newlib rdimon: printf and main's return code
 * reach the host). A tiny vector table at address 0 enables the FPU when there is one and jumps
 * to newlib's _start; faults exit QEMU with a non-zero code instead of hanging.
 * Machines (TOOLCHAIN.md): mps2-an385 (M3), mps2-an386 (M4), mps2-an500 (M7), mps2-an505 (M33).
 * Each board has its own memory map (ARM_BOARDS): the vector table goes where the core fetches
 * it at reset, the program right after it, the initial stack at the top of a RAM bank.
 */
import { spawnSync } from 'node:child_process';
import { compileC, type Compiled, type RunResult } from './gcc.ts';

export const ARM_CC = 'arm-none-eabi-gcc';
export const QEMU_ARM = 'qemu-system-arm';

/** The firmware flags of the issue for a Cortex-M4F board. */
export const CORTEX_M4F_FLAGS = ['-mcpu=cortex-m4', '-mthumb', '-mfloat-abi=hard', '-mfpu=fpv4-sp-d16', '-Os', '-Wall', '-Wextra', '-Werror'];

const STARTUP_S = `/* Vector table at 0 for QEMU's MPS2 boards; enables the FPU (CPACR) if present. */
    .syntax unified
    .thumb
    .section .vectors, "a"
    .global earshot_test_vectors
earshot_test_vectors:
    .word STACK_TOP
    .word Reset_Handler
    .rept 14
    .word Fault_Handler
    .endr
    .text
    .thumb_func
    .global Reset_Handler
Reset_Handler:
#if defined(__ARM_FP)
    ldr r0, =0xE000ED88
    ldr r1, [r0]
    orr r1, r1, #(0xF << 20)
    str r1, [r0]
    dsb
    isb
#endif
    /* a long jump: ARMv6-M's b reaches only ±2 KB */
    ldr r0, =_start
    bx r0
    .thumb_func
Fault_Handler:
    /* SYS_EXIT (0x18) with ADP_Stopped_RunTimeErrorUnknown (0x20023): QEMU exits with 1. */
    movs r0, #0x18
    ldr r1, =0x20023
    bkpt 0xab
1:  b 1b
`;

export interface ArmBoard {
  machine: string;
  cpu: string;
  /** Where the core reads its vector table at reset (VTOR reset value). */
  vectorsAddress: number;
  /** Initial stack pointer: the top of a RAM bank. */
  stackTop: number;
}

/**
 * QEMU 7.2 MPS2 memory maps (hw/arm/mps2.c, mps2-tz.c): AN385/386/500 run from SSRAM1 at 0 with
 * SSRAM2/3 at 0x20000000; AN505 (TrustZone, boots Secure) fetches its vectors from 0x10000000
 * (the Secure alias of SSRAM1) and has Secure SSRAM2/3 at 0x38000000.
 */
export const ARM_BOARDS = {
  'mps2-an385': { machine: 'mps2-an385', cpu: 'cortex-m3', vectorsAddress: 0x0, stackTop: 0x20400000 },
  'mps2-an386': { machine: 'mps2-an386', cpu: 'cortex-m4', vectorsAddress: 0x0, stackTop: 0x20400000 },
  'mps2-an500': { machine: 'mps2-an500', cpu: 'cortex-m7', vectorsAddress: 0x0, stackTop: 0x20400000 },
  'mps2-an505': { machine: 'mps2-an505', cpu: 'cortex-m33', vectorsAddress: 0x10000000, stackTop: 0x38200000 },
} as const satisfies Record<string, ArmBoard>;
export type ArmBoardName = keyof typeof ARM_BOARDS;

export interface ArmBuildOptions {
  /** Compiler flags; default CORTEX_M4F_FLAGS. */
  flags?: string[];
  /** Memory map to link for; default mps2-an386. */
  board?: ArmBoardName;
  /** Other files written beside main.c (headers). */
  files?: Record<string, string>;
}

const hex = (n: number) => `0x${n.toString(16)}`;

/** Build main.c (+ startup) into an ELF for one of QEMU's MPS2 machines. */
export function compileArm(cSource: string, opts: ArmBuildOptions = {}): Compiled {
  const board: ArmBoard = ARM_BOARDS[opts.board ?? 'mps2-an386'];
  return compileC(cSource, {
    compiler: ARM_CC,
    flags: [...(opts.flags ?? CORTEX_M4F_FLAGS), `-DSTACK_TOP=${hex(board.stackTop)}`],
    files: { ...opts.files, 'startup.S': STARTUP_S },
    extraSources: ['startup.S'],
    ldflags: [
      '--specs=rdimon.specs', '-lrdimon',
      `-Wl,--section-start=.vectors=${hex(board.vectorsAddress)}`,
      // the program right after the vector table (the default script would start at 0x8000)
      `-Wl,-Ttext-segment=${hex(board.vectorsAddress + 0x1000)}`,
    ],
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
  const args = [
    '-M', board?.machine ?? opts.machine ?? 'mps2-an386',
    '-cpu', board?.cpu ?? opts.cpu ?? 'cortex-m4',
    '-nographic', '-monitor', 'none', '-serial', 'none',
    '-semihosting-config', 'enable=on,target=native',
    '-kernel', elf,
  ];
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
