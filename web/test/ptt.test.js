// Push-to-talk and open mic (src/voice/ptt.js): when the mic is captured, sent, and what the
// indicator says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TalkState } from '../src/voice/ptt.js';

test('the microphone is off until the visitor asks', () => {
  const t = new TalkState();
  assert.equal(t.wantsMic(0), false);
  assert.equal(t.sending, false);
  assert.equal(t.indicator(0), 'off');
});

test('holding a talk control captures and sends; letting go stops sending at once', () => {
  const t = new TalkState({ holdOpenMs: 5000 });
  t.press('key');
  assert.equal(t.wantsMic(10), true);
  assert.equal(t.indicator(10), 'off'); // not captured yet
  t.captured = true;
  assert.equal(t.sending, true);
  assert.equal(t.indicator(10), 'live');
  t.release('key', 1000);
  assert.equal(t.sending, false);
  assert.equal(t.indicator(1000), 'ready');
});

test('after the last release the mic is kept a moment, then released', () => {
  const t = new TalkState({ holdOpenMs: 5000 });
  t.press('key');
  t.captured = true;
  t.release('key', 1000);
  assert.equal(t.wantsMic(5999), true);
  assert.equal(t.wantsMic(6000), false);
});

test('two controls held: releasing one keeps talking', () => {
  const t = new TalkState({ holdOpenMs: 0 });
  t.captured = true;
  t.press('key');
  t.press('vr');
  t.release('key', 100);
  assert.equal(t.sending, true);
  t.release('vr', 200);
  assert.equal(t.sending, false);
  assert.equal(t.releasedAt, 200);
});

test('releasing a control that was not held changes nothing', () => {
  const t = new TalkState();
  t.release('button', 500);
  assert.equal(t.releasedAt, -Infinity);
  assert.equal(t.wantsMic(600), false);
});

test('the open mic sends until switched off, whatever the talk keys do', () => {
  const t = new TalkState({ holdOpenMs: 1000 });
  t.captured = true;
  t.setOpen(true, 0);
  t.press('key');
  t.release('key', 50);
  assert.equal(t.sending, true);
  t.setOpen(false, 200);
  assert.equal(t.sending, false);
  assert.equal(t.wantsMic(1199), true);
  assert.equal(t.wantsMic(1200), false);
});

test('losing the window lets go of every control (no key stays stuck)', () => {
  const t = new TalkState();
  t.press('key');
  t.press('button');
  t.releaseAll(300);
  assert.equal(t.talking, false);
  assert.equal(t.releasedAt, 300);
});

test('a place known to be voice-free stops sending and says why', () => {
  const t = new TalkState();
  t.captured = true;
  t.press('key');
  t.setOffHere('voice.zone.forum');
  assert.equal(t.sending, false);
  assert.equal(t.indicator(0), 'blocked');
  assert.equal(t.blockedBy(0), 'voice.zone.forum');
  t.setOffHere(null);
  assert.equal(t.sending, true);
  assert.equal(t.indicator(0), 'live');
});

test("the server's refusal shows while it lasts and fades when it stops coming", () => {
  const t = new TalkState({ refusalMs: 2500 });
  t.captured = true;
  t.setOpen(true, 0);
  assert.equal(t.noteRefusal('media_rate_limited', 100), false); // a broken frame is not a place
  assert.equal(t.indicator(100), 'live');
  assert.equal(t.noteRefusal('voice_off_here', 1000), true);
  assert.equal(t.indicator(1000), 'blocked');
  assert.equal(t.blockedBy(3499), 'voice.refused.voice_off_here');
  assert.equal(t.sending, true); // the server stays the judge: it says when talking works again
  assert.equal(t.indicator(3500), 'live');
  t.noteRefusal('voice_muted', 4000);
  assert.equal(t.blockedBy(4000), 'voice.refused.voice_muted');
});

test('while the browser asks for the microphone the indicator says so', () => {
  const t = new TalkState();
  t.press('button');
  t.asking = true;
  assert.equal(t.indicator(0), 'asking');
  t.asking = false;
  t.captured = true;
  assert.equal(t.indicator(0), 'live');
});
