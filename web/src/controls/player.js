/**
 * The visitor's own body in the hall: where their feet are, which way they
 * face, how far they look up or down, and whether they are walking.
 *
 * Desktop and touch controls change it; `applyToRig` puts the rig and the
 * camera there each frame (in VR the headset owns the camera, and only the
 * rig follows). `desktopPose` writes the pose the protocol's DESKTOP_POSE
 * carries (the head, i.e. eyes, position; yaw; pitch; flags).
 */

const EYE = 1.6;
const MOVING = 0x01;
const PITCH_LIMIT = Math.PI / 2 - 0.05;

class Player {
  constructor() {
    this.feet = [0, 0, 0];
    this.yaw = 0;
    this.pitch = 0;
    this.moving = false;
    /** @type {number[][] | null} waypoints [x, z] being walked to (click-to-walk, walk to a booth) */
    this.route = null;
    /** @type {number | null} the yaw to face once the route is walked (a booth's front) */
    this.routeYaw = null;
  }

  /** Put the player with their eyes at `head` [x, y, z], facing `yaw`. */
  placeHead(head, yaw = this.yaw) {
    this.feet[0] = head[0];
    this.feet[1] = head[1] - EYE;
    this.feet[2] = head[2];
    this.yaw = yaw;
    this.route = null;
    this.routeYaw = null;
  }

  look(dYaw, dPitch) {
    this.yaw = (this.yaw + dYaw) % (Math.PI * 2);
    this.pitch = Math.max(-PITCH_LIMIT, Math.min(PITCH_LIMIT, this.pitch + dPitch));
  }

  applyToRig(rig, camera, presenting) {
    rig.position.set(this.feet[0], this.feet[1], this.feet[2]);
    rig.rotation.set(0, this.yaw, 0);
    if (!presenting) {
      camera.position.set(0, EYE, 0);
      camera.rotation.set(this.pitch, 0, 0);
    }
  }

  /** [x, y, z, yaw, pitch, flags] into `out` (length ≥ 6). */
  desktopPose(out) {
    out[0] = this.feet[0];
    out[1] = this.feet[1] + EYE;
    out[2] = this.feet[2];
    out[3] = this.yaw;
    out[4] = this.pitch;
    out[5] = this.moving ? MOVING : 0;
    return out;
  }
}

export { EYE, Player };
