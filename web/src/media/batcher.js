/**
 * Encoded chunks into AUDIO frames (docs/protocol.md, "Media"): a frame carries
 * 1–5 chunks of one stream; sending two at a time (40 ms) halves the message
 * rate for 20 ms of extra delay. A chunk too big for the server's limit
 * (`limits.media_chunk_max_bytes`) is dropped here, counted, never sent to be
 * refused. `flush()` sends what waits (the microphone closed or went silent).
 *
 * Pure; the sending is injected. Unit-tested in test/batcher.test.js.
 */

/** Most chunks in one AUDIO frame. */
const MAX_PER_FRAME = 5;

/**
 * @typedef {object} Chunk one 20 ms Opus packet and its slot
 * @property {number} seq
 * @property {Uint8Array} data
 */

class ChunkBatcher {
  /**
   * @param {object} deps
   * @param {(chunks: Chunk[]) => void} deps.send sends one AUDIO frame's chunks
   * @param {number} [deps.perFrame] chunks per frame (1–5)
   * @param {number} [deps.maxChunkBytes] the server's per-chunk limit
   */
  constructor({ send, perFrame = 2, maxChunkBytes = 400 }) {
    this.send = send;
    this.perFrame = Math.max(1, Math.min(MAX_PER_FRAME, perFrame));
    this.maxChunkBytes = maxChunkBytes;
    /** @type {Chunk[]} */
    this.pending = [];
    this.frames = 0;
    this.chunks = 0;
    this.oversized = 0;
  }

  /**
   * @param {number} seq the chunk's 20 ms slot (wraps at 65,536)
   * @param {Uint8Array} data
   */
  add(seq, data) {
    if (data.byteLength < 1 || data.byteLength > this.maxChunkBytes) {
      this.oversized++;
      return;
    }
    this.pending.push({ seq: seq & 0xffff, data });
    if (this.pending.length >= this.perFrame) this.flush();
  }

  /** Send whatever waits. */
  flush() {
    if (!this.pending.length) return;
    const chunks = this.pending;
    this.pending = [];
    this.frames++;
    this.chunks += chunks.length;
    this.send(chunks);
  }
}

export { ChunkBatcher, MAX_PER_FRAME };
