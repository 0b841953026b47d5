/**
 * Boards are data. Transcribed by hand from /work/shared/calibration/boards.csv (datasheet
 * facts with their source URLs); each entry's `source` names them. Where sources disagree the
 * conservative value (less memory, lower clock) is taken and the `source` says so.
 * KB here means KiB (1024 bytes), as the board documents use it.
 */
import { EarshotError } from '../errors.ts';
import { CORE_IDS, type Board, type CoreId } from './types.ts';

const KB = 1024;

const BOARDS: readonly Board[] = [
  {
    id: 'nano33ble',
    name: 'Arduino Nano 33 BLE Sense',
    mcu: 'Nordic nRF52840',
    core: 'cortex-m4f',
    clockMhz: 64,
    sramBytes: 256 * KB,
    // 1 MB on chip; PlatformIO gives 960 KB application space after the bootloader: conservative.
    flashBytes: 960 * KB,
    hasFpu: true,
    hasDsp: true,
    source: 'boards.csv: PlatformIO nano33ble.rst (960 KB app flash, 256 KB RAM, 64 MHz); Zephyr nRF52840 doc (1 MB flash). Flash: conservative 960 KB.',
  },
  {
    id: 'pico',
    name: 'Raspberry Pi Pico',
    mcu: 'Raspberry Pi RP2040',
    core: 'cortex-m0plus',
    clockMhz: 133,
    sramBytes: 264 * KB,
    flashBytes: 2048 * KB,
    hasFpu: false,
    hasDsp: false,
    source: 'boards.csv: Zephyr rpi_pico doc, PlatformIO pico.rst (133 MHz, 264 KB SRAM, 2 MB QSPI flash, off-chip XIP). One of the two M0+ cores is modelled.',
  },
  {
    id: 'pico2',
    name: 'Raspberry Pi Pico 2',
    mcu: 'Raspberry Pi RP2350',
    core: 'cortex-m33',
    clockMhz: 150,
    sramBytes: 520 * KB,
    flashBytes: 4096 * KB,
    // The retrieved source does not state FPU/DSP; the RP2350 datasheet configures its M33 with
    // FPU and DSP extension. Unverified in boards.csv.
    hasFpu: true,
    hasDsp: true,
    source: 'boards.csv: Zephyr rpi_pico2 doc (M33 at 150 MHz, 520 KB SRAM, 4 MB flash). FPU/DSP: RP2350 datasheet, not in the retrieved sources.',
  },
  {
    id: 'nucleo-l476rg',
    name: 'ST NUCLEO-L476RG',
    mcu: 'STM32L476RG',
    core: 'cortex-m4f',
    clockMhz: 80,
    // 128 KB total but only SRAM1 (96 KB) is contiguous; PlatformIO lists 96 KB: conservative.
    sramBytes: 96 * KB,
    flashBytes: 1024 * KB,
    // 100 uA/MHz x 80 MHz = 8 mA (ST headline run-mode figure) at 3.3 V: derived, core only.
    activePowerMw: 26.4,
    hasFpu: true,
    hasDsp: true,
    source: 'boards.csv: Zephyr nucleo_l476rg doc (80 MHz, 1 MB flash, 128 KB SRAM incl. 32 KB SRAM2, 100 uA/MHz); PlatformIO (96 KB RAM). RAM: conservative 96 KB. Power derived from 100 uA/MHz at 3.3 V.',
  },
  {
    id: 'nucleo-l4r5zi',
    name: 'ST NUCLEO-L4R5ZI',
    mcu: 'STM32L4R5ZI',
    core: 'cortex-m4f',
    clockMhz: 120,
    sramBytes: 640 * KB,
    flashBytes: 2048 * KB,
    // MLPerf Tiny energy runs measured 35.0-48.7 mW (ST X-CUBE-AI): the upper value.
    activePowerMw: 48.7,
    hasFpu: true,
    hasDsp: true,
    source: 'boards.csv: Zephyr nucleo_l4r5zi doc, PlatformIO (120 MHz boost, 640 KB SRAM, 2 MB flash); power: MLPerf Tiny v0.7-v1.2 energy runs 35.0-48.7 mW, upper value taken.',
  },
  {
    id: 'disco-f746ng',
    name: 'ST STM32F746G-DISCO',
    mcu: 'STM32F746NGH6',
    core: 'cortex-m7',
    clockMhz: 216,
    // Zephyr doc is inconsistent (340 KB / 384+4 KB); PlatformIO and MLPerf JSONs say 320 KB.
    sramBytes: 320 * KB,
    flashBytes: 1024 * KB,
    hasFpu: true,
    hasDsp: true,
    source: 'boards.csv: PlatformIO disco_f746ng.rst, MLPerf Tiny v1.0 Plumerai and v1.2 Bosch system JSONs (216 MHz, 320 KB, 1 MB). RAM: 320 KB, the smallest value given.',
  },
  {
    id: 'nucleo-h743zi',
    name: 'ST NUCLEO-H743ZI',
    mcu: 'STM32H743ZIT6',
    core: 'cortex-m7',
    // 400 or 480 MHz depending on silicon revision: conservative 400.
    clockMhz: 400,
    // 1 MB total RAM, but AXI SRAM (the largest contiguous block) is 512 KB: conservative.
    sramBytes: 512 * KB,
    flashBytes: 2048 * KB,
    hasFpu: true,
    hasDsp: true,
    source: 'boards.csv: Samsung/ONE #7598 (480 MHz, 1 MB RAM), PlatformIO nucleo_h743zi.rst (400 MHz, 512 KB AXI SRAM), Nordby thesis (400 MHz, 1024 KB). Clock 400 MHz and RAM 512 KB: conservative.',
  },
  {
    id: 'nano-rp2040-connect',
    name: 'Arduino Nano RP2040 Connect',
    mcu: 'Raspberry Pi RP2040',
    core: 'cortex-m0plus',
    clockMhz: 133,
    sramBytes: 264 * KB,
    // Zephyr: 16 MB external QSPI; PlatformIO: 2 MB. Conservative 2 MB.
    flashBytes: 2048 * KB,
    hasFpu: false,
    hasDsp: false,
    source: 'boards.csv: Zephyr arduino nano_connect doc (16 MB QSPI flash), PlatformIO nanorp2040connect.rst (2 MB). Flash: conservative 2 MB.',
  },
  {
    id: 'xiao-nrf52840-sense',
    name: 'Seeed Studio XIAO nRF52840 Sense',
    mcu: 'Nordic nRF52840',
    core: 'cortex-m4f',
    clockMhz: 64,
    sramBytes: 256 * KB,
    flashBytes: 1024 * KB,
    hasFpu: true,
    hasDsp: true,
    source: 'boards.csv: RIOT seeedstudio-xiao-nrf52840-sense doc; nRF52840 chip values (64 MHz, 256 KB, 1 MB) from the Zephyr nRF52840 doc.',
  },
  {
    id: 'arduino-zero',
    name: 'Arduino Zero / Nano 33 IoT',
    mcu: 'Microchip ATSAMD21G18A',
    core: 'cortex-m0plus',
    clockMhz: 48,
    sramBytes: 32 * KB,
    flashBytes: 256 * KB,
    hasFpu: false,
    hasDsp: false,
    source: 'boards.csv: Zephyr nano_33_iot doc, PlatformIO zero.rst and nano_33_iot.rst (48 MHz, 32 KB RAM, 256 KB flash).',
  },
  {
    id: 'portenta-h7',
    name: 'Arduino Portenta H7 (M7 core)',
    mcu: 'STM32H747XI',
    core: 'cortex-m7',
    clockMhz: 480,
    // Chip: 1 MB RAM, 2 MB flash; the PlatformIO M7 target links 511 KB RAM / 768 KB flash (split
    // between the two cores): conservative.
    sramBytes: 511 * KB,
    flashBytes: 768 * KB,
    hasFpu: true,
    hasDsp: true,
    source: 'boards.csv: Zephyr portenta_h7 doc (480 MHz M7, 2 MB flash, 1 MB RAM); PlatformIO portenta_h7_m7.rst (768 KB flash, 511 KB RAM for the M7). Memory: conservative PlatformIO values.',
  },
  {
    id: 'nrf5340dk',
    name: 'Nordic nRF5340 DK (application core)',
    mcu: 'Nordic nRF5340',
    core: 'cortex-m33',
    clockMhz: 128,
    sramBytes: 512 * KB,
    flashBytes: 1024 * KB,
    hasFpu: true,
    hasDsp: true,
    source: 'boards.csv: Zephyr nrf5340dk doc (app core M33F with DSP and FPU, 128 MHz); MLPerf Tiny v1.0 OctoML system JSON (512 KB, 1 MB).',
  },
  {
    id: 'sparkfun-edge',
    name: 'SparkFun Edge',
    mcu: 'Ambiq Apollo3 Blue',
    core: 'cortex-m4f',
    // 48 MHz normal, 96 MHz burst: the Arduino core's f_cpu is 48 MHz: conservative.
    clockMhz: 48,
    sramBytes: 384 * KB,
    // 1 MB on chip; the Arduino core uploads at most 960000 bytes: conservative.
    flashBytes: 960000,
    hasFpu: true,
    hasDsp: true,
    source: 'boards.csv: Zephyr apollo3_evb doc (up to 96 MHz, 1 MB flash, 384 KB RAM); SparkFun Arduino_Apollo3 boards.txt (f_cpu 48 MHz, upload max 960000 B). Clock and flash: conservative.',
  },
  {
    id: 'uno-r4',
    name: 'Arduino Uno R4 (Minima / WiFi)',
    mcu: 'Renesas RA4M1 (R7FA4M1AB)',
    core: 'cortex-m4',
    clockMhz: 48,
    sramBytes: 32 * KB,
    flashBytes: 256 * KB,
    // boards.csv: FPU "not stated in retrieved source": assumed absent (conservative for float32).
    hasFpu: false,
    hasDsp: true,
    source: 'boards.csv: Zephyr uno_r4 doc, PlatformIO uno_r4_minima.rst (M4 at 48 MHz, 256 KB flash, 32 KB RAM). FPU not stated: treated as absent (conservative).',
  },
  {
    id: 'b-u585i-iot02a',
    name: 'ST B-U585I-IOT02A',
    mcu: 'STM32U585AII6Q',
    core: 'cortex-m33',
    clockMhz: 160,
    // 784 KB (Zephyr WeAct doc) vs 768 KB (MLPerf Plumerai JSON): conservative 768 KB.
    sramBytes: 768 * KB,
    flashBytes: 2048 * KB,
    hasFpu: true,
    hasDsp: true,
    source: 'boards.csv: Zephyr blackpill_u585ci doc (160 MHz, 784 KB SRAM, 2 MB), MLPerf v1.0 Plumerai JSON (768 KB). RAM: conservative 768 KB.',
  },
  {
    id: 'nucleo-h7a3zi-q',
    name: 'ST NUCLEO-H7A3ZI-Q',
    mcu: 'STM32H7A3ZIT6Q',
    core: 'cortex-m7',
    clockMhz: 280,
    // 1.19 MB (ST MLPerf JSON) vs 1.4 MB (Bosch JSON): conservative 1.19 MB = 1218 KB.
    sramBytes: 1218 * KB,
    flashBytes: 2048 * KB,
    // MLPerf energy runs 121.8-166.4 mW (ST X-CUBE-AI): upper value.
    activePowerMw: 166.4,
    hasFpu: true,
    hasDsp: true,
    source: 'boards.csv: MLPerf Tiny v1.2 ST and Bosch system JSONs. RAM: conservative 1.19 MB. Power: MLPerf energy runs 121.8-166.4 mW, upper value.',
  },
  {
    id: 'nucleo-u575zi-q',
    name: 'ST NUCLEO-U575ZI-Q',
    mcu: 'STM32U575ZIT6Q',
    core: 'cortex-m33',
    clockMhz: 160,
    sramBytes: 786 * KB,
    flashBytes: 2048 * KB,
    activePowerMw: 27.2,
    hasFpu: true,
    hasDsp: true,
    source: 'boards.csv: RIOT nucleo-u575zi-q doc, RT-Thread stm32u575 README (FPU, DSP, 786 KB, 2 MB); power: MLPerf v0.7-v1.3 energy runs 22.7-27.2 mW, upper value.',
  },
  {
    id: 'nucleo-u385rg-q',
    name: 'ST NUCLEO-U385RG-Q',
    mcu: 'STM32U385RGT6Q',
    core: 'cortex-m33',
    clockMhz: 96,
    sramBytes: 256 * KB,
    flashBytes: 1024 * KB,
    activePowerMw: 5.9,
    hasFpu: true,
    hasDsp: true,
    source: 'boards.csv: ST stm32u385cg product page; MLPerf v1.3 ST system JSON; power: MLPerf v1.3 energy runs 5.1-5.9 mW, upper value.',
  },
  {
    id: 'cy8cproto-062-4343w',
    name: 'Infineon CY8CPROTO-062-4343W (PSoC 62)',
    mcu: 'Infineon PSoC 62',
    core: 'cortex-m4f',
    clockMhz: 150,
    sramBytes: 1024 * KB,
    flashBytes: 2048 * KB,
    hasFpu: true,
    hasDsp: true,
    source: 'boards.csv: MLPerf Tiny v1.1 Plumerai and v1.2 Bosch system JSONs (M4 DSP+FPU, 150 MHz, 1024 KB RAM, 2 MB flash).',
  },
  {
    id: 'nucleo-g0b1re',
    name: 'ST NUCLEO-G0B1RE',
    mcu: 'STM32G0B1RE',
    core: 'cortex-m0plus',
    clockMhz: 64,
    sramBytes: 144 * KB,
    flashBytes: 512 * KB,
    hasFpu: false,
    hasDsp: false,
    source: 'boards.csv: MLPerf Tiny v1.2 Bosch NUCLEO_G0B1RE system JSON (M0+, 64 MHz, 144 KB, 512 KB).',
  },
  {
    id: 'ek-ra8d1',
    name: 'Renesas EK-RA8D1',
    mcu: 'Renesas RA8D1 (R7FA8D1AHECBD)',
    core: 'cortex-m85',
    clockMhz: 480,
    sramBytes: 1024 * KB,
    flashBytes: 2048 * KB,
    hasFpu: true,
    hasDsp: true,
    source: 'boards.csv: MLPerf Tiny v1.2 Renesas EK-RA8D1 system JSON (M85 with Helium, 480 MHz, 1 MB, 2 MB).',
  },
  {
    id: 'ek-ra6m4',
    name: 'Renesas EK-RA6M4',
    mcu: 'Renesas RA6M4 (R7FA6M4AF3CFB)',
    core: 'cortex-m33',
    clockMhz: 200,
    sramBytes: 256 * KB,
    flashBytes: 1024 * KB,
    // MLPerf v0.7 energy runs 71.2-74.7 mW: upper value.
    activePowerMw: 74.7,
    hasFpu: true,
    hasDsp: true,
    source: 'boards.csv: MLPerf Tiny v0.7 Renesas EK-RA6M4 system JSON (M33, 200 MHz, 256 KB, 1 MB); power 71.2-74.7 mW, upper value.',
  },
];
/**
 * Boards known only in part: a custom board starts from these, and the user supplies what is
 * missing. Alif Ensemble E7: boards.csv gives the RTSS-HP Cortex-M55 at 400 MHz with Helium and FPU
 * (Zephyr Ensemble DK doc) but no SRAM/MRAM sizes, so it is not in listBoards().
 */
export interface BoardTemplate {
  id: string;
  name: string;
  core: CoreId;
  clockMhz: number;
  hasFpu: boolean;
  hasDsp: boolean;
  /** What the sources do not say: the user must enter it. */
  unknown: Array<'sramKb' | 'flashKb'>;
  source: string;
}

export const BOARD_TEMPLATES: readonly BoardTemplate[] = [
  {
    id: 'alif-e7',
    name: 'Alif Ensemble E7 (RTSS-HP)',
    core: 'cortex-m55',
    clockMhz: 400,
    hasFpu: true,
    hasDsp: true,
    unknown: ['sramKb', 'flashKb'],
    source: 'boards.csv: Zephyr Ensemble DK doc (RTSS-HP Cortex-M55 up to 400 MHz); on-chip SRAM/MRAM sizes for E7 not found in the sources',
  },
];

export function getBoardTemplate(id: string): BoardTemplate | undefined {
  return BOARD_TEMPLATES.find((t) => t.id === id);
}

const BY_ID = new Map(BOARDS.map((b) => [b.id, b]));

/** Every known board, in a stable order (copies: callers may not mutate the table). */
export function listBoards(): Board[] {
  return BOARDS.map((b) => ({ ...b }));
}

export function getBoard(id: string): Board {
  const b = typeof id === 'string' ? BY_ID.get(id.trim().toLowerCase()) : undefined;
  const t = typeof id === 'string' ? getBoardTemplate(id.trim().toLowerCase()) : undefined;
  if (!b && t) {
    throw new EarshotError(
      'mcu/unknown-board',
      `${t.name}: ${t.unknown.join(' and ')} unknown (${t.source}); describe it as a custom board: --core ${t.core} --clock-mhz ${t.clockMhz} --sram-kb N --flash-kb N`,
    );
  }
  if (!b) {
    throw new EarshotError('mcu/unknown-board', `unknown board ${JSON.stringify(id)}; known boards: ${BOARDS.map((x) => x.id).join(', ')}`);
  }
  return { ...b };
}

/** Cores that always have the DSP extension (M4/M7/M33 optional in theory, universal in practice). */
const DSP_CORES: readonly CoreId[] = ['cortex-m4', 'cortex-m4f', 'cortex-m7', 'cortex-m33', 'cortex-m55', 'cortex-m85'];
const FPU_CORES: readonly CoreId[] = ['cortex-m4f', 'cortex-m7', 'cortex-m33', 'cortex-m55', 'cortex-m85'];

export function isCoreId(v: unknown): v is CoreId {
  return typeof v === 'string' && (CORE_IDS as readonly string[]).includes(v);
}

export interface CustomBoardOptions {
  core: CoreId;
  clockMhz: number;
  sramKb: number;
  flashKb: number;
  hasFpu?: boolean;
  hasDsp?: boolean;
  name?: string;
  /** Active power while computing, if the user knows it (enables energy and battery estimates). */
  activePowerMw?: number;
}

function badBoard(message: string): never {
  throw new EarshotError('mcu/bad-board', message);
}

/** A board the user describes; defaults FPU/DSP from the core, then validates every field. */
export function customBoard(opts: CustomBoardOptions): Board {
  if (opts === null || typeof opts !== 'object') badBoard('custom board options must be an object');
  const core = opts.core;
  if (!isCoreId(core)) {
    throw new EarshotError('mcu/unknown-core', `unknown core ${JSON.stringify(core)}; known cores: ${CORE_IDS.join(', ')}`);
  }
  const hasFpu = opts.hasFpu ?? FPU_CORES.includes(core);
  const hasDsp = opts.hasDsp ?? DSP_CORES.includes(core);
  const num = (key: 'clockMhz' | 'sramKb' | 'flashKb', min: number, max: number): number => {
    const v = opts[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) badBoard(`${key} must be a number from ${min} to ${max}, got ${JSON.stringify(v)}`);
    return v;
  };
  const clockMhz = num('clockMhz', 1, 2000);
  const sramKb = num('sramKb', 1, 1 << 20);
  const flashKb = num('flashKb', 1, 1 << 22);
  if (typeof hasFpu !== 'boolean' || typeof hasDsp !== 'boolean') badBoard('hasFpu and hasDsp must be true or false');
  if (core === 'cortex-m4f' && !hasFpu) badBoard('a cortex-m4f has an FPU; use cortex-m4 for a core without one');
  if ((core === 'cortex-m0plus' || core === 'cortex-m3') && (hasFpu || hasDsp)) badBoard(`${core} has neither FPU nor DSP extension`);
  const p = opts.activePowerMw;
  if (p !== undefined && (typeof p !== 'number' || !Number.isFinite(p) || p <= 0 || p > 10000)) badBoard(`activePowerMw must be a number from 0 to 10000, got ${JSON.stringify(p)}`);
  const name = opts.name ?? `Custom ${core} @ ${clockMhz} MHz`;
  if (typeof name !== 'string' || name.length === 0) badBoard('name must be a non-empty string');
  return {
    id: 'custom',
    name,
    mcu: 'custom',
    core,
    clockMhz,
    sramBytes: Math.floor(sramKb * KB),
    flashBytes: Math.floor(flashKb * KB),
    hasFpu,
    hasDsp,
    ...(opts.activePowerMw !== undefined ? { activePowerMw: opts.activePowerMw } : {}),
    source: 'user-supplied',
  };
}

/** Check a Board object from outside (e.g. deserialized); throws 'mcu/bad-board'. */
export function validateBoard(b: Board): Board {
  if (b === null || typeof b !== 'object') badBoard('board must be an object');
  if (!isCoreId(b.core)) throw new EarshotError('mcu/unknown-core', `unknown core ${JSON.stringify(b.core)}; known cores: ${CORE_IDS.join(', ')}`);
  for (const k of ['clockMhz', 'sramBytes', 'flashBytes'] as const) {
    if (typeof b[k] !== 'number' || !Number.isFinite(b[k]) || !(b[k] > 0)) badBoard(`board ${b.id}: ${k} must be a positive number`);
  }
  if (b.activePowerMw !== undefined && !(typeof b.activePowerMw === 'number' && b.activePowerMw > 0)) badBoard(`board ${b.id}: activePowerMw must be positive`);
  return b;
}
