/**
 * Opus encoding with WebCodecs: mono, ~28 kbit/s, 20 ms packets, each with its
 * slot number (`seq`) in the speaker's stream (docs/protocol.md, "Media").
 *
 * The encoder is configured from the first frame (its sample rate: a
 * microphone may run at 44.1 kHz; Opus packets decode at 48 kHz whatever went
 * in). `seq` comes from the packet's timestamp, so a packet dropped by the
 * silence gate leaves a gap of exactly its slots, and starts at a random
 * value so listeners tell a restarted stream from a late packet. Packets are
 * stamped on the capture's clock (PacketStamps), whatever clock the encoder
 * keeps: the silence gate matches them to the levels of the frames they hold.
 */

import { CaptureError } from './captureerror.js';

/** Microseconds of audio in one packet. */
const PACKET_US = 20000;

/**
 * Where each packet's first sample was captured. An encoder's own output timestamps cannot be
 * trusted for that (Chrome's count the samples it was given from the first frame on: they skip
 * neither frames held back by push-to-talk nor a clock that jumps), so the frames given to the
 * encoder are remembered with their capture stamps, and packet k starts at input sample
 * k × (samples per packet) of them.
 */
class PacketStamps {
  constructor() {
    /** @type {[number, number, number][]} frames given to the encoder: [startUs, samples, rate] */
    this.frames = [];
    /** the next packet's first sample, counted from the first remembered frame's */
    this.cursor = 0;
    /** the last stamp given (µs), for a packet the remembered frames no longer cover */
    this.lastUs = 0;
  }

  /**
   * A frame went into the encoder.
   * @param {number} startUs its capture stamp
   * @param {number} samples
   * @param {number} rate
   */
  input(startUs, samples, rate) {
    this.frames.push([startUs, samples, rate]);
  }

  /**
   * The stamp of the next packet out of the encoder.
   * @returns {number}
   */
  output() {
    while (this.frames.length && this.cursor >= this.frames[0][1]) {
      this.cursor -= this.frames[0][1];
      this.frames.shift();
    }
    const head = this.frames[0];
    if (!head) {
      this.lastUs += PACKET_US;
      return this.lastUs;
    }
    const [startUs, , rate] = head;
    this.lastUs = startUs + Math.round((this.cursor / rate) * 1e6);
    this.cursor += Math.round((rate * PACKET_US) / 1e6);
    return this.lastUs;
  }
}

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
    /** @type {number | null} the first packet's stamp (µs) */
    this.t0 = null;
    this.stamps = new PacketStamps();
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
   * @param {number} [atUs] its start on the capture's clock (capture.js's SampleClock), which
   *   the packets are stamped on; the frame's own timestamp if not given
   */
  encode(frame, atUs = frame.timestamp) {
    try {
      if (this.encoder.state === 'closed') return;
      if (this.encoder.state === 'unconfigured') {
        this.encoder.configure({
          codec: 'opus', sampleRate: frame.sampleRate, numberOfChannels: 1, bitrate: this.bitrate,
          opus: { frameDuration: PACKET_US, useinbandfec: false, usedtx: false },
        });
      }
      this.stamps.input(atUs, frame.numberOfFrames, frame.sampleRate);
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
    const ts = this.stamps.output();
    this.t0 ??= ts;
    const seq = (this.seq0 + Math.round((ts - this.t0) / PACKET_US)) & 0xffff;
    this.packets++;
    this.bytes += data.byteLength;
    this.onPacket(seq, data, ts);
  }
}

export { OpusEncoder, PACKET_US, PacketStamps };
