import { describe, expect, it } from 'vitest';
import { customBoard, getBoard, listBoards } from '../../src/core/mcu/boards.ts';
import { CORE_IDS } from '../../src/core/mcu/types.ts';
import { codeOf } from './error-code.ts';

describe('boards', () => {
  it('lists 15+ boards with unique kebab-case ids, sane numbers and a source each', () => {
    const boards = listBoards();
    expect(boards.length).toBeGreaterThanOrEqual(15);
    expect(new Set(boards.map((b) => b.id)).size).toBe(boards.length);
    for (const b of boards) {
      expect(b.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(CORE_IDS).toContain(b.core);
      expect(b.clockMhz).toBeGreaterThan(0);
      expect(b.sramBytes).toBeGreaterThanOrEqual(16 * 1024);
      expect(b.flashBytes).toBeGreaterThanOrEqual(64 * 1024);
      expect(b.source.length).toBeGreaterThan(10);
      if (b.core === 'cortex-m0plus' || b.core === 'cortex-m3') expect(b.hasFpu || b.hasDsp).toBe(false);
      if (b.core === 'cortex-m4f') expect(b.hasFpu).toBe(true);
    }
  });

  it('has the boards the issue names, with their datasheet facts', () => {
    const nano = getBoard('nano33ble');
    expect(nano).toMatchObject({ core: 'cortex-m4f', clockMhz: 64, sramBytes: 256 * 1024, flashBytes: 960 * 1024 });
    expect(getBoard('pico')).toMatchObject({ core: 'cortex-m0plus', clockMhz: 133, sramBytes: 264 * 1024, hasFpu: false });
    // Conservative: only the contiguous 96 KB SRAM1 of the STM32L476RG.
    expect(getBoard('nucleo-l476rg')).toMatchObject({ core: 'cortex-m4f', clockMhz: 80, sramBytes: 96 * 1024, flashBytes: 1024 * 1024 });
    // Conservative clock where sources disagree (400 vs 480 MHz).
    expect(getBoard('nucleo-h743zi').clockMhz).toBe(400);
  });

  it('getBoard is case-insensitive and returns a copy', () => {
    const a = getBoard('PICO');
    a.clockMhz = 1;
    expect(getBoard('pico').clockMhz).toBe(133);
  });

  it('unknown board ids give mcu/unknown-board listing the valid ids', () => {
    expect(codeOf(() => getBoard('esp32'))).toBe('mcu/unknown-board');
    expect(() => getBoard('esp32')).toThrow(/nano33ble.*pico|pico.*nano33ble/);
  });

  it('customBoard defaults FPU/DSP from the core and validates', () => {
    const b = customBoard({ core: 'cortex-m7', clockMhz: 300, sramKb: 512, flashKb: 2048 });
    expect(b).toMatchObject({ id: 'custom', core: 'cortex-m7', sramBytes: 512 * 1024, flashBytes: 2048 * 1024, hasFpu: true, hasDsp: true });
    expect(customBoard({ core: 'cortex-m0plus', clockMhz: 48, sramKb: 32, flashKb: 256 })).toMatchObject({ hasFpu: false, hasDsp: false });
    expect(codeOf(() => customBoard({ core: 'cortex-m4', clockMhz: 0, sramKb: 32, flashKb: 256 }))).toBe('mcu/bad-board');
    expect(codeOf(() => customBoard({ core: 'cortex-m4', clockMhz: Number.NaN, sramKb: 32, flashKb: 256 }))).toBe('mcu/bad-board');
    expect(codeOf(() => customBoard({ core: 'cortex-m4', clockMhz: 48, sramKb: -1, flashKb: 256 }))).toBe('mcu/bad-board');
    expect(codeOf(() => customBoard({ core: 'cortex-m4', clockMhz: 48, sramKb: 32, flashKb: 0 }))).toBe('mcu/bad-board');
    expect(codeOf(() => customBoard({ core: 'cortex-m0plus', clockMhz: 48, sramKb: 32, flashKb: 256, hasDsp: true }))).toBe('mcu/bad-board');
    expect(codeOf(() => customBoard({ core: 'cortex-a53' as never, clockMhz: 48, sramKb: 32, flashKb: 256 }))).toBe('mcu/unknown-core');
  });
});
