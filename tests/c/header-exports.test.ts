/**
 * Other exports: the TFLM-style model.h (bytes = the .tflite, 16-byte aligned, length) and
 * model_settings.h build with gcc -Werror and hold what they claim; the Arduino sketch zip has its
 * files, and its C++ part compiles with arm-none-eabi-g++ for the Nano 33 BLE Sense's Cortex-M4F.
 * Platform edge: Arduino.h and PDM.h are tiny stand-ins written here that only DECLARE what the
 * sketch uses (Serial, PDM, noInterrupts); the sketch is compiled, not linked or run. The firmware
 * header itself is also built as C++ with host g++ and its self-test run.
 */
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { validateFeatureConfig } from '../../src/core/dsp/feature-config.ts';
import { generateArduinoZip } from '../../src/core/export/arduino.ts';
import { generateCHeader } from '../../src/core/export/c-header.ts';
import { generateTflite } from '../../src/core/export/tflite.ts';
import { generateTflmModelH, generateTflmSettingsH } from '../../src/core/export/tflm.ts';
import { TEST_SPECS } from '../unit/quantize-fixtures.ts';
import { compileAndRun, compileC, requireTool, STRICT_C_FLAGS } from './helpers/gcc.ts';
import { seededQuantizedModel } from './helpers/model-fixtures.ts';
import { ARM_CC } from './helpers/qemu.ts';

const CONFIG = validateFeatureConfig({ clipMs: 250, windowMs: 25, hopMs: 20, fftSize: 512, melBands: 12 });
const { artifact } = seededQuantizedModel(TEST_SPECS.residual!, CONFIG, 3, { clips: 0 });
const dec = new TextDecoder();

const ARDUINO_H = `#pragma once
#include <stdint.h>
#include <stddef.h>
/* Stand-in declarations only (test platform edge), not the Arduino core. */
class HardwareSerialStandIn {
 public:
  void begin(unsigned long baud);
  explicit operator bool() const;
  size_t print(const char *s);
  size_t print(int v);
  size_t println(const char *s);
  size_t println(int v);
};
extern HardwareSerialStandIn Serial;
void noInterrupts(void);
void interrupts(void);
`;
const PDM_H = `#pragma once
/* Stand-in declaration of the Arduino PDM library's interface (test platform edge). */
class PDMClassStandIn {
 public:
  int begin(int channels, int sampleRate);
  void onReceive(void (*function)(void));
  int available();
  int read(void *buffer, int size);
};
extern PDMClassStandIn PDM;
`;

describe('TFLM model.h and model_settings.h', () => {
  it.skipIf(!requireTool('gcc'))('build with gcc -Werror; the array is the .tflite, aligned to 16, with its length', () => {
    const modelH = generateTflmModelH(artifact, { prefix: 'kws', generator: 'earshot test' });
    const settingsH = generateTflmSettingsH(artifact, { prefix: 'kws' });
    expect(generateTflmModelH(artifact, { prefix: 'kws', generator: 'earshot test' })).toBe(modelH);
    const tflite = generateTflite(artifact, { description: 'earshot test' });
    const program = `#include <stdio.h>
#include <stdint.h>
#include "model.h"
#include "model_settings.h"
int main(void) {
  unsigned int i, sum = 0;
  for (i = 0; i < kws_model_tflite_len; i++) sum = sum * 31u + kws_model_tflite[i];
  printf("%u %u %d %d %d %s\\n", kws_model_tflite_len, sum, (int)((uintptr_t)kws_model_tflite % 16), KWS_FEATURE_COUNT, KWS_NUM_CLASSES, kws_labels[0]);
  return 0;
}
`;
    const r = compileAndRun(program, undefined, { flags: [...STRICT_C_FLAGS, '-O2'], files: { 'model.h': modelH, 'model_settings.h': settingsH } });
    let sum = 0;
    for (const b of tflite) sum = (Math.imul(sum, 31) + b) >>> 0;
    const shape = artifact.quantized!.input.shape.reduce((a, b) => a * b, 1);
    expect(r.stdout.trim()).toBe(`${tflite.length} ${sum} 0 ${shape} ${artifact.labels.length} yes`);
    expect(settingsH).toContain(`#define KWS_SAMPLE_RATE_HZ`);
    expect(settingsH).toMatch(/model hash \(FNV-1a 32 of model.json \+ model.bin\): [0-9a-f]{8}/);
  });
});

describe('Arduino sketch zip', () => {
  const zip = generateArduinoZip(artifact, { prefix: 'kws', generator: 'earshot test' });
  const files = unzipSync(zip);

  it('holds the sketch folder: .ino, model.h (the firmware header), README; byte-identical output', () => {
    expect(Object.keys(files).filter((k) => !k.endsWith('/')).sort()).toEqual(['earshot_kws/README.txt', 'earshot_kws/earshot_kws.ino', 'earshot_kws/model.h']);
    expect(generateArduinoZip(artifact, { prefix: 'kws', generator: 'earshot test' })).toEqual(zip);
    expect(dec.decode(files['earshot_kws/model.h'])).toBe(generateCHeader(artifact, { prefix: 'kws', generator: 'earshot test' }));
    const ino = dec.decode(files['earshot_kws/earshot_kws.ino']);
    expect(ino).toContain('PDM.begin(1, MIC_RATE_HZ)');
    expect(ino).toContain('#if KWS_SAMPLE_RATE_HZ == 8000'); // the PDM runs at 16 kHz: 8 kHz models get a decimated stream
    expect(ino).toContain('kws_pp_push(&pp, scores)');
    expect(ino).toContain('Serial.print');
  });

  it.skipIf(!requireTool('arm-none-eabi-g++'))('the sketch compiles with arm-none-eabi-g++ for Cortex-M4F (-Wall -Wextra -Werror), against stand-in Arduino/PDM declarations', () => {
    void ARM_CC;
    const ino = dec.decode(files['earshot_kws/earshot_kws.ino']);
    const built = compileC(ino, {
      compiler: 'arm-none-eabi-g++',
      flags: ['-x', 'c++', '-std=gnu++11', '-mcpu=cortex-m4', '-mthumb', '-mfloat-abi=hard', '-mfpu=fpv4-sp-d16', '-Os', '-Wall', '-Wextra', '-Werror', '-I.', '-c'],
      files: { 'model.h': dec.decode(files['earshot_kws/model.h']), 'Arduino.h': ARDUINO_H, 'PDM.h': PDM_H },
    });
    try {
      expect(built.stderr).toBe('');
    } finally {
      built.cleanup();
    }
  });

  it.skipIf(!requireTool('g++'))('the firmware header is valid C++: host g++ -Werror build, self-test 0', () => {
    const r = compileAndRun('#include <stdio.h>\n#include "model.h"\nint main() { printf("%d\\n", kws_self_test()); return 0; }\n', undefined, {
      compiler: 'g++',
      flags: ['-x', 'c++', '-std=c++11', '-O2', '-Wall', '-Wextra', '-Werror'],
      files: { 'model.h': dec.decode(files['earshot_kws/model.h']) },
    });
    expect(r.stdout.trim()).toBe('0');
  });
});
