/**
 * Import throughput in Node: WAV parse → mono → resample → fit → 16-bit grid → IndexedDB put
 * (fake-indexeddb, one transaction per clip, as the page does), for 1000 one-second 16 kHz mono
 * WAVs and 200 one-second 44.1 kHz stereo WAVs. The peer is the `wav-decoder` npm package
 * (decodeSync) doing the parse in the same pipeline, measured in the same run; the decode-only
 * ratio isolates the parser. Figures: clips/s and MB/s of WAV bytes, best of 3 rounds.
 *   npx tsx bench/import.bench.ts
 */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import wavDecoder from 'wav-decoder';
import { decodeWav, encodeWav, toMono, type DecodedAudio } from '../src/core/audio/wav.ts';
import { prepareSamples } from '../src/core/audio/prepare.ts';
import { quantizePcm16 } from '../src/core/audio/pcm16.ts';
import { makeClip } from '../src/core/dataset/clip.ts';
import { DEFAULT_FEATURE_CONFIG } from '../src/core/dsp/feature-config.ts';
import { openClipStore } from '../src/platform/clip-store.ts';
import { mulberry32 } from '../src/core/model/prng.ts';
import { wav } from '../tests/fixtures/bad-inputs.ts';

const config = DEFAULT_FEATURE_CONFIG;

function noise(n: number, seed: number): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length: n }, () => (r() * 2 - 1) * 0.5);
}

function stereo44k(seed: number): Uint8Array {
  const l = noise(44100, seed);
  const pcm = new Int16Array(2 * l.length);
  for (let i = 0; i < l.length; i++) pcm[2 * i] = pcm[2 * i + 1] = Math.round(l[i] * 32767);
  return wav({ channels: 2, rateHz: 44100, data: new Uint8Array(pcm.buffer) });
}

const sets = [
  { name: '1000 × 1 s 16 kHz mono 16-bit', files: Array.from({ length: 1000 }, (_, i) => encodeWav(noise(16000, i + 1), 16000)) },
  { name: '200 × 1 s 44.1 kHz stereo 16-bit', files: Array.from({ length: 200 }, (_, i) => stereo44k(i + 1)) },
];

type Decode = (bytes: Uint8Array) => DecodedAudio;
const earshot: Decode = (b) => decodeWav(b);
const peer: Decode = (b) => {
  const r = wavDecoder.decode.sync(b.slice().buffer);
  return { sampleRateHz: r.sampleRate, channels: r.channelData };
};

async function pipeline(files: Uint8Array[], decode: Decode): Promise<number> {
  (globalThis as { indexedDB?: IDBFactory }).indexedDB = new IDBFactory();
  const store = await openClipStore();
  const t0 = performance.now();
  for (let i = 0; i < files.length; i++) {
    const audio = decode(files[i]);
    const samples = quantizePcm16(prepareSamples(toMono(audio.channels), audio.sampleRateHz, config));
    await store.putClip(makeClip({ id: `c${i}`, label: 'yes', samples, sampleRateHz: config.sampleRateHz, source: 'file' }));
  }
  const ms = performance.now() - t0;
  if ((await store.listClips()).length !== files.length) throw new Error('not every clip was stored');
  store.close();
  return ms;
}

function decodeOnly(files: Uint8Array[], decode: Decode): number {
  const t0 = performance.now();
  let sink = 0;
  for (const f of files) sink += decode(f).channels[0][100];
  const ms = performance.now() - t0;
  if (Number.isNaN(sink)) throw new Error('NaN');
  return ms;
}

const best = async (f: () => Promise<number> | number) => {
  let b = Infinity;
  for (let i = 0; i < 3; i++) b = Math.min(b, await f());
  return b;
};

for (const set of sets) {
  const mb = set.files.reduce((n, f) => n + f.length, 0) / 1e6;
  const n = set.files.length;
  // same samples from both decoders, or the comparison means nothing
  const a = decodeWav(set.files[0]).channels[0];
  const b = peer(set.files[0]).channels[0];
  if (a.length !== b.length || a.some((v, i) => Math.abs(v - b[i]) > 1 / 32767)) throw new Error('decoders disagree');
  const ours = await best(() => pipeline(set.files, earshot));
  const theirs = await best(() => pipeline(set.files, peer));
  const dOurs = await best(() => decodeOnly(set.files, earshot));
  const dTheirs = await best(() => decodeOnly(set.files, peer));
  const line = (who: string, ms: number) => `${who}: ${((n * 1000) / ms).toFixed(0)} clips/s, ${((mb * 1000) / ms).toFixed(1)} MB/s`;
  console.log(`${set.name} (${mb.toFixed(1)} MB), parse+resample+store:`);
  console.log(`  ${line('earshot decodeWav ', ours)}`);
  console.log(`  ${line('wav-decoder (peer)', theirs)}`);
  console.log(`  pipeline ratio earshot/peer ${(theirs / ours).toFixed(2)}×; decode only ${(dTheirs / dOurs).toFixed(2)}× (${((mb * 1000) / dOurs).toFixed(0)} vs ${((mb * 1000) / dTheirs).toFixed(0)} MB/s)`);
}
