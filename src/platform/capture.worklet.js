// AudioWorklet processor: copies channel 0 of its input, at the context's native rate, into
// Float32 blocks of BLOCK frames and posts them (transferred) to the main thread.
// Plain JS module: it is loaded by URL into the AudioWorkletGlobalScope, not bundled.
const BLOCK = 2048;

class EarshotCapture extends AudioWorkletProcessor {
  constructor() {
    super();
    this.buf = new Float32Array(BLOCK);
    this.fill = 0;
  }

  process(inputs) {
    const ch = inputs[0] && inputs[0][0];
    if (ch) {
      let i = 0;
      while (i < ch.length) {
        const n = Math.min(ch.length - i, BLOCK - this.fill);
        this.buf.set(ch.subarray(i, i + n), this.fill);
        this.fill += n;
        i += n;
        if (this.fill === BLOCK) {
          this.port.postMessage(this.buf, [this.buf.buffer]);
          this.buf = new Float32Array(BLOCK);
          this.fill = 0;
        }
      }
    }
    return true;
  }
}

registerProcessor('earshot-capture', EarshotCapture);
