// The forum state's one owner (src/forum/store.js): live states by version, questions with
// the visitor's own, hands, invitations, refusals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ForumStore } from '../src/forum/store.js';

const agenda = () => ({
  time_zone: 'Asia/Shanghai', calendar: '/api/forums/agenda.ics',
  forum_halls: [{ id: 'qiantang-forum', hall: 'main', title: {}, stage: { x: [106, 120], z: [-15, 15], height: 1.2 },
    area: { x: [44, 124], z: [-36, 36] }, seats: 384 }],
  sessions: [{ id: 'keynote', forum_hall: 'qiantang-forum', title: { en: 'Keynote' }, abstract: {}, speakers: [],
    starts_at: '2026-12-07T01:30:00Z', ends_at: '2026-12-07T02:15:00Z', time_zone: 'Asia/Shanghai',
    state: 'scheduled', calendar: '/api/forums/sessions/keynote.ics' }],
});

const state = (version, extra = {}) => ({
  type: 'forum.state', session: 'keynote', version, state: 'live', slide: null, stage: [], hands: 0,
  slow_mode_s: 0, ...extra,
});

test('a newer forum.state replaces the old one, an older one is ignored, and the agenda follows', () => {
  const store = new ForumStore();
  store.setAgenda(agenda());
  const seen = [];
  store.onChange((what) => seen.push(what));
  store.apply(state(3, { slide: { deck: 'd', page: 2, count: 5, url: '/s/2.jpg' } }));
  store.apply(state(2, { slide: { deck: 'd', page: 1, count: 5, url: '/s/1.jpg' } }));
  assert.equal(store.live.get('keynote')?.slide?.page, 2);
  assert.equal(store.session('keynote')?.state, 'live');
  assert.deepEqual(store.liveIn('main'), ['keynote']);
  assert.deepEqual(store.liveIn('other-hall'), []);
  assert.deepEqual(seen, ['state']);
});

test('the visitor\'s pending question shows to them only until it is approved', () => {
  const store = new ForumStore();
  store.apply({ type: 'forum.asked', session: 'keynote',
    question: { id: 7, text: 'Why?', name: null, votes: 0, pinned: false, answered: false, state: 'pending' } });
  let shown = store.questionsFor('keynote');
  assert.equal(shown.length, 1);
  assert.ok(shown[0].mine);
  assert.equal(shown[0].state, 'pending');
  store.apply({ type: 'forum.questions', session: 'keynote',
    top: [{ id: 9, text: 'How?', name: 'Bo', votes: 3, pinned: true, answered: false },
      { id: 7, text: 'Why?', name: null, votes: 1, pinned: false, answered: false }] });
  store.noteVote(9);
  shown = store.questionsFor('keynote');
  assert.deepEqual(shown.map((q) => [q.id, q.mine, q.voted]), [[9, false, true], [7, true, false]]);
  assert.equal(store.mine.get(7)?.state, 'approved');
});

test('an invitation lowers the hand; the end of the session clears both', () => {
  const store = new ForumStore();
  store.noteHand('keynote', true);
  store.apply({ type: 'forum.invite', session: 'keynote' });
  assert.ok(store.invites.has('keynote'));
  assert.ok(!store.handUp.has('keynote'));
  store.noteHand('keynote', true);
  store.apply(state(9, { state: 'ended' }));
  assert.ok(!store.invites.has('keynote'));
  assert.ok(!store.handUp.has('keynote'));
});

test('a refused hand is not up, and the refusal is kept to show', () => {
  const store = new ForumStore();
  store.noteHand('keynote', true);
  assert.ok(store.apply({ type: 'error', code: 'forum_conflict', message: 'hands are raised only while the session is live' }));
  assert.equal(store.refusal?.code, 'forum_conflict');
  assert.equal(store.handUp.size, 0);
  assert.ok(!store.apply({ type: 'error', code: 'too_fast', message: 'moved too fast' }));
});

test('roles decide who may moderate and who may present; the stage says who is on it', () => {
  const store = new ForumStore();
  store.setRoles('keynote', ['audience', 'speaker']);
  assert.ok(store.mayPresent('keynote'));
  assert.ok(!store.mayModerate('keynote'));
  store.setRoles('keynote', ['moderator']);
  assert.ok(store.mayModerate('keynote'));
  store.apply(state(1, { stage: [{ id: 65537, name: 'Lin', role: 'speaker', mic: true }] }));
  assert.equal(store.onStage('keynote', 65537)?.mic, true);
  assert.equal(store.onStage('keynote', 2), undefined);
});
