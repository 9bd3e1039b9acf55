/**
 * The lobby: name, avatar, language, enter.
 *
 * A plain HTML form, so it works with the keyboard alone: Tab moves
 * between the language choice, the name, the avatar choice (a radio group:
 * arrow keys pick) and the buttons; Enter submits. Choices are saved on
 * every change (app/prefs.js), so a reload comes back as it was left.
 */

import { nameProblem } from './sanitize.js';
import { byId, clear, h } from './dom.js';

/**
 * The radio buttons named `name` in `form` (none if it has none).
 * @param {HTMLFormElement} form
 * @param {string} name
 * @returns {HTMLInputElement[]}
 */
function radios(form, name) {
  return [...form.querySelectorAll(`input[name="${name}"]`)].filter((e) => e instanceof HTMLInputElement);
}

class Lobby {
  /**
   * @param {object} deps
   * @param {import('../i18n/i18n.js').I18n} deps.i18n
   * @param {import('../app/types.js').Prefs} deps.prefs the live prefs object
   * @param {(prefs: import('../app/types.js').Prefs) => void} deps.save
   * @param {(choice: {name: string, avatar: string}) => void} deps.onEnter
   */
  constructor({ i18n, prefs, save, onEnter }) {
    this.i18n = i18n;
    this.prefs = prefs;
    this.save = save;
    this.onEnter = onEnter;
    this.root = byId('lobby');
    this.form = byId('lobby-form', HTMLFormElement);
    this.name = byId('lobby-name', HTMLInputElement);
    this.nameError = byId('lobby-name-error');
    this.grid = byId('avatar-grid');
    this.error = byId('lobby-error');
    this.enterButton = byId('lobby-enter', HTMLButtonElement);
    this.avatars = [];
    this.name.value = prefs.name;
    for (const input of radios(this.form, 'lang')) input.checked = input.value === i18n.lang;
    this.form.addEventListener('change', (ev) => {
      const target = ev.target;
      if (!(target instanceof HTMLInputElement)) return;
      if (target.name === 'lang') i18n.set(target.value);
      if (target.name === 'avatar') this._store();
    });
    this.name.addEventListener('input', () => {
      this.nameError.textContent = '';
      delete this.nameError.dataset.i18n;
      this.name.removeAttribute('aria-invalid');
      this._store();
    });
    this.form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      this.submit();
    });
    i18n.onChange(() => this._labelAvatars());
  }

  _store() {
    this.prefs.name = this.name.value.trim().slice(0, 64);
    const chosen = /** @type {HTMLInputElement | null} */ (this.form.querySelector('input[name="avatar"]:checked'));
    if (chosen) this.prefs.avatar = chosen.value;
    this.save(this.prefs);
  }

  /** Show the avatar choices ([{id, name, thumbnail}]) with the remembered one checked. */
  setAvatars(list) {
    this.avatars = list;
    clear(this.grid);
    const remembered = list.some((a) => a.id === this.prefs.avatar) ? this.prefs.avatar : list[0]?.id;
    for (const a of list) {
      const label = h('label', { className: 'avatar-choice' },
        h('input', { type: 'radio', name: 'avatar', value: a.id, checked: a.id === remembered }),
        h('img', { src: a.thumbnail, alt: '', width: 72, height: 72, decoding: 'async' }),
        h('span', { className: 'avatar-name' }, this.i18n.pick(a.name)));
      this.grid.append(label);
    }
    if (remembered && remembered !== this.prefs.avatar) {
      this.prefs.avatar = remembered;
      this.save(this.prefs);
    }
  }

  avatarsFailed() {
    clear(this.grid);
    this.grid.append(h('p', { className: 'error', role: 'alert', 'data-i18n': 'lobby.avatarsFailed' },
      this.i18n.t('lobby.avatarsFailed')));
  }

  _labelAvatars() {
    const spans = this.grid.querySelectorAll('.avatar-name');
    spans.forEach((s, i) => { s.textContent = this.i18n.pick(this.avatars[i]?.name); });
    for (const input of radios(this.form, 'lang')) input.checked = input.value === this.i18n.lang;
  }

  /** Validate and enter; returns true if entered. */
  submit() {
    const problem = nameProblem(this.name.value);
    if (problem) {
      this.nameError.textContent = this.i18n.t(problem);
      this.nameError.dataset.i18n = problem;
      this.name.setAttribute('aria-invalid', 'true');
      this.name.focus();
      return false;
    }
    const chosen = /** @type {HTMLInputElement | null} */ (this.form.querySelector('input[name="avatar"]:checked'));
    if (!chosen) {
      this.error.textContent = this.i18n.t('lobby.avatarsFailed');
      return false;
    }
    this._store();
    this.onEnter({ name: this.name.value.trim(), avatar: chosen.value });
    return true;
  }

  /** The server refused the name: it is reserved for the expo staff (docs/moderation.md). */
  nameRefused(name) {
    this.nameError.textContent = this.i18n.t('status.reservedName', { name });
    delete this.nameError.dataset.i18n;
    this.name.setAttribute('aria-invalid', 'true');
    this.name.focus();
  }

  show(message = '') {
    this.root.hidden = false;
    this.error.textContent = message;
    this.enterButton.disabled = false;
  }

  hide() {
    this.root.hidden = true;
  }

  /** Shown when the page cannot render at all (no WebGL). */
  block(message) {
    this.error.textContent = message;
    this.enterButton.disabled = true;
  }
}

export { Lobby };
