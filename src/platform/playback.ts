/** Playback adapter: play mono Float32 samples once through one shared AudioContext. */
export interface PlaybackOptions {
  createAudioContext?: () => AudioContext;
}

let shared: AudioContext | null = null;

export async function playSamples(samples: Float32Array, sampleRateHz: number, options: PlaybackOptions = {}): Promise<void> {
  shared ??= (options.createAudioContext ?? (() => new AudioContext()))();
  const ctx = shared;
  if (ctx.state === 'suspended') await ctx.resume();
  const buffer = ctx.createBuffer(1, samples.length, sampleRateHz);
  buffer.copyToChannel(new Float32Array(samples), 0);
  const src = ctx.createBufferSource();
  src.buffer = buffer;
  src.connect(ctx.destination);
  await new Promise<void>((resolve) => {
    src.onended = () => resolve();
    src.start();
  });
  src.disconnect();
}
