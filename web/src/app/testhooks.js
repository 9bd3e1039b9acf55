/**
 * `window.__expoTest`: the few actions the browser tests need (only with `?test`
 * in the URL). They drive the client through its own code paths (teleports,
 * picks, socket drops) so that a test never has to guess from pixels where a
 * booth is or wait for a human to move a mouse.
 */

import { Box3, Light, Matrix4, Mesh, Quaternion, Vector3 } from 'three';
import { forumTestHooks } from '../forum/testhook.js';
import { latencyTestHooks } from '../media/latencyhook.js';
import { voiceTestHooks } from '../voice/testhook.js';

const _v = new Vector3();
const _box = new Box3();
const _pose = new Float64Array(6);

/**
 * @param {object} deps
 * @param {import('./state.js').AppState} deps.app shared state
 * @param {import('./travel.js').Travel} deps.travel
 * @param {import('../controls/player.js').Player} deps.player
 * @param {import('../net/posegate.js').PoseGate} deps.gate
 * @param {import('../world/signs.js').SignPainter} deps.signs
 * @param {HTMLCanvasElement} deps.canvas
 * @param {import('three').Camera} deps.camera
 * @param {import('three').WebGLRenderer} deps.renderer
 * @param {import('three').Scene} deps.scene
 * @param {Window} [win]
 */
function installTestHooks({ app, travel, player, gate, signs, canvas, camera, renderer, scene }, win = window) {
  const hooks = {
    /** The forums' few actions (forum/testhook.js). */
    forum: app.forum ? forumTestHooks(app.forum) : null,
    /** Proximity voice as the visitor drives it: talk controls, and a person's menu. */
    voice: app.voice ? voiceTestHooks(app.voice) : null,
    /** The mouth-to-ear benchmark's taps on the media path (media/latencyhook.js). */
    latency: latencyTestHooks([app.forum?.audio, app.voice?.mic, app.voice?.hearing]),
    /** Set the local head pose; a jump of more than 1 m goes as a teleport (as walking can't). */
    setPose(x, y, z, yaw = player.yaw, pitch = 0) {
      if (Math.hypot(x - player.feet[0], z - player.feet[2]) > 1) travel.teleportTo(x, z, yaw);
      player.placeHead([x, y, z], yaw);
      player.pitch = pitch;
      gate.reset();
    },
    teleport(x, z, yaw) {
      travel.teleportTo(x, z, yaw);
    },
    /** The directory's places ({id, label, x, z, yaw}), for tests that go to each. */
    destinations() {
      return app.directory?.destinations() ?? [];
    },
    /** Walk to a booth's front along a path found on the grid (the panel's "walk there"). */
    walkToBooth(id) {
      return travel.walkToBooth(id);
    },
    /** A booth's front (where a visitor stands) and centre, as floor points [x, z]. */
    boothPlace(id) {
      const booth = app.catalog?.booths?.find((b) => b.id === id);
      return booth ? { front: [...booth.front], centre: [...booth.position] } : null;
    },
    /** Whether an avatar may stand at floor point (x, z); null when the hall has no grid. */
    walkable(x, z) {
      return app.navgrid ? app.navgrid.walkable(x, z) : null;
    },
    /** Stand at a booth's front, facing it (the booth panel's teleport). */
    goToBooth(id) {
      travel.goToBooth(id);
    },
    /** Look up (positive) or down (negative), in radians. */
    setPitch(pitch) {
      player.pitch = pitch;
    },
    /** Open a booth's information panel, as a click on the booth does. */
    openBooth(id) {
      travel.openBooth(id);
    },
    /**
     * Where the VR menu's button `id` is, in the XR rig's space (the space a controller's
     * pose is given in), and a pose {from, quaternion} that points a controller's ray at it;
     * null if the menu does not show it.
     */
    vrMenuButton(id) {
      return app.vrmenu?.buttonAt(id, camera.parent ?? scene) ?? null;
    },
    /**
     * A pose for the left controller (its target ray, in the XR rig's space, as IWER takes
     * it) that puts its grip at the head + `offset` with the palm turned to the face, thumb
     * up: what a visitor does to look at the wrist menu. Null without a left controller.
     * @param {number[]} offset
     */
    leftPalmToFace(offset) {
      const hand = app.xr?.hands.left;
      if (!hand) return null;
      const head = camera.position.clone();
      const at = head.clone().add(_v.fromArray(offset));
      const x = head.sub(at).normalize(); // out of the left palm, to the head
      const z = new Vector3(0, -1, 0).addScaledVector(x, x.y).normalize(); // -Z, the thumb: up
      const y = new Vector3().crossVectors(z, x);
      const grip = new Matrix4().makeBasis(x, y, z).setPosition(at);
      // The grip hangs at a fixed offset from the target ray: ray = grip * offset⁻¹.
      const offsetM = hand.controller.matrix.clone().invert().multiply(hand.grip.matrix);
      const ray = grip.multiply(offsetM.invert());
      const position = new Vector3();
      const quaternion = new Quaternion();
      ray.decompose(position, quaternion, new Vector3());
      return { position: position.toArray(), quaternion: quaternion.toArray() };
    },
    /** Close the socket without a goodbye; reconnect no sooner than `holdMs`. */
    dropSocket(holdMs = 0) {
      app.connection?.drop({ holdMs });
    },
    /** Reconnect now, as the banner's "retry now" does (ends a `dropSocket` hold early). */
    reconnectNow() {
      app.connection?.retryNow();
    },
    setLang(lang) {
      app.i18n?.set(lang);
    },
    /** Client (CSS px) coordinates of a booth's body, and whether that point is in view. */
    boothScreenPoint(id) {
      const node = app.hall?.booths.get(id);
      if (!node) return null;
      _box.makeEmpty();
      node.updateWorldMatrix(true, true);
      node.traverse((o) => {
        if (o instanceof Mesh && !o.userData.sign) _box.expandByObject(o);
      });
      _box.getCenter(_v);
      _v.y = Math.min(_v.y, 1.5); // below any roof overhang, at eye level
      _v.project(camera);
      const r = canvas.getBoundingClientRect();
      return {
        x: r.left + ((_v.x + 1) / 2) * r.width,
        y: r.top + ((1 - _v.y) / 2) * r.height,
        inView: _v.z < 1 && Math.abs(_v.x) < 1 && Math.abs(_v.y) < 1,
      };
    },
    /**
     * The body a booth node draws: its vertex count and the colour roles among its vertices
     * (`_ROLE` codes, docs/scenes.md), enough to tell one template's shape from another's.
     */
    boothBody(id) {
      const node = app.hall?.booths.get(id);
      const geometry = node instanceof Mesh ? node.geometry : null;
      const position = geometry?.getAttribute('position');
      if (!position) return null;
      const role = geometry.getAttribute('_role');
      const roles = new Set();
      for (let i = 0; role && i < role.count; i++) roles.add(role.getX(i));
      return { vertices: position.count, roles: [...roles].sort((a, b) => a - b) };
    },
    /** What a click at client (x, y) hits, doing what the click would do. */
    pick(x, y) {
      const hit = travel.pickAt(x, y);
      return { kind: hit.kind, id: hit.id };
    },
    /** Draw calls of one frame: everything, and the avatars alone (all else hidden). */
    measureDrawCalls() {
      renderer.render(scene, camera);
      const total = renderer.info.render.calls;
      const keep = new Set(['avatars', 'nametags', 'crowd', 'rig']);
      const hidden = scene.children.filter((c) => c.visible && !(c instanceof Light) && !keep.has(c.name));
      for (const c of hidden) c.visible = false;
      renderer.render(scene, camera);
      const avatars = renderer.info.render.calls;
      for (const c of hidden) c.visible = true;
      return { total, avatars, hidden: hidden.map((c) => c.name) };
    },
    /**
     * Draw calls of the whole hall alone with frustum culling off: what the worst viewpoint
     * could cost (BENCHMARKS.md: at most 150), counted by the renderer, not from the file.
     */
    measureHallDrawCalls() {
      const root = app.hall?.root;
      if (!root) return null;
      let top = root;
      while (top.parent && top.parent !== scene) top = top.parent;
      const hidden = scene.children.filter((c) => c.visible && c !== top && !(c instanceof Light));
      /** @type {import('three').Object3D[]} */
      const culled = [];
      root.traverse((o) => {
        if (o.frustumCulled) {
          o.frustumCulled = false;
          culled.push(o);
        }
      });
      for (const c of hidden) c.visible = false;
      renderer.render(scene, camera);
      const total = renderer.info.render.calls;
      for (const c of hidden) c.visible = true;
      for (const o of culled) o.frustumCulled = true;
      return { total, hidden: hidden.map((c) => c.name) };
    },
    /**
     * Distinct colours (and the atlas rectangle in px) of a sign's painted text, over the part
     * of its width from `from` to `to` (fractions, left to right); `plate` is the fraction a
     * logo plate as tall as the sign covers at its left end.
     */
    signInk(kind, id, from = 0, to = 1) {
      const sign = app.hall?.signs.find((s) => s.kind === kind && s.id === id);
      if (!sign) return null;
      const { width: W, height: H } = signs.canvas;
      const [u0, v0, u1, v1] = sign.rect;
      const x0 = Math.floor(u0 * W);
      const y = Math.floor(v0 * H);
      const full = Math.max(1, Math.floor((u1 - u0) * W));
      const h = Math.max(1, Math.floor((v1 - v0) * H));
      const x = x0 + Math.floor(from * full);
      const w = Math.max(1, Math.floor((to - from) * full));
      const data = signs.ctx.getImageData(x, y, w, h).data;
      const colours = new Set();
      for (let i = 0; i < data.length; i += 4) colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
      const aspect = sign.aspect && sign.aspect > 0 ? sign.aspect : full / h;
      return { colours: colours.size, rect: [x, y, w, h], painted: signs.painted, plate: 1 / aspect };
    },
    /** Turn the desktop view to look at world point (x, y, z). */
    lookAt(x, y, z) {
      player.desktopPose(_pose);
      const dx = x - _pose[0];
      const dy = y - _pose[1];
      const dz = z - _pose[2];
      player.yaw = Math.atan2(-dx, -dz);
      player.pitch = Math.atan2(dy, Math.hypot(dx, dz));
    },
  };
  Object.defineProperty(win, '__expoTest', { value: Object.freeze(hooks), configurable: true });
  return hooks;
}

export { installTestHooks };
