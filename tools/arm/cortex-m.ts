/**
 * Bare-metal Cortex-M programs for QEMU's Arm boards, with semihosting (newlib rdimon: printf and
 * main's return code reach the host). One startup file and one set of link flags, shared by the C
 * tests (tests/c/helpers/qemu.ts) and the instruction counter (tools/qemu-insn/insn-count.ts).
 * A tiny vector table enables the FPU when there is one and jumps to newlib's _start; faults exit
 * QEMU with a non-zero code instead of hanging.
 */

/** Vector table (stack top from -DSTACK_TOP) and a fault handler that exits QEMU. */
export const CORTEX_M_STARTUP_S = `/* Vector table for QEMU's MPS2/MPS3 boards; enables the FPU (CPACR) if present. */
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
 * QEMU 7.2 memory maps (hw/arm/mps2.c, mps2-tz.c): AN385/386/500 run from SSRAM1 at 0 with
 * SSRAM2/3 at 0x20000000; AN505 (TrustZone, boots Secure) fetches its vectors from 0x10000000
 * (the Secure alias of SSRAM1) and has Secure SSRAM2/3 at 0x38000000. AN547 (MPS3, Cortex-M55)
 * runs from its ITCM at 0 with the same stack top as the MPS2 boards.
 */
export const ARM_BOARDS = {
  'mps2-an385': { machine: 'mps2-an385', cpu: 'cortex-m3', vectorsAddress: 0x0, stackTop: 0x20400000 },
  'mps2-an386': { machine: 'mps2-an386', cpu: 'cortex-m4', vectorsAddress: 0x0, stackTop: 0x20400000 },
  'mps2-an500': { machine: 'mps2-an500', cpu: 'cortex-m7', vectorsAddress: 0x0, stackTop: 0x20400000 },
  'mps2-an505': { machine: 'mps2-an505', cpu: 'cortex-m33', vectorsAddress: 0x10000000, stackTop: 0x38200000 },
  'mps3-an547': { machine: 'mps3-an547', cpu: 'cortex-m55', vectorsAddress: 0x0, stackTop: 0x20400000 },
} as const satisfies Record<string, ArmBoard>;
export type ArmBoardName = keyof typeof ARM_BOARDS;

const hex = (n: number) => `0x${n.toString(16)}`;

/** The compiler flag that gives CORTEX_M_STARTUP_S its stack top on a board. */
export function startupDefines(board: ArmBoard): string[] {
  return [`-DSTACK_TOP=${hex(board.stackTop)}`];
}

/** Link flags: semihosting newlib, the vector table where the core fetches it, the program right after. */
export function armLinkFlags(board: ArmBoard): string[] {
  return [
    '--specs=rdimon.specs', '-lrdimon',
    `-Wl,--section-start=.vectors=${hex(board.vectorsAddress)}`,
    // the program right after the vector table (the default script would start at 0x8000)
    `-Wl,-Ttext-segment=${hex(board.vectorsAddress + 0x1000)}`,
  ];
}

/** qemu-system-arm arguments that run an ELF on a board (machine, cpu) with semihosting. */
export function qemuArgs(machine: string, cpu: string, elf: string): string[] {
  return [
    '-M', machine, '-cpu', cpu,
    '-nographic', '-monitor', 'none', '-serial', 'none',
    '-semihosting-config', 'enable=on,target=native',
    '-kernel', elf,
  ];
}
