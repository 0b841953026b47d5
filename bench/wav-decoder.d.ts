/** The part of the `wav-decoder` package (no bundled types) that bench/import.bench.ts calls. */
declare module 'wav-decoder' {
  interface Decoded {
    sampleRate: number;
    channelData: Float32Array[];
  }
  const wavDecoder: { decode: { sync(buffer: ArrayBuffer): Decoded } };
  export default wavDecoder;
}
