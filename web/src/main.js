/**
 * The expo client: init() wires the modules together, then one frame loop
 * (renderer.setAnimationLoop, app/frame.js) runs everything, in VR and out of it.
 *
 * Start-up loads in parallel what the hall needs (app/startup.js: rooms,
 * catalog, the built hall GLB, the avatar models) while the visitor fills in
 * the lobby, and renders the hall behind it as soon as it is there. "Enter"
 * opens the sync socket (app/visit.js). The client's state has one owner,
 * app/state.js; the frame's order is written down in app/frame.js.
 */

import { fetchJson } from './app/api.js';
import { installHook } from './app/hook.js';
import { defaultPrefs, loadPrefs, savePrefs } from './app/prefs.js';
import { createAppState, noteError } from './app/state.js';
import { loadAvatars, loadPlaces } from './app/startup.js';
import { installTestHooks } from './app/testhooks.js';
import { Travel } from './app/travel.js';
import { Visit } from './app/visit.js';
import { Frame } from './app/frame.js';
import { Forums } from './forum/forums.js';
import { encodeAudioFrame, MediaStream } from './net/codec.js';
import { Voice } from './voice/voice.js';
import { AvatarBatch } from './avatars/batch.js';
import { CrowdLayer } from './avatars/crowd.js';
import { AvatarLibrary } from './avatars/library.js';
import { NameTags } from './avatars/nametags.js';
import { RemoteAvatars } from './avatars/remote.js';
import { KeyboardInput } from './controls/desktop.js';
import { EYE } from './controls/player.js';
import { PointerInput } from './controls/pointer.js';
import { Joystick } from './controls/touch.js';
import { XrControls } from './controls/xr.js';
import { I18n } from './i18n/i18n.js';
import { PoseGate } from './net/posegate.js';
import { WhoBatcher } from './net/who.js';
import { ChatPanel } from './ui/chat.js';
import { Dock } from './ui/dock.js';
import { EmoteBar } from './ui/emotes.js';
import { emoteMessage } from './net/emote.js';
import { Directory } from './ui/directory.js';
import { byId } from './ui/dom.js';
import { showExpoTexts } from './ui/expotexts.js';
import { Lobby } from './ui/lobby.js';
import { ModMenu } from './ui/modmenu.js';
import { avatarAt, tagOnScreen } from './avatars/pickavatar.js';
import { HallPasses } from './net/hallpass.js';
import { Minimap } from './ui/minimap.js';
import { CardDesk } from './reach/card.js';
import { BoothPanel } from './ui/panel.js';
import { Panel3D } from './ui/panel3d.js';
import { applyPagePrefs, SettingsDialog } from './ui/settings.js';
import { StatusView } from './ui/status.js';
import { Toolbar } from './ui/toolbar.js';
import { VrMenu } from './ui/vrmenu.js';
import { BoothSwapper } from './world/boothswap.js';
import { BoothHighlight } from './world/highlight.js';
import { chooseEmojiFont } from './world/fonts.js';
import { Picker } from './world/picking.js';
import { SignPainter } from './world/signs.js';
import { createStage, StageError } from './world/stage.js';

const LOOK_SPEED = 0.0045; // rad per pixel dragged

const params = new URLSearchParams(location.search);
const TEST = params.has('test');

/** Everything the client knows; the test hook (app/hook.js) reads it. */
const app = createAppState(new Float64Array(22));

/** @returns {Storage | null} the page's localStorage, if the browser lets us have it */
function safeStorage() {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

async function init() {
  // --- preferences and language ----------------------------------------------------------
  const storage = safeStorage();
  // One hall pass for the page: the join and the forums' roles use the same token.
  const passes = new HallPasses({ as: params.get('as'), storage });
  const prefs = loadPrefs(storage, defaultPrefs({
    languages: navigator.languages ?? [navigator.language],
    reducedMotion: matchMedia('(prefers-reduced-motion: reduce)').matches,
  }));
  const lang = params.get('lang');
  if (TEST && lang && ['zh', 'en'].includes(lang)) prefs.lang = lang;
  const save = (/** @type {import('./app/types.js').Prefs} */ p) => savePrefs(storage, p);
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
    // The name starts with what the button shows (speech control users say what they see).
    langButton.setAttribute('aria-label', `${langButton.textContent} · ${i18n.t('lang.switch')}`);
  };
  labelLangButton();
  langButton.addEventListener('click', () => i18n.set(i18n.lang === 'zh' ? 'en' : 'zh'));

  // --- 2D UI -------------------------------------------------------------------------------
  /** @type {Voice | null} proximity voice (made once the stage audio it plays through exists) */
  let voice = null;
  const player = app.player;
  const gate = new PoseGate();
  const settings = new SettingsDialog({ i18n, prefs, save });
  const lobby = new Lobby({ i18n, prefs, save, onEnter: (choice) => enter(choice) });
  const status = new StatusView({
    i18n, secondsLeft: () => app.connection?.retryInSeconds ?? 0, onRetry: () => app.connection?.retryNow(),
  });
  const chat = new ChatPanel({
    i18n, send: (text) => Boolean(app.connection?.joined && app.connection.sendJson({ type: 'chat', text })),
    hidden: (from) => Boolean(voice?.isBlocked(from)),
  });
  const toolbar = new Toolbar();
  i18n.onChange(() => toolbar.layout());
  new Dock({ root: byId('dock') });
  const emotes = new EmoteBar({
    send: (emote) => Boolean(app.connection?.joined && app.connection.sendJson(emoteMessage(emote))),
  });
  const cards = new CardDesk({
    panel: byId('booth-panel'),
    i18n,
    storage,
    fetchJson,
    send: (msg) => Boolean(app.connection?.joined && app.connection.sendJson(msg)),
  });
  const panel = new BoothPanel({
    i18n, catalog: () => app.catalog, onWalk: (id) => travel.walkToBooth(id), onTeleport: (id) => travel.goToBooth(id),
    onChange: (id) => cards.panelChanged(id),
  });
  const directory = new Directory({
    i18n, catalog: () => app.catalog, hallId: () => app.hallId, onGo: (x, z, yaw) => travel.teleportTo(x, z, yaw),
    onBooth: (id) => travel.goToBooth(id),
  });
  const minimap = new Minimap({ onPick: (x, z) => travel.teleportTo(x, z, player.yaw) });
  i18n.onChange(() => minimap.relabel());
  app.panel = panel;
  app.minimap = minimap;
  app.directory = directory;
  app.timing.lobbyReadyMs = performance.now();

  // --- 3D ----------------------------------------------------------------------------------
  let stage;
  try {
    stage = createStage(byId('viewport'));
  } catch (err) {
    if (!(err instanceof StageError)) throw err;
    lobby.block(i18n.t('app.noWebgl'));
    noteError(app, 'webgl', err);
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
  const travel = new Travel({ app, player, picker, panel, panel3d, camera, canvas, gate, prefs });
  const vrmenu = new VrMenu({
    i18n,
    actions: {
      destinations: () => directory.destinations(),
      teleport: (x, z, yaw) => travel.teleportTo(x, z, yaw ?? player.yaw),
      map: () => ({
        canvas: minimap.canvas,
        toWorld: (px, py) => (minimap.proj ? minimap.proj.toWorld(px, py, [0, 0]) : null),
      }),
      chatLines: () => [...byId('chat-log').querySelectorAll('li')].map((li) => li.textContent ?? ''),
      say: (text) => chat.send(text),
      emote: (emote) => { emotes.send(emote); },
      prefs,
      savePrefs: () => save(prefs),
      switchLanguage: () => i18n.set(i18n.lang === 'zh' ? 'en' : 'zh'),
    },
  });
  chooseEmojiFont().then((look) => {
    document.body.classList.toggle('no-emoji', look === 'none');
    document.body.dataset.emoji = look;
    vrmenu.emoji = look !== 'none';
    vrmenu.repaint();
    app.remote?.relabel(); // name tags painted before the choice get the emoji font too
  }).catch((err) => noteError(app, 'emoji', err));
  new MutationObserver(() => vrmenu.chatChanged()).observe(byId('chat-log'), { childList: true });
  scene.add(highlight.lines, panel3d.mesh, vrmenu.mesh, tags.mesh, crowd.points);
  Object.assign(app, { renderer, scene, camera, panel3d, crowd, vrmenu });
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let signsDue;
  const booths = new BoothSwapper({
    onChange: (id) => {
      // A booth drawn in another template blocks that template's floor (docs/scenes.md).
      const state = booths.states[id];
      if (state && !state.model && state.template) app.navgrid?.restampBooth(id, state.template);
      highlight.forget(id);
      panel.refresh(id);
      // Texts may have changed: repaint the signs once a burst of changes has passed.
      clearTimeout(signsDue);
      signsDue = setTimeout(paintSigns, 300);
    },
  });
  app.booths = booths;
  /**
   * One AUDIO frame of protocol version 2 (docs/protocol.md, "Media"): stage audio or voice.
   * @param {number} stream
   * @param {import('./media/batcher.js').Chunk[]} chunks
   */
  const sendAudio = (stream, chunks) => {
    const conn = app.connection;
    return Boolean(conn?.joined && conn.sendBinary(encodeAudioFrame(stream, chunks)));
  };
  const forums = new Forums({
    app, i18n, travel, scene, camera, params, passes, toggle: byId('btn-forums'), sendAudio,
  });
  app.forum = forums;
  forums.loadAgenda();
  voice = new Voice({
    app, i18n, camera, scene, dock: byId('dock'), stage: forums.audio, sendAudio,
    liveForums: () => forums.store.liveIn(app.hallId).flatMap((sid) => {
      const area = forums.store.hallOf(sid)?.area;
      return area ? [/** @type {[number, number, number, number]} */ ([area.x[0], area.x[1], area.z[0], area.z[1]])] : [];
    }),
  });
  app.voice = voice;
  const visit = new Visit({
    app, i18n, status, chat, gate, player, travel,
    onReach: (msg) => cards.onMessage(msg),
    listeners: {
      onWelcome: (msg) => {
        forums.onWelcome(msg);
        voice?.onWelcome(msg);
      },
      onMessage: (msg) => {
        forums.onMessage(msg);
        voice?.onMessage(msg);
      },
      onMedia: (records) => {
        voice?.onMedia(records);
        forums.onMedia(records.filter((r) => r.stream !== MediaStream.VOICE));
      },
    },
    onRefusedName: (name) => {
      visit.leave();
      byId('hud').hidden = true;
      joystick.show(false);
      lobby.show();
      lobby.nameRefused(name);
    },
  });
  const modMenu = new ModMenu({
    i18n,
    send: (msg) => Boolean(app.connection?.joined && app.connection.sendJson(msg)),
    moderator: () => Boolean(app.you?.moderator),
  });
  chat.onLineMenu = (line, li) => {
    const who = app.remote?.names.get(line.from);
    modMenu.open({ id: line.from, name: line.name, badge: line.badge ?? who?.badge ?? null, line }, li);
  };
  /** Open the menu of the visitor whose name tag is at (x, y); true if there is one. */
  const menuAt = (/** @type {number} */ x, /** @type {number} */ y) => {
    const a = avatarAt(app.remote, camera, canvas, x, y);
    if (!a || !app.connection?.joined) return false;
    modMenu.open({ id: a.id, name: a.name, badge: a.badge }, tagOnScreen(a, camera, canvas) ?? { x, y });
    return true;
  };
  const showTexts = () => showExpoTexts(app.catalog, i18n);

  i18n.onChange((lang) => {
    prefs.lang = lang;
    save(prefs);
    i18n.applyTo(document);
    labelLangButton();
    showTexts();
    paintSigns();
    app.remote?.relabel();
  });

  // --- controls ----------------------------------------------------------------------------
  const keyboard = new KeyboardInput({ onToggleLock: () => pointer.toggleLock() });
  const joystick = new Joystick(byId('joystick'));
  const hover = { x: 0, y: 0, on: false, dirty: false };
  const pointer = new PointerInput({
    element: canvas,
    onLook: (dx, dy) => {
      const k = LOOK_SPEED * prefs.mouseSensitivity * (pointer.locked ? 0.5 : 1);
      player.look(-dx * k, -dy * k);
    },
    onPick: (x, y) => {
      if (!menuAt(x, y)) travel.pickAt(x, y);
    },
    onHover: (x, y) => {
      hover.on = x !== null;
      hover.x = x ?? 0;
      hover.y = y ?? 0;
      hover.dirty = true;
    },
  });
  byId('btn-mouselook').addEventListener('click', () => pointer.toggleLock());
  document.addEventListener('pointerlockchange', () => {
    byId('crosshair').hidden = !pointer.locked;
  });
  const xr = new XrControls({
    renderer, rig, camera, scene, button: byId('btn-vr', HTMLButtonElement), i18n, prefs, player,
    hooks: {
      walkables: () => app.hall?.walkables ?? [],
      grid: () => app.navgrid,
      pickBooth: (raycaster) => {
        const hit = picker.withRay(raycaster);
        return hit.kind === 'booth' ? hit.id : null;
      },
      panel: () => panel3d,
      onClosePanel: () => panel3d.close(),
      menu: () => vrmenu,
      onMenu: () => vrmenu.toggle(camera),
      onLeftGrip: (grip) => vrmenu.wear(grip),
      onPalm: (facing) => vrmenu.palm(facing, camera),
      onSelectBooth: (id) => travel.openBooth(id),
      onTeleport: (x, y, z, yaw) => travel.sendTeleport(x, y, z, yaw),
      claimSelect: (raycaster) => forums.vr.claimSelect(raycaster),
      onSession: (active) => {
        if (active) {
          forums.unlockAudio(); // entering VR was a click

          panel.close();
          // The visitor's own hands, drawn in the same batch as everyone else.
          if (frame.batch && !frame.myHands) frame.myHands = frame.batch.add(app.myAvatar ?? frame.batch.defaultModel);
        } else {
          panel3d.close();
          vrmenu.close();
          camera.position.set(0, EYE, 0);
          camera.quaternion.identity();
          stage.resize();
        }
        if (frame.batch && frame.myHands) frame.batch.setVisible(frame.myHands, false);
      },
    },
  });
  app.xr = xr;
  app.emotes = emotes;
  travel.xr = xr;

  const frame = new Frame({
    app, renderer, scene, camera, rig, canvas, player, xr, keyboard, joystick, travel, gate, who, tags, crowd,
    picker, highlight, minimap, vrmenu, i18n, prefs, tip: byId('hover-tip'), people: byId('people'), hover,
  });
  frame.updaters.push((now, presenting) => forums.update(now, presenting));
  frame.updaters.push((now, presenting) => voice?.update(now, presenting));
  frame.updaters.push((now) => booths.branding.slides.tick(now, camera));

  // Load what the hall needs, in parallel, while the visitor reads the lobby.
  const library = new AvatarLibrary();
  const avatarsLoaded = loadAvatars(app, library, lobby).then((models) => {
    app.timing.avatarsMs = performance.now();
    if (!models.size) return;
    const batch = new AvatarBatch(models);
    scene.add(batch.mesh);
    frame.batch = batch;
    frame.remote = app.remote = new RemoteAvatars({ batch, tags, who, badgeLabel: (b) => i18n.t(`badge.${b}`) });
  }).catch((err) => noteError(app, 'avatars', err));
  const placesReady = loadPlaces({
    app, params, player, scene, picker, booths, minimap, chat, i18n, showTexts, paintSigns,
  }).catch((err) => noteError(app, 'hall', err));
  placesReady.then(() => forums.hallReady()).catch((err) => noteError(app, 'forums', err));

  // --- enter and leave ---------------------------------------------------------------------
  /** @param {{name: string, avatar: string}} choice */
  async function enter({ name, avatar }) {
    forums.unlockAudio(); // inside the Enter click: the stage can play without another one
    lobby.hide();
    byId('hud').hidden = false;
    joystick.show(touch);
    // On a phone the view needs the room; chat opens from the toolbar.
    if (touch) chat.setOpen(false);
    status.set('idle', 'app.loading');
    const [pass] = await Promise.all([passes.renew(), avatarsLoaded, placesReady]);
    app.myAvatar = avatar;
    visit.start({ name, avatar, token: pass?.token ?? null });
    canvas.focus({ preventScroll: true });
  }

  byId('btn-leave').addEventListener('click', () => {
    voice?.leave();
    forums.leave();
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
      modMenu.close();
      panel.close();
      directory.close();
      settings.close();
    }
  });

  async function paintSigns() {
    if (!app.hall?.signs.length) return;
    await signs.paint(app.hall.signs, app.hall.signsMaterial, app.catalog, i18n, {
      logoAt: (id) => booths.states[id]?.brand?.logo === 'shown',
    });
    app.signsPainted = signs.painted;
    app.timing.signsMs ??= performance.now();
  }

  renderer.setAnimationLoop(() => frame.render());
  if (TEST) installTestHooks({ app, travel, player, gate, signs, canvas, camera, renderer, scene });
  if (TEST && params.get('autoenter')) {
    await avatarsLoaded;
    const name = params.get('name') || 'tester';
    lobby.name.value = name;
    enter({ name, avatar: params.get('avatar') || library.list[0]?.id });
  }
}

init().catch((err) => {
  console.error(err);
  noteError(app, 'init', err);
  const fatal = document.getElementById('fatal');
  if (fatal) {
    fatal.hidden = false;
    fatal.textContent = String(err?.message ?? err);
  }
});
