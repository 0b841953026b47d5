/** Playback adapter: play mono Float32 samples once through one AudioContext per factory (the browser's by default). */
export interface PlaybackOptions {
  createAudioContext?: () => AudioContext;
  /** Aborting stops the sound; the promise then resolves. */
  signal?: AbortSignal;
}

const newAudioContext = () => new AudioContext();
const contexts = new WeakMap<() => AudioContext, AudioContext>();

export async function playSamples(samples: Float32Array, sampleRateHz: number, options: PlaybackOptions = {}): Promise<void> {
  const { signal } = options;
  if (signal?.aborted) return;
  const make = options.createAudioContext ?? newAudioContext;
  const ctx = contexts.get(make) ?? make();
  contexts.set(make, ctx);
  if (ctx.state === 'suspended') await ctx.resume();
  if (signal?.aborted) return;
  const buffer = ctx.createBuffer(1, samples.length, sampleRateHz);
  buffer.copyToChannel(new Float32Array(samples), 0);
  const src = ctx.createBufferSource();
  src.buffer = buffer;
  src.connect(ctx.destination);
  const stop = () => src.stop();
  await new Promise<void>((resolve) => {
    src.onended = () => resolve();
    src.start();
    signal?.addEventListener('abort', stop, { once: true });
  });
  signal?.removeEventListener('abort', stop);
  src.disconnect();
}
