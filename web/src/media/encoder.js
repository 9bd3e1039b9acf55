/**
 * Opus encoding with WebCodecs: mono, ~28 kbit/s, 20 ms packets, each with its
 * slot number (`seq`) in the speaker's stream (docs/protocol.md, "Media").
 *
 * The encoder is configured from the first frame (its sample rate: a
 * microphone may run at 44.1 kHz; Opus packets decode at 48 kHz whatever went
 * in). `seq` comes from the packet's timestamp, so a packet dropped by the
 * silence gate leaves a gap of exactly its slots, and starts at a random
 * value so listeners tell a restarted stream from a late packet. Packets are
 * stamped on the input frames' clock, whatever clock the encoder keeps.
 */

import { CaptureError } from './captureerror.js';

/** Microseconds of audio in one packet. */
const PACKET_US = 20000;

class OpusEncoder {
  /**
   * @param {object} deps
   * @param {(seq: number, data: Uint8Array, timestampUs: number) => void} deps.onPacket
   * @param {(err: Error) => void} [deps.onError]
   * @param {number} [deps.bitrate] bits per second
   * @param {() => number} [deps.random] the first seq's source (0–1)
   */
  constructor({ onPacket, onError = () => {}, bitrate = 28000, random = Math.random }) {
    if (typeof AudioEncoder !== 'function') throw new CaptureError('media.noEncoder', 'no AudioEncoder');
    this.onPacket = onPacket;
    this.onError = onError;
    this.bitrate = bitrate;
    this.seq0 = Math.floor(random() * 65536);
    /** @type {number | null} the first frame's timestamp (µs) */
    this.in0 = null;
    /** @type {number | null} the first packet's timestamp as the encoder stamped it (µs) */
    this.out0 = null;
    this.packets = 0;
    this.bytes = 0;
    this.encoder = new AudioEncoder({
      output: (chunk) => this._output(chunk),
      error: (err) => this.onError(err),
    });
  }

  /**
   * Encode one frame (closed here).
   * @param {AudioData} frame
   */
  encode(frame) {
    try {
      if (this.encoder.state === 'closed') return;
      if (this.encoder.state === 'unconfigured') {
        this.encoder.configure({
          codec: 'opus', sampleRate: frame.sampleRate, numberOfChannels: 1, bitrate: this.bitrate,
          opus: { frameDuration: PACKET_US, useinbandfec: false, usedtx: false },
        });
      }
      this.in0 ??= frame.timestamp;
      this.encoder.encode(frame);
    } catch (err) {
      this.onError(err instanceof Error ? err : new Error(String(err)));
    } finally {
      frame.close();
    }
  }

  /** Stop; pending packets are dropped. */
  close() {
    if (this.encoder.state !== 'closed') this.encoder.close();
  }

  /** @param {EncodedAudioChunk} chunk */
  _output(chunk) {
    const data = new Uint8Array(chunk.byteLength);
    chunk.copyTo(data);
    this.out0 ??= chunk.timestamp;
    // On the frames' clock: an encoder in a worker stamps packets on a clock of its own (Chrome's
    // is seconds apart from what the track processor there says), and the silence gate matches
    // packets to the levels of the frames they came from.
    const ts = (this.in0 ?? this.out0) + chunk.timestamp - this.out0;
    const seq = (this.seq0 + Math.round((ts - (this.in0 ?? this.out0)) / PACKET_US)) & 0xffff;
    this.packets++;
    this.bytes += data.byteLength;
    this.onPacket(seq, data, ts);
  }
}

export { OpusEncoder, PACKET_US };
