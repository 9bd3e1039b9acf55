/**
 * `window.__expo`: a small read-only view of the client's state for the
 * browser tests (tests/browser/) and for curious people at the console.
 * Getters read the live state on demand, so the frame loop pays nothing.
 *
 * `window.__expoTest` (only with `?test` in the URL) adds the few actions
 * the tests need to drive the client without pixel guessing: set the local
 * pose, drop the socket, project a booth to the screen, count draw calls.
 */

import { Vector3 } from 'three';
import { emoteOf } from '../avatars/animate.js';
import { Slot } from '../net/interp.js';

function round(v, d = 4) {
  const k = 10 ** d;
  return Math.round(v * k) / k;
}

function avatarView(a) {
  const p = a.pose;
  const arr = (o, n) => Array.from(p.subarray(o, o + n), (v) => round(v));
  return {
    id: a.id,
    name: a.name,
    badge: a.badge,
    avatar: a.model,
    kind: a.kind,
    vr: p[Slot.VR] === 1,
    away: (a.buffer.latestFlags & 0x04) !== 0,
    flags: p[Slot.FLAGS],
    position: arr(Slot.X, 3),
    yaw: round(p[Slot.YAW]),
    head: { position: arr(Slot.X, 3), quaternion: arr(Slot.HQ, 4) },
    hands: {
      left: { position: arr(Slot.LP, 3), quaternion: arr(Slot.LQ, 4) },
      right: { position: arr(Slot.RP, 3), quaternion: arr(Slot.RQ, 4) },
    },
    state: a.state,
    motion: { speed: round(a.motion.speed, 3), bodyYaw: round(a.motion.bodyYaw), emote: emoteOf(a.motion) },
  };
}

/** Install window.__expo over `app` (the object main.js builds). */
function installHook(app, win = window) {
  const hook = {
    get connection() { return app.connection?.state ?? 'idle'; },
    get status() { return app.connection?.status ?? 'status.idle'; },
    get id() { return app.connection?.welcome?.id ?? null; },
    get resumed() { return Boolean(app.connection?.welcome?.resumed); },
    get room() { return app.hallId; },
    get lang() { return app.i18n.lang; },
    get me() {
      const vr = Boolean(app.xr?.presenting);
      const p = vr ? Array.from(app.lastVrPose) : app.player.desktopPose(new Array(6));
      const r = (o, n) => p.slice(o, o + n).map((v) => round(v));
      const me = {
        position: r(0, 3), yaw: round(app.player.yaw), pitch: round(app.player.pitch), vr,
        walking: app.player.route !== null,
      };
      if (vr) {
        me.head = { position: r(0, 3), quaternion: r(3, 4) };
        me.hands = { left: { position: r(7, 3), quaternion: r(10, 4) }, right: { position: r(14, 3), quaternion: r(17, 4) } };
      }
      return me;
    },
    get avatars() { return app.remote ? app.remote.list.map(avatarView) : []; },
    get crowd() { return app.crowd?.count ?? 0; },
    get drawCalls() { return app.drawCalls; },
    get triangles() { return app.triangles; },
    get frames() { return app.frames; },
    get openPanel() { return app.panel?.openId ?? app.panel3d?.openId ?? null; },
    get xr() {
      return {
        supported: Boolean(app.xr?.supported), presenting: Boolean(app.xr?.presenting),
        button: app.xr?.button?.dataset.state ?? 'none',
        aiming: app.xr?.aiming ?? null,
        landing: app.xr?.landingOk ? app.xr.landing.toArray().map((v) => round(v)) : null,
        refused: app.xr?.landingHit && !app.xr.landingOk ? app.xr.landing.toArray().map((v) => round(v)) : null,
      };
    },
    get hall() {
      return {
        source: app.hallSource, ready: app.hallReady, booths: app.hall?.booths.size ?? 0,
        walkables: app.hall?.walkables.length ?? 0, signs: app.signsPainted,
        navgrid: app.navgrid ? { width: app.navgrid.width, height: app.navgrid.height, cell: app.navgrid.cell } : null,
      };
    },
    /**
     * The VR menu: shown, its tab, the last button pressed, whether it is worn on the left
     * wrist, its world position and that wrist's (the grip it hangs on), whether the
     * gestures show glyphs.
     */
    get vrMenu() {
      const m = app.vrmenu;
      const at = (o) => (o ? o.getWorldPosition(new Vector3()).toArray().map((v) => round(v)) : null);
      return {
        open: Boolean(m?.visible), tab: m?.tab ?? null, pressed: m?.lastPressed ?? null,
        worn: Boolean(m?.wrist), position: at(m?.mesh), wrist: at(m?.wrist), emoji: m?.emoji ?? null,
      };
    },
    /** The 3D booth panel: which booth, whether it is opaque, whether the poster is on it. */
    get panel3d() {
      const p = app.panel3d;
      return { open: p?.openId ?? null, opaque: p ? !p.mesh.material.transparent : null, poster: Boolean(p?.posterShown) };
    },
    /** The minimap's zone labels as drawn ({text, x, y} in canvas px). */
    get minimap() { return { labels: app.minimap ? app.minimap.labels.map((l) => ({ ...l })) : [] }; },
    get timing() { return { ...app.timing }; },
    /** Live booth state: {[id]: {revision, model, template, loaded}} (docs/accounts.md). */
    get booths() { return JSON.parse(JSON.stringify(app.booths?.states ?? {})); },
    get lastError() { return app.lastError ?? app.connection?.lastError ?? null; },
    /** The forums: agenda, live states, questions, panels, boards, stage audio (forum/forums.js). */
    get forum() { return app.forum ? JSON.parse(JSON.stringify(app.forum.view())) : null; },
    /** Who this visitor is in the hall (welcome.you): name, badge, whether they moderate. */
    get you() { return app.you ? { ...app.you } : null; },
    /** The chat as shown: [{id, from, text, system}], oldest first. */
    get chat() {
      return [...document.querySelectorAll('#chat-log li')].map((li) => ({
        id: li instanceof HTMLElement ? li.dataset.id ?? null : null,
        text: li.querySelector('.text')?.textContent ?? li.textContent,
        system: li.classList.contains('system'),
      }));
    },
    /** The connection's banner, if one shows: {status, text}. */
    get banner() {
      const banner = document.getElementById('banner');
      if (!banner || banner.hidden) return null;
      return { status: banner.dataset.status ?? '', text: document.getElementById('banner-text')?.textContent ?? '' };
    },
    /** Proximity voice: mic indicator, what is sent, each voice heard, rings (voice/voice.js). */
    get voice() { return app.voice ? JSON.parse(JSON.stringify(app.voice.view())) : null; },
  };
  Object.defineProperty(win, '__expo', { value: Object.freeze(hook), configurable: true });
  return hook;
}

export { installHook };
