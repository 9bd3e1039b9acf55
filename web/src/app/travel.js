/**
 * Getting around: click-to-walk and "walk to the booth" (a path found on the
 * hall's navigation grid, world/pathfind.js, walked by the frame loop),
 * teleports (directory, minimap, booth panel, VR arc) and opening booths.
 * Every teleport moves the visitor locally at once and tells the server with
 * a `teleport` message (the only way to move faster than walking,
 * docs/protocol.md); the pose gate is reset so the next pose goes out right
 * behind it. A teleport lands on walkable floor: a point inside a wall or a
 * booth's counter moves to the nearest floor beside it.
 */

import { Vector3 } from 'three';
import { EYE } from '../controls/player.js';
import { findPath } from '../world/pathfind.js';

const _from = new Vector3();
const _down = new Vector3(0, -1, 0);
const _spot = [0, 0];

class Travel {
  /**
   * @param {object} deps
   * @param {import('./state.js').AppState} deps.app shared state (hall, bounds, catalog, connection)
   * @param {import('../controls/player.js').Player} deps.player
   * @param {import('../world/picking.js').Picker} deps.picker
   * @param {import('../ui/panel.js').BoothPanel} deps.panel
   * @param {import('../ui/panel3d.js').Panel3D} deps.panel3d
   * @param {import('three').Camera} deps.camera
   * @param {HTMLCanvasElement} deps.canvas
   * @param {import('../net/posegate.js').PoseGate} deps.gate
   * @param {import('./types.js').Prefs} deps.prefs
   */
  constructor({ app, player, picker, panel, panel3d, camera, canvas, gate, prefs }) {
    this.app = app;
    this.player = player;
    this.picker = picker;
    this.panel = panel;
    this.panel3d = panel3d;
    this.camera = camera;
    this.canvas = canvas;
    this.gate = gate;
    this.prefs = prefs;
    /** @type {import('../controls/xr.js').XrControls | null} set once the XR controls exist */
    this.xr = null;
  }

  /** Height of the walkable floor under (x, z), searched from y + 1.5 m down; y if none. */
  groundAt(x, y, z) {
    const walkables = this.app.hall?.walkables;
    if (!walkables?.length) return y;
    const ray = this.picker.raycaster;
    ray.set(_from.set(x, y + 1.5, z), _down);
    ray.far = 4;
    const hits = ray.intersectObjects(walkables, false);
    ray.far = 150;
    return hits.length ? hits[0].point.y : y;
  }

  /** Tell the server the head jumps to (x, y, z). */
  sendTeleport(x, y, z, yaw) {
    const conn = this.app.connection;
    if (conn?.joined) {
      conn.sendJson({ type: 'teleport', to: [x, y, z], yaw });
      this.gate.reset();
    }
  }

  /** Jump to floor point (x, z) facing `yaw`: locally at once, and tell the server. */
  teleportTo(x, z, yaw = this.player.yaw) {
    const b = this.app.bounds;
    let cx = Math.min(b.max[0] - 0.5, Math.max(b.min[0] + 0.5, x));
    let cz = Math.min(b.max[2] - 0.5, Math.max(b.min[2] + 0.5, z));
    const spot = this.app.navgrid?.nearestWalkable(cx, cz, 12, _spot);
    if (spot) {
      cx = spot[0];
      cz = spot[1];
    }
    if (this.xr?.presenting) {
      this.player.yaw = yaw;
      this.xr.teleportTo(cx, this.groundAt(cx, 0, cz), cz);
      return;
    }
    const y = this.groundAt(cx, this.player.feet[1], cz);
    this.player.placeHead([cx, y + EYE, cz], yaw);
    this.player.pitch = 0;
    this.sendTeleport(cx, y + EYE, cz, yaw);
  }

  /**
   * Walk to floor point (x, z) along a path on the navigation grid (straight where the hall
   * has none), then face `yaw` if given. Returns false when there is no way there.
   * @param {number} x
   * @param {number} z
   * @param {number | null} [yaw]
   */
  walkTo(x, z, yaw = null) {
    const grid = this.app.navgrid;
    const { feet } = this.player;
    const route = grid ? findPath(grid, feet[0], feet[2], x, z) : [[x, z]];
    if (!route) return false;
    this.player.route = route;
    this.player.routeYaw = yaw;
    return true;
  }

  /** Walk to a booth's front, to face it there; false if the booth is unknown or unreachable. */
  walkToBooth(id) {
    const booth = this.app.catalog?.booths?.find((b) => b.id === id);
    if (!booth) return false;
    const [fx, fz] = booth.front;
    this.panel.close();
    return this.walkTo(fx, fz, Math.atan2(-(booth.position[0] - fx), -(booth.position[1] - fz)));
  }

  /** Stand at a booth's front at once, looking at it. */
  goToBooth(id) {
    const booth = this.app.catalog?.booths?.find((b) => b.id === id);
    if (!booth) return;
    const [fx, fz] = booth.front;
    this.teleportTo(fx, fz, Math.atan2(-(booth.position[0] - fx), -(booth.position[1] - fz)));
    this.panel.close();
  }

  /** Show a booth's information: the HTML panel, or the 3D one in VR. */
  openBooth(id) {
    if (this.xr?.presenting) {
      const booth = this.app.catalog?.booths?.find((b) => b.id === id);
      if (booth) this.panel3d.open(booth, this.app.catalog, this.camera);
      return;
    }
    this.panel.open(id);
  }

  /** A click or tap at client (x, y): open a booth, or walk (glide, or jump with reduced motion). */
  pickAt(x, y) {
    const hit = this.picker.atScreen(x, y, this.canvas, this.camera);
    if (hit.kind === 'booth') {
      this.openBooth(hit.id);
    } else if (hit.kind === 'floor') {
      if (this.prefs.reducedMotion) {
        this.teleportTo(hit.point[0], hit.point[2]);
      } else if (this.walkTo(hit.point[0], hit.point[2])) {
        this.player.feet[1] = hit.point[1];
      }
    }
    return hit;
  }
}

export { Travel };
