/**
 * RIFF/WAVE codec. Decodes PCM 8 (unsigned), 16, 24, 32-bit integer and 32/64-bit float
 * (format 1, 3 and WAVE_FORMAT_EXTENSIBLE), any channel count, skipping unknown chunks
 * (with RIFF's pad byte after odd-sized chunks). Encodes 16-bit PCM mono.
 */
import { EarshotError } from '../errors.ts';
import { pcm16Of } from './pcm16.ts';

export interface DecodedAudio {
  sampleRateHz: number;
  /** One Float32Array per channel, samples in [-1, 1]. */
  channels: Float32Array[];
}

const FORMAT_PCM = 1;
const FORMAT_FLOAT = 3;
const FORMAT_EXTENSIBLE = 0xfffe;
export const MIN_WAV_RATE_HZ = 1000;
export const MAX_WAV_RATE_HZ = 384000;
/** More channels than any audio interface a student has: refused rather than allocated. */
export const MAX_WAV_CHANNELS = 64;
/** 128 MiB ≈ 11 min of 48 kHz stereo 16-bit: longer files are refused before decoding. */
export const MAX_WAV_BYTES = 128 * 1024 * 1024;

function fourcc(b: Uint8Array, at: number): string {
  return String.fromCharCode(b[at], b[at + 1], b[at + 2], b[at + 3]);
}

interface Fmt {
  format: number;
  channels: number;
  sampleRateHz: number;
  blockAlign: number;
  bitsPerSample: number;
}

function parseFmt(view: DataView, at: number, size: number): Fmt {
  if (size < 16) throw new EarshotError('wav/bad-chunk', `fmt chunk of ${size} bytes (need at least 16)`);
  let format = view.getUint16(at, true);
  const channels = view.getUint16(at + 2, true);
  const sampleRateHz = view.getUint32(at + 4, true);
  const blockAlign = view.getUint16(at + 12, true);
  const bitsPerSample = view.getUint16(at + 14, true);
  if (format === FORMAT_EXTENSIBLE) {
    if (size < 40) throw new EarshotError('wav/bad-chunk', `WAVE_FORMAT_EXTENSIBLE fmt chunk of ${size} bytes (need 40)`);
    // The sub-format GUID starts at offset 24; its first two bytes are the format code.
    format = view.getUint16(at + 24, true);
  }
  return { format, channels, sampleRateHz, blockAlign, bitsPerSample };
}

function checkFmt(fmt: Fmt): number {
  if (fmt.channels === 0) throw new EarshotError('wav/bad-channels', 'WAV declares zero channels');
  if (fmt.channels > MAX_WAV_CHANNELS) throw new EarshotError('wav/bad-channels', `WAV declares ${fmt.channels} channels (at most ${MAX_WAV_CHANNELS} are read)`);
  if (fmt.sampleRateHz < MIN_WAV_RATE_HZ || fmt.sampleRateHz > MAX_WAV_RATE_HZ) {
    throw new EarshotError('wav/bad-rate', `sample rate ${fmt.sampleRateHz} Hz is outside ${MIN_WAV_RATE_HZ}..${MAX_WAV_RATE_HZ}`);
  }
  const bits = fmt.bitsPerSample;
  const ok =
    (fmt.format === FORMAT_PCM && (bits === 8 || bits === 16 || bits === 24 || bits === 32)) ||
    (fmt.format === FORMAT_FLOAT && (bits === 32 || bits === 64));
  if (!ok) throw new EarshotError('wav/unsupported-format', `unsupported WAV format ${fmt.format} with ${bits} bits per sample`);
  const bytes = bits / 8;
  const frameBytes = bytes * fmt.channels;
  if (fmt.blockAlign !== frameBytes) {
    throw new EarshotError('wav/bad-chunk', `block align ${fmt.blockAlign} does not match ${fmt.channels} channels × ${bytes} bytes`);
  }
  return frameBytes;
}

export interface DecodeWavOptions {
  /** Refuse inputs longer than this many bytes; default MAX_WAV_BYTES. */
  maxBytes?: number;
}

/**
 * Decode a RIFF/WAVE file. Throws EarshotError with a 'wav/*' code. Float samples must be
 * finite ('wav/bad-sample' names the first NaN/Infinity); values beyond ±1 are kept (they
 * saturate when stored as 16-bit).
 */
export function decodeWav(bytes: Uint8Array, options: DecodeWavOptions = {}): DecodedAudio {
  if (!(bytes instanceof Uint8Array)) throw new EarshotError('wav/not-riff', 'expected bytes');
  const maxBytes = options.maxBytes ?? MAX_WAV_BYTES;
  if (bytes.length > maxBytes) throw new EarshotError('wav/too-large', `${bytes.length} bytes is more than the ${maxBytes} bytes a WAV may have here`);
  if (bytes.length < 12) throw new EarshotError(bytes.length >= 4 && fourcc(bytes, 0) !== 'RIFF' ? 'wav/not-riff' : 'wav/truncated', `only ${bytes.length} bytes: too short for a WAV header`);
  if (fourcc(bytes, 0) !== 'RIFF' || fourcc(bytes, 8) !== 'WAVE') throw new EarshotError('wav/not-riff', 'not a RIFF/WAVE file');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let fmt: Fmt | undefined;
  let dataAt = -1;
  let dataBytes = 0;
  let at = 12;
  // The RIFF size is often wrong in streamed files: walk the chunks to the end of the bytes.
  while (at + 8 <= bytes.length) {
    const id = fourcc(bytes, at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    const available = bytes.length - body;
    if (id === 'fmt ') {
      if (size > available) throw new EarshotError('wav/truncated', `fmt chunk declares ${size} bytes, ${available} present`);
      fmt = parseFmt(view, body, size);
    } else if (id === 'data') {
      dataAt = body;
      dataBytes = Math.min(size, available);
      if (size >= available) break; // runs to the end (streamed or truncated file)
    } else if (size > available) {
      throw new EarshotError('wav/bad-chunk', `chunk '${id}' declares ${size} bytes, only ${available} present`);
    }
    at = body + size + (size & 1);
  }
  if (!fmt) throw new EarshotError(bytes.length < 20 ? 'wav/truncated' : 'wav/no-fmt', 'WAV has no fmt chunk');
  const frameBytes = checkFmt(fmt);
  if (dataAt < 0) throw new EarshotError('wav/no-data', 'WAV has no data chunk');
  const frames = Math.floor(dataBytes / frameBytes);
  const declared = view.getUint32(dataAt - 4, true);
  if (frames === 0 && declared > dataBytes) throw new EarshotError('wav/truncated', `data chunk declares ${declared} bytes, ${dataBytes} present`);
  const channels: Float32Array[] = [];
  for (let c = 0; c < fmt.channels; c++) channels.push(new Float32Array(frames));
  const bytesPer = fmt.bitsPerSample / 8;
  for (let c = 0; c < fmt.channels; c++) {
    const ch = channels[c];
    let p = dataAt + c * bytesPer;
    if (fmt.format === FORMAT_FLOAT) {
      if (bytesPer === 4) for (let i = 0; i < frames; i++, p += frameBytes) ch[i] = view.getFloat32(p, true);
      else for (let i = 0; i < frames; i++, p += frameBytes) ch[i] = view.getFloat64(p, true);
    } else if (bytesPer === 1) {
      for (let i = 0; i < frames; i++, p += frameBytes) ch[i] = (bytes[p] - 128) / 128;
    } else if (bytesPer === 2) {
      for (let i = 0; i < frames; i++, p += frameBytes) ch[i] = view.getInt16(p, true) / 32768;
    } else if (bytesPer === 3) {
      for (let i = 0; i < frames; i++, p += frameBytes) {
        const v = bytes[p] | (bytes[p + 1] << 8) | (bytes[p + 2] << 16);
        ch[i] = ((v << 8) >> 8) / 8388608;
      }
    } else {
      for (let i = 0; i < frames; i++, p += frameBytes) ch[i] = view.getInt32(p, true) / 2147483648;
    }
  }
  if (fmt.format === FORMAT_FLOAT) checkFinite(channels);
  return { sampleRateHz: fmt.sampleRateHz, channels };
}

function checkFinite(channels: Float32Array[]): void {
  for (let c = 0; c < channels.length; c++) {
    const ch = channels[c];
    for (let i = 0; i < ch.length; i++) {
      if (!Number.isFinite(ch[i])) throw new EarshotError('wav/bad-sample', `sample ${i} of channel ${c + 1} is ${ch[i]}: float WAVs must hold finite values`);
    }
  }
}

/** Average of the channels (one channel is returned as a copy). */
export function toMono(channels: Float32Array[]): Float32Array {
  if (channels.length === 0) throw new EarshotError('audio/empty', 'no channels');
  const n = channels[0].length;
  for (const ch of channels) if (ch.length !== n) throw new EarshotError('audio/bad-length', 'channels differ in length');
  if (channels.length === 1) return Float32Array.from(channels[0]);
  const out = new Float32Array(n);
  const k = channels.length;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let c = 0; c < k; c++) s += channels[c][i];
    out[i] = s / k;
  }
  return out;
}

/** 16-bit PCM mono WAV; samples are clamped to [-1, 1) and rounded to nearest (as toPcm16). */
export function encodeWav(samples: Float32Array, sampleRateHz: number): Uint8Array {
  if (!Number.isInteger(sampleRateHz) || sampleRateHz < MIN_WAV_RATE_HZ || sampleRateHz > MAX_WAV_RATE_HZ) {
    throw new EarshotError('audio/bad-rate', `sample rate must be an integer from ${MIN_WAV_RATE_HZ} to ${MAX_WAV_RATE_HZ} Hz, got ${sampleRateHz}`);
  }
  const n = samples.length;
  const out = new Uint8Array(44 + 2 * n);
  const view = new DataView(out.buffer);
  const put = (at: number, s: string): void => {
    for (let i = 0; i < 4; i++) out[at + i] = s.charCodeAt(i);
  };
  put(0, 'RIFF');
  view.setUint32(4, 36 + 2 * n, true);
  put(8, 'WAVE');
  put(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, FORMAT_PCM, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, sampleRateHz, true);
  view.setUint32(28, sampleRateHz * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  put(36, 'data');
  view.setUint32(40, 2 * n, true);
  for (let i = 0; i < n; i++) {
    view.setInt16(44 + 2 * i, pcm16Of(samples[i]), true);
  }
  return out;
}
