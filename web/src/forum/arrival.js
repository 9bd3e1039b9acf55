/**
 * The session a page was opened for (`?forum=<session>`, a "take me there" link): the
 * visitor is taken there once, as soon as both have happened, in whichever order they come:
 * the hall's welcome (a fresh join, not a resumed one) and an agenda that says where the
 * session is. Going on the welcome alone lost the trip whenever the agenda came later (a
 * busy machine, a slow network): the visitor stayed at the entrance, out of the forum hall,
 * and heard none of the stage.
 */

class Arrival {
  /**
   * @param {string | null} session the session to go to, if any
   * @param {object} deps
   * @param {(session: string) => boolean} deps.known whether the agenda knows where it is
   * @param {(session: string) => void} deps.go take the visitor there (and open its panel)
   */
  constructor(session, { known, go }) {
    /** @type {string | null} still to go to */
    this.session = session;
    this.known = known;
    this.go = go;
    this.joined = false;
  }

  /**
   * The socket's welcome.
   * @param {boolean} resumed a resumed avatar stays where it was
   */
  welcome(resumed) {
    if (!resumed) this.joined = true;
    this._check();
  }

  /** A new agenda arrived. */
  agendaChanged() {
    this._check();
  }

  _check() {
    const session = this.session;
    if (!session || !this.joined || !this.known(session)) return;
    this.session = null;
    this.go(session);
  }
}

export { Arrival };
