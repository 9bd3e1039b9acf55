// The agenda as visitors see it (src/forum/agenda.js): times in the visitor's time zone,
// order, what starts soon, what is on now and next, calendar links.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { byStart, calendarUrl, minutesUntil, nowAndNext, startingSoon, when } from '../src/forum/agenda.js';

/** A session as GET /api/forums gives it. */
function session(id, startsAt, minutes, state = 'scheduled') {
  const start = Date.parse(startsAt);
  return {
    id, forum_hall: 'qiantang-forum', title: { zh: id, en: id }, abstract: {}, speakers: [],
    starts_at: new Date(start).toISOString(), ends_at: new Date(start + minutes * 60000).toISOString(),
    time_zone: 'Asia/Shanghai', state, calendar: `/api/forums/sessions/${id}.ics`,
  };
}

test('times show in the visitor\'s time zone, not the venue\'s', () => {
  const keynote = session('keynote', '2026-12-07T01:30:00Z', 45);
  const shanghai = when(keynote, 'en', 'Asia/Shanghai');
  assert.equal(shanghai.time, '09:30–10:15');
  assert.equal(shanghai.zone, 'GMT+8');
  const berlin = when(keynote, 'en', 'Europe/Berlin');
  assert.equal(berlin.time, '02:30–03:15');
  assert.equal(berlin.zone, 'GMT+1');
  assert.match(berlin.day, /7 Dec/);
  // A visitor in Los Angeles sees the evening before.
  assert.match(when(keynote, 'en', 'America/Los_Angeles').day, /6 Dec/);
  const zh = when(keynote, 'zh', 'Asia/Shanghai');
  assert.match(zh.day, /12月7日/);
  assert.equal(zh.time, '09:30–10:15');
});

test('sessions are ordered by start', () => {
  const a = session('b-later', '2026-12-07T03:00:00Z', 30);
  const b = session('a-first', '2026-12-07T01:00:00Z', 30);
  assert.deepEqual(byStart([a, b]).map((s) => s.id), ['a-first', 'b-later']);
});

test('"starts in five minutes" finds scheduled sessions within five minutes only', () => {
  const now = Date.parse('2026-12-07T01:26:00Z');
  const soon = session('soon', '2026-12-07T01:30:00Z', 30);
  const later = session('later', '2026-12-07T01:32:00Z', 30);
  const started = session('started', '2026-12-07T01:20:00Z', 30, 'live');
  assert.deepEqual(startingSoon([later, soon, started], now).map((s) => s.id), ['soon']);
  assert.equal(minutesUntil(soon, now), 4);
  assert.deepEqual(startingSoon([soon], Date.parse('2026-12-07T01:30:01Z')), []);
});

test('the entrance board shows the live session first, then the next ones not yet over', () => {
  const now = Date.parse('2026-12-07T02:00:00Z');
  const sessions = [
    session('done', '2026-12-07T00:00:00Z', 30, 'replay'),
    session('live', '2026-12-07T01:45:00Z', 60, 'live'),
    session('next', '2026-12-07T03:00:00Z', 30),
    session('after', '2026-12-07T04:00:00Z', 30),
    session('much-later', '2026-12-08T04:00:00Z', 30),
  ];
  const { now: on, next } = nowAndNext(sessions, now, 3);
  assert.deepEqual(on.map((s) => s.id), ['live']);
  assert.deepEqual(next.map((s) => s.id), ['next', 'after']);
});

test('calendar links ask for the visitor\'s language', () => {
  const s = session('keynote', '2026-12-07T01:30:00Z', 45);
  assert.equal(calendarUrl(s, 'zh'), '/api/forums/sessions/keynote.ics?lang=zh');
  assert.equal(calendarUrl(s, 'en'), '/api/forums/sessions/keynote.ics?lang=en');
});
