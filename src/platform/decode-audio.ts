/**
 * Browser decoding for files that are not WAV (mp3, ogg, m4a, flac… whatever this browser's
 * decodeAudioData knows). The OfflineAudioContext runs at `rateHz`, so the browser also
 * resamples; Earshot's own resampler is used for WAV.
 */
import { EarshotError } from '../core/errors.ts';
import type { DecodedAudio } from '../core/audio/wav.ts';

export type DecodeAudio = (bytes: Uint8Array) => Promise<DecodedAudio>;

export function browserDecoder(rateHz: number, make: (rate: number) => BaseAudioContext = (r) => new OfflineAudioContext(1, 1, r)): DecodeAudio {
  return async (bytes) => {
    let buf: AudioBuffer;
    try {
      buf = await make(rateHz).decodeAudioData(bytes.slice().buffer);
    } catch (e) {
      throw new EarshotError('wav/not-riff', `not a WAV file, and this browser cannot decode it as audio either (${(e as Error)?.message ?? String(e)})`, { cause: e });
    }
    const channels: Float32Array[] = [];
    for (let c = 0; c < buf.numberOfChannels; c++) channels.push(Float32Array.from(buf.getChannelData(c)));
    return { sampleRateHz: buf.sampleRate, channels };
  };
}
