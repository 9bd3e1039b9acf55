// The page's "take me there" session: reached once the visitor has joined and the agenda knows
// the session, in either order; never on a resumed welcome alone, never twice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Arrival } from '../src/forum/arrival.js';

function arrival(session, agenda = new Set()) {
  const went = [];
  const a = new Arrival(session, { known: (s) => agenda.has(s), go: (s) => went.push(s) });
  return { a, agenda, went };
}

test('a welcome before the agenda waits for the agenda', () => {
  const { a, agenda, went } = arrival('keynote');
  a.welcome(false);
  assert.deepEqual(went, []);
  agenda.add('keynote');
  a.agendaChanged();
  assert.deepEqual(went, ['keynote']);
});

test('an agenda before the welcome goes at the welcome', () => {
  const { a, went } = arrival('keynote', new Set(['keynote']));
  a.agendaChanged();
  assert.deepEqual(went, []);
  a.welcome(false);
  assert.deepEqual(went, ['keynote']);
});

test('it goes once, not again on a later welcome or agenda', () => {
  const { a, went } = arrival('keynote', new Set(['keynote']));
  a.welcome(false);
  a.welcome(false);
  a.agendaChanged();
  assert.deepEqual(went, ['keynote']);
});

test('a resumed welcome alone does not move the visitor', () => {
  const { a, went } = arrival('keynote', new Set(['keynote']));
  a.welcome(true);
  a.agendaChanged();
  assert.deepEqual(went, []);
});

test('a page opened for no session, or for one the agenda never lists, goes nowhere', () => {
  const none = arrival(null, new Set(['keynote']));
  none.a.welcome(false);
  const unknown = arrival('gone');
  unknown.a.welcome(false);
  unknown.a.agendaChanged();
  assert.deepEqual([...none.went, ...unknown.went], []);
});
