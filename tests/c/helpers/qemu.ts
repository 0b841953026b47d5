/**
 * Cortex-M builds run under QEMU with semihosting (newlib rdimon: printf and main's return code
 * reach the host). A tiny vector table at address 0 enables the FPU when there is one and jumps
 * to newlib's _start; faults exit QEMU with a non-zero code instead of hanging.
 * Machines (TOOLCHAIN.md): mps2-an385 (M3), mps2-an386 (M4), mps2-an500 (M7).
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
    .word 0x20400000
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
    b _start
    .thumb_func
Fault_Handler:
    /* SYS_EXIT (0x18) with ADP_Stopped_RunTimeErrorUnknown (0x20023): QEMU exits with 1. */
    movs r0, #0x18
    ldr r1, =0x20023
    bkpt 0xab
1:  b 1b
`;

export interface ArmBuildOptions {
  /** Compiler flags; default CORTEX_M4F_FLAGS. */
  flags?: string[];
}

/** Build main.c (+ startup) into an ELF for QEMU's MPS2 machines. */
export function compileArm(cSource: string, opts: ArmBuildOptions = {}): Compiled {
  return compileC(cSource, {
    compiler: ARM_CC,
    flags: opts.flags ?? CORTEX_M4F_FLAGS,
    files: { 'startup.S': STARTUP_S },
    extraSources: ['startup.S'],
    ldflags: ['--specs=rdimon.specs', '-lrdimon', '-Wl,--section-start=.vectors=0x0'],
  });
}

export interface QemuOptions {
  machine?: string;
  cpu?: string;
  timeoutMs?: number;
}

/** Run an ELF under qemu-system-arm with semihosting; returns stdout and main's return code. */
export function runQemu(elf: string, opts: QemuOptions = {}): RunResult {
  const args = [
    '-M', opts.machine ?? 'mps2-an386',
    '-cpu', opts.cpu ?? 'cortex-m4',
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
