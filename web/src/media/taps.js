/**
 * Where a measurement may look into the media path: the mouth-to-ear
 * benchmark (bench/mouth_to_ear.py) arms these through the page's test hook
 * (media/latencyhook.js, only with `?test` in the URL).
 *
 * StageAudio, VoiceMic and VoiceHearing each hold a `taps` property, null
 * unless armed; the microphone's frames, the encoder's packets and the
 * decoded buffers pass a null check on their way and nothing more.
 * Types only: nothing here runs.
 */

/**
 * @typedef {object} PlayoutTap a decoded 20 ms buffer of one speaker, as it is started
 * @property {Float32Array} samples
 * @property {number} sampleRate
 * @property {number} startS when it starts on the audio context's clock (s)
 * @property {number} slot its packet's unwrapped seq (`slot & 0xffff` is the wire seq)
 * @property {number} playAtMs when the jitter buffer wanted it to play (page ms)
 * @property {AudioContext} ctx
 */

/**
 * @typedef {object} MediaTaps
 * @property {(samples: Float32Array, sampleRate: number, timestampUs: number) => void} [capture]
 *   a microphone frame as read (its first channel) and its capture timestamp (µs, WebCodecs')
 * @property {(seq: number, timestampUs: number) => void} [packet] an encoded packet: its seq and
 *   the capture timestamp of its first sample
 * @property {(speaker: string, buffer: PlayoutTap) => void} [playout] a decoded buffer of speaker
 *   `${id}:${stream}` started on the audio clock
 * @property {(seqs: number[]) => void} [sent] packets handed to the socket (the speaker's page)
 * @property {(speaker: string, seq: number) => void} [arrived] a chunk of speaker
 *   `${id}:${stream}` arrived on the socket (the listener's page)
 */

export {};
