/**
 * Opus decoding with WebCodecs for one speaker: packets in, 20 ms of mono
 * 48 kHz samples out, each with the tag (its playout time) it went in with.
 *
 * Each packet goes in with a timestamp of its own (slot × 20 ms), which the
 * decoded AudioData keeps, so outputs find their tag even if the decoder
 * drops one (a decoder that restamps still answers in order: oldest first). Opus packets decode independently once the decoder is
 * configured, so a listener can start at any packet.
 */

const SAMPLE_RATE = 48000;

class OpusDecoder {
  /**
   * @param {object} deps
   * @param {(samples: Float32Array<ArrayBuffer>, sampleRate: number, tag: number, timestampUs: number) => void} deps.onSamples
   *   decoded samples, the tag they went in with and their packet's timestamp (slot × 20 ms)
   * @param {(err: Error) => void} [deps.onError]
   */
  constructor({ onSamples, onError = () => {} }) {
    this.onSamples = onSamples;
    this.onError = onError;
    /** @type {Map<number, number>} tag by timestamp */
    this.tags = new Map();
    this.decoded = 0;
    this.errors = 0;
    this.decoder = this._make();
  }

  /** @returns {AudioDecoder} */
  _make() {
    const decoder = new AudioDecoder({
      output: (data) => this._output(data),
      error: (err) => {
        this.errors++;
        this.onError(err);
        // A broken packet closes the decoder: start a new one for the next packets.
        this.tags.clear();
        this.decoder = this._make();
      },
    });
    decoder.configure({ codec: 'opus', sampleRate: SAMPLE_RATE, numberOfChannels: 1 });
    return decoder;
  }

  /**
   * @param {Uint8Array} data one Opus packet
   * @param {number} slot its unwrapped seq (gives it a distinct timestamp)
   * @param {number} tag handed back with the samples (the playout time)
   */
  decode(data, slot, tag) {
    const timestamp = slot * 20000;
    this.tags.set(timestamp, tag);
    if (this.tags.size > 256) this.tags.delete(this.tags.keys().next().value ?? timestamp);
    try {
      this.decoder.decode(new EncodedAudioChunk({ type: 'key', timestamp, data }));
    } catch (err) {
      this.errors++;
      this.onError(err instanceof Error ? err : new Error(String(err)));
    }
  }

  close() {
    if (this.decoder.state !== 'closed') this.decoder.close();
  }

  /** @param {AudioData} data */
  _output(data) {
    try {
      // A decoder that restamps its outputs still answers in order: then the oldest tag is it.
      const key = this.tags.has(data.timestamp) ? data.timestamp : this.tags.keys().next().value;
      if (key === undefined) return;
      const tag = /** @type {number} */ (this.tags.get(key));
      this.tags.delete(key);
      const samples = new Float32Array(data.numberOfFrames);
      data.copyTo(samples, { planeIndex: 0, format: 'f32-planar' });
      this.decoded++;
      this.onSamples(samples, data.sampleRate, tag, key);
    } finally {
      data.close();
    }
  }
}

export { OpusDecoder, SAMPLE_RATE };
