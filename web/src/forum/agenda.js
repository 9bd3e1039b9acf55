/**
 * The agenda as visitors see it: sessions in order, times in the visitor's own
 * time zone (Intl; the server sends UTC instants), state badges, what is on
 * now and next, what starts within five minutes, and the calendar links the
 * server serves (`.ics`).
 *
 * Pure: the clock and the time zone are parameters (the visitor's by default).
 * Unit-tested in test/agenda.test.js.
 */

/**
 * @typedef {{zh?: string, en?: string}} Texts a bilingual text
 *
 * @typedef {object} ForumSession one session of `GET /api/forums`
 * @property {string} id
 * @property {string} forum_hall
 * @property {Texts} title
 * @property {Texts} abstract
 * @property {{name: Texts, title?: Texts}[]} speakers
 * @property {string} starts_at ISO 8601 instant
 * @property {string} ends_at
 * @property {string} time_zone where the session is held (IANA)
 * @property {string} state scheduled, live, ended, replay
 * @property {string} calendar the session's .ics
 *
 * @typedef {object} ForumHallInfo a forum hall of `GET /api/forums`
 * @property {string} id
 * @property {string} hall the room it is in
 * @property {Texts} title
 * @property {{x: number[], z: number[], height: number}} stage
 * @property {{x: number[], z: number[]}} area
 * @property {number} seats
 *
 * @typedef {object} Agenda `GET /api/forums`
 * @property {string} time_zone
 * @property {ForumHallInfo[]} forum_halls
 * @property {ForumSession[]} sessions
 * @property {string} calendar the whole agenda's .ics
 */

/** "Starts in five minutes": how long before a session the visitor is told. */
const SOON_MS = 5 * 60 * 1000;

/** @param {string} lang */
function locale(lang) {
  return lang === 'zh' ? 'zh-CN' : 'en-GB';
}

/**
 * The session's day and times in the visitor's time zone.
 * @param {ForumSession} session
 * @param {string} lang zh or en
 * @param {string} [timeZone] an IANA zone (default: the visitor's)
 * @returns {{day: string, time: string, zone: string}}
 */
function when(session, lang, timeZone) {
  const start = new Date(session.starts_at);
  const end = new Date(session.ends_at);
  const loc = locale(lang);
  const day = new Intl.DateTimeFormat(loc, { timeZone, weekday: 'short', month: 'short', day: 'numeric' }).format(start);
  const clock = new Intl.DateTimeFormat(loc, { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  return { day, time: `${clock.format(start)}–${clock.format(end)}`, zone: zoneName(start, lang, timeZone) };
}

/**
 * A short name of the time zone at `moment` ("GMT+8").
 * @param {Date} moment
 * @param {string} lang
 * @param {string} [timeZone]
 * @returns {string}
 */
function zoneName(moment, lang, timeZone) {
  const parts = new Intl.DateTimeFormat(locale(lang), { timeZone, timeZoneName: 'shortOffset' }).formatToParts(moment);
  return parts.find((p) => p.type === 'timeZoneName')?.value ?? '';
}

/**
 * Sessions ordered by start (then id).
 * @param {ForumSession[]} sessions
 * @returns {ForumSession[]}
 */
function byStart(sessions) {
  return [...sessions].sort((a, b) => Date.parse(a.starts_at) - Date.parse(b.starts_at) || a.id.localeCompare(b.id));
}

/**
 * Scheduled sessions starting within `leadMs` from `nowMs`.
 * @param {ForumSession[]} sessions
 * @param {number} nowMs
 * @param {number} [leadMs]
 * @returns {ForumSession[]}
 */
function startingSoon(sessions, nowMs, leadMs = SOON_MS) {
  return byStart(sessions).filter((s) => {
    const left = Date.parse(s.starts_at) - nowMs;
    return s.state === 'scheduled' && left > 0 && left <= leadMs;
  });
}

/**
 * What a forum hall shows at its entrance: the live session(s), then the next scheduled
 * ones that have not ended, at most `count` in all.
 * @param {ForumSession[]} sessions
 * @param {number} nowMs
 * @param {number} [count]
 * @returns {{now: ForumSession[], next: ForumSession[]}}
 */
function nowAndNext(sessions, nowMs, count = 4) {
  const ordered = byStart(sessions);
  const now = ordered.filter((s) => s.state === 'live');
  const next = ordered
    .filter((s) => s.state === 'scheduled' && Date.parse(s.ends_at) > nowMs)
    .slice(0, Math.max(0, count - now.length));
  return { now, next };
}

/**
 * The session's calendar file in the visitor's language.
 * @param {ForumSession} session
 * @param {string} lang
 * @returns {string}
 */
function calendarUrl(session, lang) {
  return `${session.calendar}?lang=${lang === 'zh' ? 'zh' : 'en'}`;
}

/**
 * Minutes (rounded up) until the session starts.
 * @param {ForumSession} session
 * @param {number} nowMs
 * @returns {number}
 */
function minutesUntil(session, nowMs) {
  return Math.max(0, Math.ceil((Date.parse(session.starts_at) - nowMs) / 60000));
}

export { byStart, calendarUrl, minutesUntil, nowAndNext, SOON_MS, startingSoon, when, zoneName };
