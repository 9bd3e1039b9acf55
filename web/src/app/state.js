/**
 * The client's state, in one object with one owner: main.js creates it, the
 * modules it wires together read and write their own parts of it (the visit its
 * connection, the loaders the hall and catalog, the frame loop its counters),
 * and app/hook.js exposes a read-only view of it as `window.__expo`.
 */

import { Player } from '../controls/player.js';

/**
 * @typedef {object} Timing milliseconds since page start (performance.now) at each milestone
 * @property {number | null} lobbyReadyMs
 * @property {number | null} hallReadyMs
 * @property {number | null} firstFrameMs
 * @property {number | null} signsMs
 * @property {number | null} avatarsMs
 * @property {number | null} joinedMs
 */

/**
 * @typedef {object} AppState
 * @property {import('../i18n/i18n.js').I18n | null} i18n
 * @property {import('./types.js').Prefs | null} prefs
 * @property {string} hallId
 * @property {import('./types.js').Bounds} bounds
 * @property {import('./types.js').Catalog | null} catalog
 * @property {import('./types.js').RoomInfo[] | null} rooms
 * @property {import('../world/hall.js').Hall | null} hall
 * @property {import('../world/navgrid.js').NavGrid | null} navgrid the hall's walkable floor, if it has one
 * @property {'none' | 'glb' | 'fallback'} hallSource
 * @property {boolean} hallReady
 * @property {number} signsPainted
 * @property {import('../net/connection.js').Connection | null} connection
 * @property {import('../avatars/remote.js').RemoteAvatars | null} remote
 * @property {import('../avatars/crowd.js').CrowdLayer | null} crowd
 * @property {Player} player
 * @property {import('../controls/xr.js').XrControls | null} xr
 * @property {import('../ui/panel.js').BoothPanel | null} panel
 * @property {import('../ui/emotes.js').EmoteBar | null} emotes the gesture buttons (the VR menu sends through them too)
 * @property {import('../ui/panel3d.js').Panel3D | null} panel3d
 * @property {import('../ui/minimap.js').Minimap | null} minimap
 * @property {import('../ui/vrmenu.js').VrMenu | null} vrmenu
 * @property {import('../ui/directory.js').Directory | null} directory
 * @property {import('../world/boothswap.js').BoothSwapper | null} booths
 * @property {import('../forum/forums.js').Forums | null} forum the forums (their state, panels and audio)
 * @property {import('../voice/voice.js').Voice | null} voice proximity voice (microphone, voices, people)
 * @property {import('three').WebGLRenderer | null} renderer
 * @property {import('three').Scene | null} scene
 * @property {import('three').PerspectiveCamera | null} camera
 * @property {string | null} myAvatar the avatar model the visitor chose
 * @property {{name: string, badge: string | null, moderator: boolean} | null} you as the welcome named this visitor
 * @property {number} drawCalls
 * @property {number} triangles
 * @property {number} frames
 * @property {{code: string, message: string} | null} lastError
 * @property {Float64Array} lastVrPose the visitor's last VR pose (head, hands), see controls/xr.js
 * @property {Timing} timing
 */

/**
 * A fresh state: no hall, no connection, the default bounds until /api/rooms answers.
 * @param {Float64Array} vrPose the frame loop's VR pose buffer (shared, never copied)
 * @returns {AppState}
 */
function createAppState(vrPose) {
  return {
    i18n: null, prefs: null, hallId: 'main', bounds: { min: [-128, 0, -128], max: [128, 16, 128] },
    catalog: null, rooms: null, hall: null, navgrid: null, hallSource: 'none', hallReady: false, signsPainted: 0,
    connection: null, remote: null, crowd: null, player: new Player(), xr: null, panel: null, emotes: null, panel3d: null, minimap: null, vrmenu: null, directory: null,
    booths: null, forum: null, voice: null, renderer: null, scene: null, camera: null, myAvatar: null, you: null,
    drawCalls: 0, triangles: 0, frames: 0, lastError: null, lastVrPose: vrPose,
    timing: {
      lobbyReadyMs: null, hallReadyMs: null, firstFrameMs: null, signsMs: null, avatarsMs: null, joinedMs: null,
    },
  };
}

/**
 * Note what went wrong last (shown by the test hook and the curious).
 * @param {AppState} app
 * @param {string} code
 * @param {unknown} err
 */
function noteError(app, code, err) {
  const message = err !== null && typeof err === 'object' && 'message' in err ? err.message : err;
  app.lastError = { code, message: String(message ?? err) };
}

export { createAppState, noteError };
