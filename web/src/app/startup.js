/**
 * What the hall needs, loaded in parallel while the visitor reads the lobby:
 * the avatar models, and the rooms, the catalog and the built hall GLB.
 * Nothing waits on these at start-up: entering waits for them, and the frame
 * loop simply has no hall until it is there. A failure is noted and degrades
 * (no avatars: the lobby says so; no GLB: a plain floor from the bounds).
 */

import { EYE } from '../controls/player.js';
import { fallbackHall, loadHall } from '../world/hall.js';
import { NavGrid } from '../world/navgrid.js';
import { fetchJson } from './api.js';
import { noteError } from './state.js';

/**
 * The avatar list for the lobby, then every model.
 * @param {import('./state.js').AppState} app
 * @param {import('../avatars/library.js').AvatarLibrary} library
 * @param {import('../ui/lobby.js').Lobby} lobby
 * @returns {Promise<Map<string, import('../avatars/library.js').AvatarModel>>} the models by id
 */
function loadAvatars(app, library, lobby) {
  return library.loadList().then((list) => {
    lobby.setAvatars(list);
    return library.loadAll((id, err) => noteError(app, 'avatar', `${id}: ${err.message}`));
  }).catch((err) => {
    lobby.avatarsFailed();
    noteError(app, 'avatars', err);
    return new Map();
  });
}

/**
 * @typedef {object} PlaceParts where the loaded places go
 * @property {import('./state.js').AppState} app
 * @property {URLSearchParams} params the page's query (`room` picks a hall)
 * @property {import('../controls/player.js').Player} player
 * @property {import('three').Scene} scene
 * @property {import('../world/picking.js').Picker} picker
 * @property {import('../world/boothswap.js').BoothSwapper} booths
 * @property {import('../ui/minimap.js').Minimap} minimap
 * @property {import('../ui/chat.js').ChatPanel} chat
 * @property {import('../i18n/i18n.js').I18n} i18n
 * @property {() => void} showTexts the catalog's texts arrived
 * @property {() => void} paintSigns the hall's signs can be painted
 */

/**
 * Rooms, catalog and the hall, into `app`; the visitor is placed at the spawn point.
 * @param {PlaceParts} parts
 */
async function loadPlaces({ app, params, player, scene, picker, booths, minimap, chat, i18n, showTexts, paintSigns }) {
  const [rooms, catalog, scenes] = await Promise.all([
    fetchJson('/api/rooms').catch((err) => {
      noteError(app, 'rooms', err);
      return [];
    }),
    fetchJson('/api/catalog', { optional: true }),
    fetchJson('/api/scenes', { optional: true }),
  ]);
  Object.assign(app, { rooms, catalog });
  /** @type {import('./types.js').RoomInfo | undefined} */
  const room = rooms.find((/** @type {import('./types.js').RoomInfo} */ r) => r.id === params.get('room')) ?? rooms[0];
  if (room) {
    app.hallId = room.id;
    app.bounds = room.bounds;
  }
  player.placeHead([room?.spawn?.[0] ?? 0, EYE, room?.spawn?.[2] ?? 0], ((room?.spawn_yaw_deg ?? 0) * Math.PI) / 180);
  showTexts();

  const hallUrl = scenes?.halls?.[app.hallId]?.url;
  if (hallUrl) {
    try {
      app.hall = await loadHall(hallUrl);
      app.hallSource = 'glb';
    } catch (err) {
      noteError(app, 'hall', err);
      chat.system(i18n.t('app.hallFailed'));
    }
  }
  if (!app.hall) {
    app.hall = fallbackHall(app.bounds, catalog);
    app.hallSource = 'fallback';
  }
  const gridUrl = navGridUrl(scenes, app.hallId, room);
  if (gridUrl && app.hallSource === 'glb') {
    // Without its grid the hall still works: movement is held by the bounds alone.
    try {
      app.navgrid = NavGrid.fromJson(await fetchJson(gridUrl));
    } catch (err) {
      noteError(app, 'navgrid', err);
    }
  }
  scene.add(app.hall.root);
  picker.setHall(app.hall);
  booths.attach(app.hall, catalog, app.hallId);
  minimap.setPlan(app.bounds, catalog, app.hallId, (t) => i18n.pick(t));
  app.hallReady = true;
  app.timing.hallReadyMs = performance.now();
  paintSigns();
}

/**
 * Where the hall's navigation grid is (docs/scenes.md): beside the hall GLB in /api/scenes,
 * as a URL or {url}; null when the server lists none.
 * @param {any} scenes the /api/scenes answer
 * @param {string} hallId
 * @param {any} [room] the hall's /api/rooms entry
 * @returns {string | null}
 */
function navGridUrl(scenes, hallId, room) {
  const entry = scenes?.halls?.[hallId]?.navgrid ?? room?.navgrid;
  const url = typeof entry === 'string' ? entry : entry?.url;
  return typeof url === 'string' && url.startsWith('/') ? url : null;
}

export { loadAvatars, loadPlaces, navGridUrl };
