/**
 * Arduino sketch (zip) for the Arduino Nano 33 BLE Sense (nRF52840, Cortex-M4F): the PDM
 * microphone at the model's sample rate (16 kHz, mono, Arduino PDM library), a ring buffer of the
 * last clip, classification every post-processing hop with the Earshot header, post-processing
 * (averaging, threshold, suppression) and the detections printed to Serial (115200 baud).
 * Zip layout: <name>/<name>.ino, <name>/model.h, <name>/README.txt (the Arduino IDE wants the
 * sketch in a folder of the same name). Byte-identical for identical input (fixed zip dates).
 */
import { zipSync } from 'fflate';
import { generateCHeader, type CHeaderOptions } from './c-header.ts';
import { validatePrefix } from './c-names.ts';
import type { ModelArtifact } from '../model/artifact.ts';
import { validatePostprocessing } from '../quant/postprocess.ts';

export const ARDUINO_BOARD = 'Arduino Nano 33 BLE Sense';

export function arduinoSketch(prefix: string): string {
  const p = validatePrefix(prefix);
  const P = p.toUpperCase();
  return `/*
 * Earshot keyword spotter for the ${ARDUINO_BOARD}.
 * PDM microphone (mono) -> ${P}_SAMPLE_RATE_HZ Hz -> last ${P}_INPUT_SAMPLES samples -> ${p}_classify
 * every ${P}_PP_WINDOW_HOP_MS ms -> post-processing -> detections on Serial (115200 baud).
 * Needs the "PDM" library of the Arduino Mbed OS Nano Boards core.
 */
#include <Arduino.h>
#include <PDM.h>
#include "model.h"

/* The Nano 33 BLE's PDM library runs at 16 kHz (or 41.667 kHz): a model at 8 kHz gets every
 * other sample of a [1 2 1]/4 low-pass of the 16 kHz stream. */
#if ${P}_SAMPLE_RATE_HZ == 8000
#define MIC_RATE_HZ 16000
#define DECIMATE 2
#else
#define MIC_RATE_HZ ${P}_SAMPLE_RATE_HZ
#define DECIMATE 1
#endif

static const int kHopSamples = (int)((long)${P}_SAMPLE_RATE_HZ * ${P}_PP_WINDOW_HOP_MS / 1000);

static int16_t ring[${P}_INPUT_SAMPLES];
static volatile int ring_pos = 0;
static volatile int new_samples = 0;
static int16_t pdm_chunk[256];
static int16_t window_pcm[${P}_INPUT_SAMPLES];
static ${p}_pp_state pp;

static void push_sample(int16_t s) {
  ring[ring_pos] = s;
  ring_pos = (ring_pos + 1) % ${P}_INPUT_SAMPLES;
  new_samples++;
}

/* PDM interrupt: append the new samples (decimated to the model's rate) to the ring buffer. */
static void on_pdm_data() {
  static int32_t z1 = 0, z2 = 0;
  static int odd = 0;
  int bytes = PDM.available();
  if (bytes > (int)sizeof(pdm_chunk)) bytes = (int)sizeof(pdm_chunk);
  PDM.read(pdm_chunk, bytes);
  for (int i = 0; i < bytes / 2; i++) {
    const int32_t x = pdm_chunk[i];
    if (DECIMATE == 1) {
      push_sample((int16_t)x);
      continue;
    }
    if (odd) push_sample((int16_t)((z2 + 2 * z1 + x) >> 2));
    z2 = z1;
    z1 = x;
    odd = !odd;
  }
}

void setup() {
  Serial.begin(115200);
  while (!Serial) {
  }
  int failed = ${p}_self_test();
  Serial.print("Earshot self-test: ");
  Serial.println(failed == 0 ? "ok (bit-exact with the page)" : "FAILED");
  ${p}_pp_init(&pp);
  PDM.onReceive(on_pdm_data);
  if (!PDM.begin(1, MIC_RATE_HZ)) {
    Serial.println("Could not start the PDM microphone");
    while (1) {
    }
  }
}

void loop() {
  if (new_samples < kHopSamples) return;
  noInterrupts();
  const int start = ring_pos;
  new_samples = 0;
  for (int i = 0; i < ${P}_INPUT_SAMPLES; i++) window_pcm[i] = ring[(start + i) % ${P}_INPUT_SAMPLES];
  interrupts();

  int8_t scores[${P}_NUM_CLASSES];
  if (${p}_classify(window_pcm, scores) < 0) return;
  const int heard = ${p}_pp_push(&pp, scores);
  if (heard >= 0) {
    Serial.print("heard: ");
    Serial.print(${p}_labels[heard]);
    Serial.print(" (");
    Serial.print((int)(pp.average[heard] * 100.0f + 0.5f));
    Serial.println("%)");
  }
}
`;
}

export interface ArduinoOptions extends CHeaderOptions {
  /** Sketch (folder) name, default 'earshot_<prefix>'. */
  sketchName?: string;
}

/** The sketch folder as a zip: .ino, model.h (the Earshot header), README.txt. */
export function generateArduinoZip(artifact: ModelArtifact, opts: ArduinoOptions = {}): Uint8Array {
  return packArduinoSketch(artifact, generateCHeader(artifact, opts), opts);
}

/** Zip an already generated header (same prefix and post-processing) into the sketch folder. */
export function packArduinoSketch(artifact: ModelArtifact, header: string, opts: Pick<ArduinoOptions, 'prefix' | 'sketchName' | 'postprocessing'> = {}): Uint8Array {
  const prefix = validatePrefix(opts.prefix);
  const name = validatePrefix(opts.sketchName ?? `earshot_${prefix}`);
  const pp = validatePostprocessing(opts.postprocessing ?? artifact.postprocessing);
  const readme = [
    `Earshot sketch for the ${ARDUINO_BOARD}`,
    '',
    `1. Open ${name}/${name}.ino in the Arduino IDE.`,
    '2. Board: "Arduino Nano 33 BLE" (Arduino Mbed OS Nano Boards core); it includes the PDM library.',
    '3. Upload, then open the Serial Monitor at 115200 baud.',
    '',
    `Labels: ${artifact.labels.map((l) => JSON.stringify(l)).join(', ')}`,
    `Every ${pp.windowHopMs} ms the last ${artifact.featureConfig.clipMs} ms of audio are classified; a word is reported when`,
    `its probability averaged over ${pp.averageWindows} windows reaches ${pp.threshold}, then nothing for ${pp.suppressionMs} ms.`,
    'model.h is the Earshot firmware header: its self-test runs at start and must print "ok".',
    '',
  ].join('\n');
  const mtime = new Date(Date.UTC(2020, 0, 1));
  const enc = new TextEncoder();
  return zipSync(
    {
      [name]: {
        [`${name}.ino`]: [enc.encode(arduinoSketch(prefix)), { mtime }],
        'model.h': [enc.encode(header), { mtime }],
        'README.txt': [enc.encode(readme), { mtime }],
      },
    },
    { level: 6, mtime },
  );
}
