/**
 * When the wrist menu shows: the rule between its two ways in (ui/vrmenu.js).
 *   - Turning the left palm to the face shows it; turning it away hides it.
 *   - A press of the menu button (the left X; the grip is the talk button) toggles it: shown, it hides; hidden, it shows and stays
 *     ("pinned") wherever the palm turns, until another press or a press on it that closes it.
 *   - Closed while the palm faces the face (the menu button, ✕, a place chosen), it stays closed
 *     until the palm turns away: the visitor's "no" outweighs a pose they still hold.
 */

class WristSwitch {
  constructor() {
    this.pinned = false;
    this.facing = false;
    this.dismissed = false;
  }

  /** Whether the menu should show now. */
  get shows() {
    return this.pinned || (this.facing && !this.dismissed);
  }

  /** @param {boolean} facing the palm is turned to the face */
  palm(facing) {
    this.facing = facing;
    if (!facing) this.dismissed = false;
  }

  /** The menu button was pressed. */
  toggle() {
    if (this.shows) {
      this.close();
    } else {
      this.pinned = true;
      this.dismissed = false;
    }
  }

  /** The menu was closed (the menu button, its ✕, a place chosen, the session's end). */
  close() {
    this.pinned = false;
    this.dismissed = this.facing;
  }
}

export { WristSwitch };
