// Binary codec of the sync protocol (docs/protocol.md), version 2.
// Pure functions over ArrayBuffers; the browser client and the node tests use
// the same module, and both check it against docs/protocol-vectors/.

export const PROTOCOL_VERSION = 2;
export const MsgType = Object.freeze({
  DESKTOP_POSE: 0x01, VR_POSE: 0x02, AUDIO: 0x03, DELTA: 0x10, KEYFRAME: 0x11, CROWD: 0x12,
});
/** What a media chunk is: proximity voice or a forum stage's sound. */
export const MediaStream = Object.freeze({ VOICE: 1, STAGE: 2 });
/** Most 20 ms chunks in one AUDIO frame. */
export const MAX_AUDIO_CHUNKS = 5;
/** Bytes of a media record's head: slot u16, gen u8, stream u8, seq u16, size u16. */
export const MEDIA_HEAD_SIZE = 8;
export const AvatarFlag = Object.freeze({ MOVING: 0x01, TELEPORTED: 0x02, AWAY: 0x04, SPEAKING: 0x08 });
export const POSITION_STEP = 1 / 128;
export const DESKTOP_POSE_SIZE = 23;
export const VR_POSE_SIZE = 87;
export const DESKTOP_RECORD_SIZE = 12;
export const VR_RECORD_SIZE = 28;
export const HEADER_SIZE = 10;

const YAW_STEP = (2 * Math.PI) / 256;
const PITCH_STEP = Math.PI / 2 / 127;
const Q_RANGE = Math.SQRT1_2;

/** @type {Record<number, 'DELTA' | 'KEYFRAME' | 'CROWD' | undefined>} */
const TYPE_NAMES = { 0x10: 'DELTA', 0x11: 'KEYFRAME', 0x12: 'CROWD' };

export class FrameError extends Error {
  /**
   * @param {string} code the wire error code (truncated, bad_version, bad_type, bad_length)
   * @param {string} message
   */
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

/**
 * A client's desktop/mobile pose: head position (m), yaw and pitch (rad), flags.
 * @param {ArrayLike<number>} position
 * @param {number} yaw
 * @param {number} pitch
 * @param {number} [flags]
 * @returns {ArrayBuffer}
 */
export function encodeDesktopPose(position, yaw, pitch, flags = 0) {
  const buf = new ArrayBuffer(DESKTOP_POSE_SIZE);
  const v = new DataView(buf);
  v.setUint8(0, PROTOCOL_VERSION);
  v.setUint8(1, MsgType.DESKTOP_POSE);
  v.setFloat32(2, position[0], true);
  v.setFloat32(6, position[1], true);
  v.setFloat32(10, position[2], true);
  v.setFloat32(14, yaw, true);
  v.setFloat32(18, pitch, true);
  v.setUint8(22, flags);
  return buf;
}

/**
 * A client's VR pose: world positions (m) and x, y, z, w quaternions of head and hands.
 * @param {Iterable<number>} head
 * @param {Iterable<number>} headQ
 * @param {Iterable<number>} left
 * @param {Iterable<number>} leftQ
 * @param {Iterable<number>} right
 * @param {Iterable<number>} rightQ
 * @param {number} [flags]
 * @returns {ArrayBuffer}
 */
export function encodeVrPose(head, headQ, left, leftQ, right, rightQ, flags = 0) {
  const buf = new ArrayBuffer(VR_POSE_SIZE);
  const v = new DataView(buf);
  v.setUint8(0, PROTOCOL_VERSION);
  v.setUint8(1, MsgType.VR_POSE);
  let o = 2;
  for (const arr of [head, headQ, left, leftQ, right, rightQ]) {
    for (const x of arr) { v.setFloat32(o, x, true); o += 4; }
  }
  v.setUint8(86, flags);
  return buf;
}

/**
 * A client's AUDIO frame: 1–5 chunks of one stream, each one 20 ms Opus packet
 * with its slot number (seq, wrapping at 65,536).
 * @param {number} stream MediaStream.VOICE or MediaStream.STAGE
 * @param {{seq: number, data: Uint8Array}[]} chunks
 * @returns {ArrayBuffer}
 */
export function encodeAudioFrame(stream, chunks) {
  if (chunks.length < 1 || chunks.length > MAX_AUDIO_CHUNKS) {
    throw new RangeError(`an AUDIO frame carries 1 to ${MAX_AUDIO_CHUNKS} chunks`);
  }
  let size = 4;
  for (const c of chunks) size += 4 + c.data.byteLength;
  const buf = new ArrayBuffer(size);
  const v = new DataView(buf);
  const bytes = new Uint8Array(buf);
  v.setUint8(0, PROTOCOL_VERSION);
  v.setUint8(1, MsgType.AUDIO);
  v.setUint8(2, stream);
  v.setUint8(3, chunks.length);
  let o = 4;
  for (const c of chunks) {
    v.setUint16(o, c.seq & 0xffff, true);
    v.setUint16(o + 2, c.data.byteLength, true);
    bytes.set(c.data, o + 4);
    o += 4 + c.data.byteLength;
  }
  return buf;
}

/**
 * Decode and check an AUDIO frame as the server does (used by tests and tools).
 * @param {ArrayBuffer | ArrayBufferView} data
 * @param {number} [maxChunkBytes] the server's limit (welcome limits.media_chunk_max_bytes)
 */
export function decodeAudioFrame(data, maxChunkBytes = 400) {
  const v = view(data);
  const n = v.byteLength;
  if (n < 4) throw new FrameError('truncated', 'an AUDIO frame needs at least 4 bytes');
  if (v.getUint8(0) !== PROTOCOL_VERSION) throw new FrameError('bad_version', `frame version ${v.getUint8(0)}`);
  if (v.getUint8(1) !== MsgType.AUDIO) throw new FrameError('bad_type', 'not an AUDIO frame');
  const stream = v.getUint8(2);
  if (stream !== MediaStream.VOICE && stream !== MediaStream.STAGE) {
    throw new FrameError('bad_stream', `unknown media stream ${stream}`);
  }
  const count = v.getUint8(3);
  if (count < 1 || count > MAX_AUDIO_CHUNKS) throw new FrameError('bad_count', `${count} chunks`);
  /** @type {{seq: number, data: Uint8Array}[]} */
  const chunks = [];
  let o = 4;
  for (let i = 0; i < count; i++) {
    if (o + 4 > n) throw new FrameError('truncated', 'the frame ends inside a chunk head');
    const seq = v.getUint16(o, true);
    const size = v.getUint16(o + 2, true);
    o += 4;
    if (size < 1 || size > maxChunkBytes) {
      throw new FrameError(size ? 'chunk_too_large' : 'bad_length', `a chunk of ${size} B`);
    }
    if (o + size > n) throw new FrameError('truncated', 'a chunk runs past the frame');
    chunks.push({ seq, data: new Uint8Array(v.buffer, v.byteOffset + o, size) });
    o += size;
  }
  if (o !== n) throw new FrameError('bad_length', 'trailing bytes after the last chunk');
  return { version: PROTOCOL_VERSION, type: 'AUDIO', stream, chunks };
}

/**
 * Decode a client pose frame (used by tests and tools).
 * @param {ArrayBuffer | ArrayBufferView} data
 */
export function decodeClientPose(data) {
  const v = view(data);
  const type = v.getUint8(1);
  const f = (/** @type {number} */ o) => v.getFloat32(o, true);
  if (type === MsgType.DESKTOP_POSE && v.byteLength === DESKTOP_POSE_SIZE) {
    return { version: v.getUint8(0), type: 'DESKTOP_POSE', position: [f(2), f(6), f(10)],
      yaw: f(14), pitch: f(18), flags: v.getUint8(22) };
  }
  if (type === MsgType.VR_POSE && v.byteLength === VR_POSE_SIZE) {
    const read = (/** @type {number} */ o, /** @type {number} */ n) => Array.from({ length: n }, (_, i) => f(o + 4 * i));
    return { version: v.getUint8(0), type: 'VR_POSE', head: read(2, 3), head_q: read(14, 4),
      left: read(30, 3), left_q: read(42, 4), right: read(58, 3), right_q: read(70, 4),
      flags: v.getUint8(86) };
  }
  throw new FrameError('bad_type', `not a client pose frame (type ${type}, ${v.byteLength} B)`);
}

/**
 * Unpack a 32-bit "smallest three" orientation into [x, y, z, w].
 * @param {number} packed
 * @param {number[]} [out]
 * @returns {number[]}
 */
export function unpackQuaternion(packed, out = [0, 0, 0, 0]) {
  const largest = packed >>> 30;
  const a = ((packed >>> 20) & 1023) / 1023 * 2 * Q_RANGE - Q_RANGE;
  const b = ((packed >>> 10) & 1023) / 1023 * 2 * Q_RANGE - Q_RANGE;
  const c = (packed & 1023) / 1023 * 2 * Q_RANGE - Q_RANGE;
  const big = Math.sqrt(Math.max(0, 1 - a * a - b * b - c * c));
  let k = 0;
  const rest = [a, b, c];
  for (let i = 0; i < 4; i++) out[i] = i === largest ? big : rest[k++];
  return out;
}

/**
 * Pack [x, y, z, w] into 32-bit "smallest three" (the server's encoding; for tests).
 * @param {ArrayLike<number>} q
 * @returns {number}
 */
export function packQuaternion(q) {
  const n = Math.hypot(q[0], q[1], q[2], q[3]) || 1;
  let largest = 0;
  for (let i = 1; i < 4; i++) if (Math.abs(q[i]) > Math.abs(q[largest])) largest = i;
  const sign = q[largest] < 0 ? -1 : 1;
  let packed = largest * 2 ** 30;
  let shift = 20;
  for (let i = 0; i < 4; i++) {
    if (i === largest) continue;
    const c = Math.min(Q_RANGE, Math.max(-Q_RANGE, (sign * q[i]) / n));
    packed += Math.round(((c + Q_RANGE) / (2 * Q_RANGE)) * 1023) * 2 ** shift;
    shift -= 10;
  }
  return packed >>> 0;
}

/**
 * @param {ArrayBuffer | ArrayBufferView} data
 * @returns {DataView}
 */
function view(data) {
  if (data instanceof ArrayBuffer) return new DataView(data);
  if (ArrayBuffer.isView(data)) return new DataView(data.buffer, data.byteOffset, data.byteLength);
  throw new TypeError('expected an ArrayBuffer or a typed array');
}

/**
 * @param {DataView} v
 * @param {number} o where the record starts
 * @param {ArrayLike<number>} origin the hall's bounds.min
 */
function readDesktop(v, o, origin) {
  const slot = v.getUint16(o, true);
  const gen = v.getUint8(o + 2);
  const pq = [v.getUint16(o + 3, true), v.getUint16(o + 5, true), v.getUint16(o + 7, true)];
  const yawQ = v.getUint8(o + 9);
  const pitchQ = v.getInt8(o + 10);
  return {
    id: slot + gen * 65536, slot, gen, position_q: pq,
    position: [origin[0] + pq[0] * POSITION_STEP, origin[1] + pq[1] * POSITION_STEP,
      origin[2] + pq[2] * POSITION_STEP],
    yaw_q: yawQ, yaw: yawQ * YAW_STEP, pitch_q: pitchQ, pitch: Math.max(pitchQ, -127) * PITCH_STEP,
    flags: v.getUint8(o + 11),
  };
}

/**
 * @param {DataView} v
 * @param {number} o where the record starts
 * @param {ArrayLike<number>} origin the hall's bounds.min
 */
function readVr(v, o, origin) {
  const slot = v.getUint16(o, true);
  const gen = v.getUint8(o + 2);
  const pq = [v.getUint16(o + 3, true), v.getUint16(o + 5, true), v.getUint16(o + 7, true)];
  const head = [origin[0] + pq[0] * POSITION_STEP, origin[1] + pq[1] * POSITION_STEP,
    origin[2] + pq[2] * POSITION_STEP];
  const hand = (/** @type {number} */ p) => [v.getInt8(p), v.getInt8(p + 1), v.getInt8(p + 2)];
  const left = hand(o + 13);
  const right = hand(o + 20);
  const headQ = v.getUint32(o + 9, true);
  const leftQ = v.getUint32(o + 16, true);
  const rightQ = v.getUint32(o + 23, true);
  return {
    id: slot + gen * 65536, slot, gen, position_q: pq, position: head,
    head_q_packed: headQ, head_q: unpackQuaternion(headQ),
    left_offset_cm: left, left: head.map((h, i) => h + left[i] / 100),
    left_q_packed: leftQ, left_q: unpackQuaternion(leftQ),
    right_offset_cm: right, right: head.map((h, i) => h + right[i] / 100),
    right_q_packed: rightQ, right_q: unpackQuaternion(rightQ),
    flags: v.getUint8(o + 27),
  };
}

/**
 * @param {DataView} v
 * @param {number} o where the count starts
 * @param {number} size bytes per item
 * @param {string} what the items (for the error)
 * @returns {number}
 */
function readCount(v, o, size, what) {
  if (o + 2 > v.byteLength) throw new FrameError('truncated', `frame ends before the ${what} count`);
  const n = v.getUint16(o, true);
  if (o + 2 + n * size > v.byteLength) {
    throw new FrameError('truncated', `frame declares ${n} ${what} past its end`);
  }
  return n;
}

/**
 * @param {DataView} v
 * @param {number} o where the media count starts
 * @returns {{media: {id: number, slot: number, gen: number, stream: number, seq: number, data: Uint8Array}[], end: number}}
 */
function readMedia(v, o) {
  if (o + 2 > v.byteLength) throw new FrameError('truncated', 'frame ends before the media count');
  const n = v.getUint16(o, true);
  o += 2;
  const media = [];
  for (let i = 0; i < n; i++) {
    if (o + MEDIA_HEAD_SIZE > v.byteLength) throw new FrameError('truncated', 'frame ends inside a media record');
    const slot = v.getUint16(o, true);
    const gen = v.getUint8(o + 2);
    const size = v.getUint16(o + 6, true);
    if (o + MEDIA_HEAD_SIZE + size > v.byteLength) throw new FrameError('truncated', 'a media record runs past the frame');
    media.push({
      id: slot + gen * 65536, slot, gen, stream: v.getUint8(o + 3), seq: v.getUint16(o + 4, true),
      data: new Uint8Array(v.buffer, v.byteOffset + o + MEDIA_HEAD_SIZE, size),
    });
    o += MEDIA_HEAD_SIZE + size;
  }
  return { media, end: o };
}

/**
 * Decode a server frame. Positions are world metres given the hall origin
 * (the welcome's bounds.min). Returns {version, type, tick, time_ms, desktop,
 * vr, gone, media} for DELTA/KEYFRAME (media: the speakers' Opus chunks, views
 * into ``data``), {version, type, tick, time_ms, points} for CROWD.
 * @param {ArrayBuffer | ArrayBufferView} data
 * @param {ArrayLike<number>} [origin]
 */
export function decodeServerFrame(data, origin = [0, 0, 0]) {
  const v = view(data);
  if (v.byteLength < HEADER_SIZE) throw new FrameError('truncated', 'frame shorter than its header');
  const version = v.getUint8(0);
  if (version !== PROTOCOL_VERSION) throw new FrameError('bad_version', `frame version ${version}`);
  const typeCode = v.getUint8(1);
  const type = TYPE_NAMES[typeCode];
  if (!type) throw new FrameError('bad_type', `unknown frame type 0x${typeCode.toString(16)}`);
  const tick = v.getUint32(2, true);
  const timeMs = v.getUint32(6, true);
  let o = HEADER_SIZE;
  if (type === 'CROWD') {
    const n = readCount(v, o, 2, 'crowd points');
    o += 2;
    /** @type {number[][]} */
    const points = [];
    for (let i = 0; i < n; i++, o += 2) points.push([v.getUint8(o), v.getUint8(o + 1)]);
    if (o !== v.byteLength) throw new FrameError('bad_length', 'trailing bytes after the frame');
    return { version, type, tick, time_ms: timeMs, points };
  }
  /** @type {ReturnType<typeof readDesktop>[]} */
  const desktop = [];
  /** @type {ReturnType<typeof readVr>[]} */
  const vr = [];
  /** @type {number[]} */
  const gone = [];
  let n = readCount(v, o, DESKTOP_RECORD_SIZE, 'desktop records');
  o += 2;
  for (let i = 0; i < n; i++, o += DESKTOP_RECORD_SIZE) desktop.push(readDesktop(v, o, origin));
  n = readCount(v, o, VR_RECORD_SIZE, 'VR records');
  o += 2;
  for (let i = 0; i < n; i++, o += VR_RECORD_SIZE) vr.push(readVr(v, o, origin));
  n = readCount(v, o, 3, 'gone ids');
  o += 2;
  for (let i = 0; i < n; i++, o += 3) gone.push(v.getUint16(o, true) + v.getUint8(o + 2) * 65536);
  const { media, end } = readMedia(v, o);
  if (end !== v.byteLength) throw new FrameError('bad_length', 'trailing bytes after the frame');
  return { version, type, tick, time_ms: timeMs, desktop, vr, gone, media };
}
