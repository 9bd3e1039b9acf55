/**
 * The expo client: init() wires the modules together, then one frame loop
 * (renderer.setAnimationLoop) runs everything, in VR and out of it.
 *
 * Start-up loads in parallel what the hall needs (rooms, catalog, the built
 * hall GLB, the avatar models) while the visitor fills in the lobby, and
 * renders the hall behind it as soon as it is there. "Enter" opens the sync
 * socket (app/visit.js). From then on, each frame, in this order:
 *
 *   1. local movement: keyboard / joystick / click-to-walk, or VR sticks
 *   2. send the local pose (rate-limited, only on change) and batched `who`s
 *   3. pose every remote avatar at "server now − 100 ms" (interpolation)
 *   4. hover highlight; minimap and people count (a few times a second)
 *   5. render
 *
 * Socket messages never touch the scene directly: they land in the remote
 * avatars' interpolation buffers, the crowd layer and the UI, which the
 * frame then reads.
 */

import { Matrix4, Quaternion, Vector3 } from 'three';
import { fetchJson } from './app/api.js';
import { installHook } from './app/hook.js';
import { defaultPrefs, loadPrefs, savePrefs } from './app/prefs.js';
import { installTestHooks } from './app/testhooks.js';
import { Travel } from './app/travel.js';
import { Visit } from './app/visit.js';
import { AvatarBatch } from './avatars/batch.js';
import { CrowdLayer } from './avatars/crowd.js';
import { AvatarLibrary } from './avatars/library.js';
import { NameTags } from './avatars/nametags.js';
import { RemoteAvatars } from './avatars/remote.js';
import { KeyboardInput } from './controls/desktop.js';
import { EYE, Player } from './controls/player.js';
import { PointerInput } from './controls/pointer.js';
import { Joystick } from './controls/touch.js';
import { GLIDE_SPEED, glideStep } from './controls/walk.js';
import { XrControls } from './controls/xr.js';
import { I18n } from './i18n/i18n.js';
import { encodeDesktopPose, encodeVrPose } from './net/codec.js';
import { PoseGate } from './net/posegate.js';
import { WhoBatcher } from './net/who.js';
import { ChatPanel } from './ui/chat.js';
import { Directory } from './ui/directory.js';
import { byId } from './ui/dom.js';
import { Lobby } from './ui/lobby.js';
import { Minimap } from './ui/minimap.js';
import { BoothPanel } from './ui/panel.js';
import { Panel3D } from './ui/panel3d.js';
import { applyPagePrefs, SettingsDialog } from './ui/settings.js';
import { StatusView } from './ui/status.js';
import { BoothSwapper } from './world/boothswap.js';
import { fallbackHall, loadHall } from './world/hall.js';
import { BoothHighlight } from './world/highlight.js';
import { Picker } from './world/picking.js';
import { SignPainter } from './world/signs.js';
import { createStage, StageError } from './world/stage.js';

/** Render remote avatars this far in the past on the server's timeline (ms). */
const INTERP_DELAY_MS = 100;
const LOOK_SPEED = 0.0045; // rad per pixel dragged
const GROUND_PROBE_MS = 150;
const PEOPLE_EVERY_MS = 500;

const params = new URLSearchParams(location.search);
const TEST = params.has('test');

// Frame-loop scratch: the loop allocates nothing of its own.
const _deskPose = new Float64Array(6);
const _vrPose = new Float64Array(22);
const _head = [0, 0, 0];
const _lp = [0, 0, 0];
const _rp = [0, 0, 0];
const _hq = [0, 0, 0, 1];
const _lq = [0, 0, 0, 1];
const _rq = [0, 0, 0, 1];
const _others = new Float32Array(2 * 4096);
const _me = { x: 0, z: 0, yaw: 0 };
const _handMatrix = new Matrix4();
const _handPos = new Vector3();
const _handQuat = new Quaternion();
const _one = new Vector3(1, 1, 1);

/** Everything the client knows; the test hook (app/hook.js) reads it. */
const app = {
  i18n: null, prefs: null, hallId: 'main', bounds: { min: [-128, 0, -128], max: [128, 16, 128] },
  catalog: null, rooms: null, hall: null, hallSource: 'none', hallReady: false, signsPainted: 0,
  connection: null, remote: null, crowd: null, player: new Player(), xr: null, panel: null, panel3d: null,
  drawCalls: 0, triangles: 0, frames: 0, lastError: null, lastVrPose: _vrPose,
  timing: {
    lobbyReadyMs: null, hallReadyMs: null, firstFrameMs: null, signsMs: null, avatarsMs: null, joinedMs: null,
  },
};

function safeStorage() {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

function fail(code, err) {
  app.lastError = { code, message: String(err?.message ?? err) };
}

async function init() {
  // --- preferences and language ----------------------------------------------------------
  const storage = safeStorage();
  const prefs = loadPrefs(storage, defaultPrefs({
    languages: navigator.languages ?? [navigator.language],
    reducedMotion: matchMedia('(prefers-reduced-motion: reduce)').matches,
  }));
  if (TEST && ['zh', 'en'].includes(params.get('lang'))) prefs.lang = params.get('lang');
  const save = (p) => savePrefs(storage, p);
  const i18n = new I18n(prefs.lang);
  Object.assign(app, { i18n, prefs });
  installHook(app);
  applyPagePrefs(prefs);
  i18n.applyTo(document);
  const touch = matchMedia('(pointer: coarse)').matches;
  document.body.classList.toggle('touch', touch);
  const langButton = byId('btn-lang');
  const labelLangButton = () => {
    langButton.textContent = i18n.lang === 'zh' ? 'English' : '中文';
    langButton.lang = i18n.lang === 'zh' ? 'en' : 'zh-CN';
  };
  labelLangButton();
  langButton.addEventListener('click', () => i18n.set(i18n.lang === 'zh' ? 'en' : 'zh'));

  // --- 2D UI -------------------------------------------------------------------------------
  const player = app.player;
  const gate = new PoseGate();
  const settings = new SettingsDialog({ i18n, prefs, save });
  const lobby = new Lobby({ i18n, prefs, save, onEnter: (choice) => enter(choice) });
  const status = new StatusView({
    i18n, secondsLeft: () => app.connection?.retryInSeconds ?? 0, onRetry: () => app.connection?.retryNow(),
  });
  const chat = new ChatPanel({
    i18n, send: (text) => Boolean(app.connection?.joined && app.connection.sendJson({ type: 'chat', text })),
  });
  const panel = new BoothPanel({ i18n, catalog: () => app.catalog, onGo: (id) => travel.goToBooth(id) });
  const directory = new Directory({
    i18n, catalog: () => app.catalog, hallId: () => app.hallId, onGo: (x, z, yaw) => travel.teleportTo(x, z, yaw),
  });
  const minimap = new Minimap({ onPick: (x, z) => travel.teleportTo(x, z, player.yaw) });
  app.panel = panel;
  app.timing.lobbyReadyMs = performance.now();

  // --- 3D ----------------------------------------------------------------------------------
  let stage;
  try {
    stage = createStage(byId('viewport'));
  } catch (err) {
    if (!(err instanceof StageError)) throw err;
    lobby.block(i18n.t('app.noWebgl'));
    fail('webgl', err);
    return;
  }
  const { renderer, scene, camera, rig, canvas } = stage;
  canvas.setAttribute('role', 'img');
  canvas.dataset.i18nAria = 'hud.view';
  canvas.setAttribute('aria-label', i18n.t('hud.view'));
  const picker = new Picker();
  const highlight = new BoothHighlight();
  const signs = new SignPainter();
  const panel3d = new Panel3D({ i18n });
  const tags = new NameTags();
  const crowd = new CrowdLayer();
  const who = new WhoBatcher();
  scene.add(highlight.lines, panel3d.mesh, tags.mesh, crowd.points);
  Object.assign(app, { renderer, scene, camera, panel3d, crowd });
  const travel = new Travel({ app, player, picker, panel, panel3d, camera, canvas, gate, prefs });
  let signsDue = 0;
  const booths = new BoothSwapper({
    onChange: (id) => {
      highlight.forget(id);
      panel.refresh(id);
      // Texts may have changed: repaint the signs once a burst of changes has passed.
      clearTimeout(signsDue);
      signsDue = setTimeout(paintSigns, 300);
    },
  });
  app.booths = booths;
  const visit = new Visit({ app, i18n, status, chat, gate, player, travel });

  i18n.onChange((lang) => {
    prefs.lang = lang;
    save(prefs);
    i18n.applyTo(document);
    labelLangButton();
    showCatalogTexts();
    paintSigns();
  });

  // Load what the hall needs, in parallel, while the visitor reads the lobby.
  const library = new AvatarLibrary();
  const avatarsReady = library.loadList().then((list) => {
    lobby.setAvatars(list);
    return library.loadAll((id, err) => fail('avatar', `${id}: ${err.message}`));
  }).catch((err) => {
    lobby.avatarsFailed();
    fail('avatars', err);
    return new Map();
  });
  let batch = null;
  let remote = null;
  let myHands = null;
  const avatarsLoaded = avatarsReady.then((models) => {
    app.timing.avatarsMs = performance.now();
    if (!models.size) return;
    batch = new AvatarBatch(models);
    scene.add(batch.mesh);
    remote = new RemoteAvatars({ batch, tags, who });
    app.remote = remote;
  }).catch((err) => fail('avatars', err));

  // Rooms, catalog and the hall: loaded while the visitor reads the lobby (nothing waits on it
  // at start-up; entering waits for the rooms, the frame loop simply has no hall yet).
  const placesLoaded = (async () => {
    const [rooms, catalog, scenes] = await Promise.all([
      fetchJson('/api/rooms').catch((err) => {
        fail('rooms', err);
        return [];
      }),
      fetchJson('/api/catalog', { optional: true }),
      fetchJson('/api/scenes', { optional: true }),
    ]);
    Object.assign(app, { rooms, catalog });
    const room = rooms.find((r) => r.id === params.get('room')) ?? rooms[0];
    if (room) {
      app.hallId = room.id;
      app.bounds = room.bounds;
    }
    player.placeHead([room?.spawn?.[0] ?? 0, EYE, room?.spawn?.[2] ?? 0], ((room?.spawn_yaw_deg ?? 0) * Math.PI) / 180);
    showCatalogTexts();

    const hallUrl = scenes?.halls?.[app.hallId]?.url;
    if (hallUrl) {
      try {
        app.hall = await loadHall(hallUrl);
        app.hallSource = 'glb';
      } catch (err) {
        fail('hall', err);
        chat.system(i18n.t('app.hallFailed'));
      }
    }
    if (!app.hall) {
      app.hall = fallbackHall(app.bounds, catalog);
      app.hallSource = 'fallback';
    }
    scene.add(app.hall.root);
    picker.setHall(app.hall);
    booths.attach(app.hall, catalog, app.hallId);
    minimap.setPlan(app.bounds, catalog, app.hallId);
    app.hallReady = true;
    app.timing.hallReadyMs = performance.now();
    paintSigns();
  })();
  const placesReady = placesLoaded.catch((err) => fail('hall', err));

  // --- controls ----------------------------------------------------------------------------
  const keyboard = new KeyboardInput({ onToggleLock: () => pointer.toggleLock() });
  const joystick = new Joystick(byId('joystick'));
  const tip = byId('hover-tip');
  const hover = { x: 0, y: 0, on: false, dirty: false };
  const pointer = new PointerInput({
    element: canvas,
    onLook: (dx, dy) => {
      const k = LOOK_SPEED * prefs.mouseSensitivity * (pointer.locked ? 0.5 : 1);
      player.look(-dx * k, -dy * k);
    },
    onPick: (x, y) => travel.pickAt(x, y),
    onHover: (x, y) => {
      hover.on = x !== null;
      hover.x = x;
      hover.y = y;
      hover.dirty = true;
    },
  });
  byId('btn-mouselook').addEventListener('click', () => pointer.toggleLock());
  document.addEventListener('pointerlockchange', () => {
    byId('crosshair').hidden = !pointer.locked;
  });
  const xr = new XrControls({
    renderer, rig, camera, scene, button: byId('btn-vr'), i18n, prefs, player,
    hooks: {
      walkables: () => app.hall?.walkables ?? [],
      pickBooth: (raycaster) => {
        const hit = picker.withRay(raycaster);
        return hit.kind === 'booth' ? hit.id : null;
      },
      panel: () => panel3d,
      onClosePanel: () => panel3d.close(),
      onSelectBooth: (id) => travel.openBooth(id),
      onTeleport: (x, y, z, yaw) => travel.sendTeleport(x, y, z, yaw),
      onSession: (active) => {
        if (active) {
          panel.close();
          // The visitor's own hands, drawn in the same batch as everyone else.
          if (batch && !myHands) myHands = batch.add(app.myAvatar ?? batch.defaultModel);
        } else {
          panel3d.close();
          camera.position.set(0, EYE, 0);
          camera.quaternion.identity();
          stage.resize();
        }
        if (myHands) batch.setVisible(myHands, false);
      },
    },
  });
  app.xr = xr;
  travel.xr = xr;

  // --- enter and leave ---------------------------------------------------------------------
  async function enter({ name, avatar }) {
    lobby.hide();
    byId('hud').hidden = false;
    joystick.show(touch);
    // On a phone the view needs the room; chat opens from the toolbar.
    if (touch) chat.setOpen(false);
    status.set('idle', 'app.loading');
    await Promise.all([avatarsLoaded, placesReady]);
    app.myAvatar = avatar;
    visit.start({ name, avatar });
    canvas.focus({ preventScroll: true });
  }

  byId('btn-leave').addEventListener('click', () => {
    visit.leave();
    panel.close();
    directory.close();
    byId('hud').hidden = true;
    joystick.show(false);
    lobby.show();
    byId('lobby-enter').focus();
  });

  // Escape closes whatever panel is open (each panel also handles it when focused).
  window.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape' && !ev.defaultPrevented) {
      panel.close();
      directory.close();
      settings.close();
    }
  });

  function showCatalogTexts() {
    // The catalog nests the expo's own texts under `expo`.
    const expo = app.catalog?.expo ?? app.catalog;
    const title = byId('lobby-title');
    if (expo?.title) {
      delete title.dataset.i18n;
      title.textContent = i18n.pick(expo.title);
      document.title = `${i18n.pick(expo.title)} · Metaverse Zhejiang Expo`;
    }
    byId('expo-subtitle').textContent = i18n.pick(expo?.subtitle);
    byId('expo-notice').textContent = i18n.pick(expo?.notice);
  }

  async function paintSigns() {
    if (!app.hall?.signs.length) return;
    await signs.paint(app.hall.signs, app.hall.signsMaterial, app.catalog, i18n);
    app.signsPainted = signs.painted;
    app.timing.signsMs ??= performance.now();
  }

  // --- the frame ---------------------------------------------------------------------------
  let last = performance.now();
  let lastProbe = 0;
  let lastPeople = 0;
  const people = byId('people');

  function move(now, dt, presenting) {
    if (presenting) return xr.update(dt, app.bounds);
    let moved = keyboard.update(player, dt, app.bounds);
    if (joystick.update(player, dt, app.bounds)) moved = true;
    if (player.glide) {
      if (!glideStep(player.feet, player.glide, GLIDE_SPEED, dt, app.bounds)) player.glide = null;
      moved = true;
    }
    if (moved && now - lastProbe > GROUND_PROBE_MS) {
      // Follow the floor (a stage is higher) a few times a second, not every frame.
      lastProbe = now;
      player.feet[1] = travel.groundAt(player.feet[0], player.feet[1], player.feet[2]);
    }
    player.applyToRig(rig, camera, false);
    return moved;
  }

  function sendPose(now, conn, presenting, moved) {
    if (presenting) {
      xr.pose(_vrPose, moved);
      if (!gate.offer(now, _vrPose, 22)) return;
      for (let i = 0; i < 3; i++) { _head[i] = _vrPose[i]; _lp[i] = _vrPose[7 + i]; _rp[i] = _vrPose[14 + i]; }
      for (let i = 0; i < 4; i++) { _hq[i] = _vrPose[3 + i]; _lq[i] = _vrPose[10 + i]; _rq[i] = _vrPose[17 + i]; }
      conn.sendBinary(encodeVrPose(_head, _hq, _lp, _lq, _rp, _rq, _vrPose[21]));
      return;
    }
    player.desktopPose(_deskPose);
    if (!gate.offer(now, _deskPose, 6)) return;
    _head[0] = _deskPose[0]; _head[1] = _deskPose[1]; _head[2] = _deskPose[2];
    conn.sendBinary(encodeDesktopPose(_head, _deskPose[3], _deskPose[4], _deskPose[5]));
  }

  function showHover() {
    hover.dirty = false;
    const hit = hover.on ? picker.atScreen(hover.x, hover.y, canvas, camera) : null;
    const id = hit?.kind === 'booth' ? hit.id : null;
    highlight.show(id, app.hall);
    canvas.style.cursor = id ? 'pointer' : hit?.kind === 'floor' ? 'crosshair' : '';
    const booth = id ? app.catalog?.booths?.find((b) => b.id === id) : null;
    tip.hidden = !booth;
    if (!booth) return;
    const name = i18n.pick(booth.exhibitor.name);
    if (tip.textContent !== name) tip.textContent = name;
    tip.style.left = `${hover.x}px`;
    tip.style.top = `${hover.y}px`;
  }

  function showMap(now) {
    let n = 0;
    if (remote) {
      for (let i = 0; i < remote.list.length && n < 2048; i++, n++) {
        _others[2 * n] = remote.list[i].pose[1];
        _others[2 * n + 1] = remote.list[i].pose[3];
      }
    }
    for (let i = 0; i < crowd.count && n < 4096; i++, n++) {
      _others[2 * n] = crowd.positions[3 * i];
      _others[2 * n + 1] = crowd.positions[3 * i + 2];
    }
    _me.x = player.feet[0];
    _me.z = player.feet[2];
    _me.yaw = player.yaw;
    minimap.draw(now, _me, _others, n);
    if (now - lastPeople < PEOPLE_EVERY_MS) return;
    lastPeople = now;
    const near = remote?.list.length ?? 0;
    const text = app.connection?.joined ? i18n.t('hud.people', { near, total: near + crowd.count + 1 }) : '';
    if (people.textContent !== text) people.textContent = text;
    people.hidden = !text;
  }

  function render() {
    const now = performance.now();
    const dt = Math.min(0.1, (now - last) / 1000);
    last = now;
    const presenting = xr.presenting;

    // 1. local movement
    const moved = move(now, dt, presenting);
    player.moving = moved;

    // 2. send
    const conn = app.connection;
    if (conn?.joined) {
      sendPose(now, conn, presenting, moved);
      const ids = who.take(now);
      if (ids) conn.sendJson({ type: 'who', ids });
    }

    // 3. remote avatars (and, in VR, the visitor's own hands)
    if (remote && conn) remote.update(conn.serverNow() - INTERP_DELAY_MS);
    if (myHands && presenting) poseOwnHands(batch, myHands, _vrPose);
    tags.update(now);

    // 4. hover, minimap
    if (hover.dirty && !presenting) showHover();
    highlight.update(now, prefs.reducedMotion);
    if (!presenting && conn) showMap(now);

    // 5. render
    renderer.render(scene, camera);
    app.drawCalls = renderer.info.render.calls;
    app.triangles = renderer.info.render.triangles;
    app.frames++;
    if (app.timing.firstFrameMs === null && app.hallReady) app.timing.firstFrameMs = performance.now();
  }

  renderer.setAnimationLoop(render);
  if (TEST) installTestHooks({ app, travel, player, gate, signs, canvas, camera, renderer, scene });
  if (TEST && params.get('autoenter')) {
    await avatarsLoaded;
    const name = params.get('name') || 'tester';
    lobby.name.value = name;
    enter({ name, avatar: params.get('avatar') || library.list[0]?.id });
  }
}

/** Put the visitor's own avatar hands (VR) at the tracked grips; head and body stay hidden. */
function poseOwnHands(batch, ids, pose) {
  for (let hand = 0; hand < 2; hand++) {
    const o = 7 + 7 * hand;
    _handPos.set(pose[o], pose[o + 1], pose[o + 2]);
    _handQuat.set(pose[o + 3], pose[o + 4], pose[o + 5], pose[o + 6]);
    batch.setMatrix(ids, 2 + hand, _handMatrix.compose(_handPos, _handQuat, _one));
    batch.mesh.setVisibleAt(ids[2 + hand], true);
  }
}

init().catch((err) => {
  console.error(err);
  fail('init', err);
  const fatal = document.getElementById('fatal');
  if (fatal) {
    fatal.hidden = false;
    fatal.textContent = String(err?.message ?? err);
  }
});
