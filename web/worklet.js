// AudioWorklet processor: mixes its input to mono and posts ~0.1 s chunks to a MessagePort that the
// page hands over (the melgenre worker listens on the other end), so live audio never touches the
// page's main thread. Output is silence: the node only taps the signal.
const CHUNK_SECONDS = 0.1;

class MelgenreTap extends AudioWorkletProcessor {
  constructor() {
    super();
    this.target = null;
    this.chunk = new Float32Array(Math.max(128, Math.round(sampleRate * CHUNK_SECONDS)));
    this.filled = 0;
    this.port.onmessage = (e) => {
      if (e.data && e.data.type === 'connect') this.target = e.data.port;
      if (e.data && e.data.type === 'disconnect') { if (this.target) this.target.close(); this.target = null; }
    };
  }

  process(inputs) {
    const channels = inputs[0];
    if (!this.target || !channels || channels.length === 0) return true;
    const frames = channels[0].length;
    const scale = 1 / channels.length;
    for (let i = 0; i < frames; ++i) {
      let s = 0;
      for (let c = 0; c < channels.length; ++c) s += channels[c][i];
      this.chunk[this.filled++] = s * scale;
      if (this.filled === this.chunk.length) {
        const full = this.chunk;
        this.chunk = new Float32Array(full.length);  // before the transfer detaches full (length 0)
        this.target.postMessage(full, [full.buffer]);
        this.filled = 0;
      }
    }
    return true;
  }
}

registerProcessor('melgenre-tap', MelgenreTap);
