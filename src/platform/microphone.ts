/**
 * Microphone adapter: getUserMedia (no echo cancellation, noise suppression or AGC, so the
 * model hears what the board's microphone would) → AudioWorklet at the context's native
 * rate → Float32 blocks. Browser globals are injectable options with real defaults.
 */
import { EarshotError } from '../core/errors.ts';

export interface MicrophoneOptions {
  getUserMedia?: (c: MediaStreamConstraints) => Promise<MediaStream>;
  createAudioContext?: () => AudioContext;
  workletUrl?: string;
}

/** What the browser actually applied (MediaStreamTrack.getSettings()); absent fields were not reported. */
export interface MicSettings {
  echoCancellation?: boolean;
  noiseSuppression?: boolean;
  autoGainControl?: boolean;
  /** The track's rate (may differ from the AudioContext's, which then resamples). */
  sampleRate?: number;
  channelCount?: number;
  /** The device's name when the browser gives it. */
  label?: string;
}

export interface Microphone {
  /** The AudioContext's rate; blocks arrive at this rate. */
  readonly sampleRateHz: number;
  /** The applied track settings (real microphones; test doubles may omit them). */
  readonly settings?: MicSettings;
  /** Called once if the device goes away (unplugged, revoked); returns the unsubscribe function. */
  onEnded?(cb: () => void): () => void;
  /** Subscribe to raw mono blocks; returns the unsubscribe function. */
  onBlock(cb: (block: Float32Array) => void): () => void;
  close(): Promise<void>;
}

export type OpenMicrophone = (options?: MicrophoneOptions) => Promise<Microphone>;

export const MIC_CONSTRAINTS: MediaStreamConstraints = {
  audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false, channelCount: 1 },
  video: false,
};

/** The settings the browser applied to the track, as far as it reports them. */
export function settingsOf(track: MediaStreamTrack | undefined): MicSettings {
  if (!track) return {};
  const s = (track.getSettings?.() ?? {}) as MediaTrackSettings;
  const out: MicSettings = {};
  if (typeof s.echoCancellation === 'boolean') out.echoCancellation = s.echoCancellation;
  if (typeof s.noiseSuppression === 'boolean') out.noiseSuppression = s.noiseSuppression;
  if (typeof s.autoGainControl === 'boolean') out.autoGainControl = s.autoGainControl;
  if (typeof s.sampleRate === 'number') out.sampleRate = s.sampleRate;
  if (typeof s.channelCount === 'number') out.channelCount = s.channelCount;
  if (track.label) out.label = track.label;
  return out;
}

const WORKLET_URL = new URL('./capture.worklet.js', import.meta.url).href;

export const openMicrophone: OpenMicrophone = async (options = {}) => {
  const getUserMedia =
    options.getUserMedia ??
    ((c: MediaStreamConstraints) => {
      if (!navigator.mediaDevices?.getUserMedia) {
        throw new EarshotError('mic/unavailable', 'this browser gives no microphone access here (a secure origin is needed)');
      }
      return navigator.mediaDevices.getUserMedia(c);
    });
  let stream: MediaStream;
  try {
    stream = await getUserMedia(MIC_CONSTRAINTS);
  } catch (e) {
    if (e instanceof EarshotError) throw e;
    const name = (e as { name?: string } | null)?.name;
    if (name === 'NotAllowedError' || name === 'SecurityError') {
      throw new EarshotError('mic/denied', 'microphone permission was denied', { cause: e });
    }
    if (name === 'NotFoundError' || name === 'OverconstrainedError') {
      throw new EarshotError('mic/unavailable', 'no microphone was found: plug one in (or check the system sound settings), then start the microphone again', { cause: e });
    }
    if (name === 'NotReadableError') {
      throw new EarshotError('mic/unavailable', 'the microphone is busy or blocked by the system: close other apps using it, then try again', { cause: e });
    }
    throw new EarshotError('mic/unavailable', `no microphone: ${(e as Error)?.message ?? String(e)}`, { cause: e });
  }
  const ctx = (options.createAudioContext ?? (() => new AudioContext()))();
  try {
    await ctx.audioWorklet.addModule(options.workletUrl ?? WORKLET_URL);
    const source = ctx.createMediaStreamSource(stream);
    const node = new AudioWorkletNode(ctx, 'earshot-capture', { numberOfInputs: 1, numberOfOutputs: 1, channelCount: 1 });
    source.connect(node);
    // The node outputs silence; connecting it keeps the graph pulling it.
    node.connect(ctx.destination);
    const listeners = new Set<(b: Float32Array) => void>();
    node.port.onmessage = (ev: MessageEvent<Float32Array>) => {
      for (const cb of listeners) cb(ev.data);
    };
    if (ctx.state === 'suspended') await ctx.resume();
    const track = stream.getAudioTracks()[0];
    const ended = new Set<() => void>();
    track?.addEventListener('ended', () => {
      for (const cb of ended) cb();
    });
    return {
      sampleRateHz: ctx.sampleRate,
      settings: settingsOf(track),
      onEnded(cb) {
        ended.add(cb);
        return () => ended.delete(cb);
      },
      onBlock(cb) {
        listeners.add(cb);
        return () => listeners.delete(cb);
      },
      async close() {
        listeners.clear();
        ended.clear();
        node.port.onmessage = null;
        source.disconnect();
        node.disconnect();
        for (const t of stream.getTracks()) t.stop();
        await ctx.close();
      },
    };
  } catch (e) {
    for (const t of stream.getTracks()) t.stop();
    await ctx.close().catch(() => undefined);
    throw new EarshotError('mic/unavailable', `could not start audio capture: ${(e as Error)?.message ?? String(e)}`, { cause: e });
  }
};
