/**
 * The current language and the words in it.
 *
 * `t(key, vars)` looks a UI string up in strings.js and fills `{name}`
 * placeholders; `pick({zh, en})` chooses from a bilingual catalog text.
 * `applyTo(root)` (re)writes every element marked with `data-i18n`
 * (textContent), `data-i18n-aria` (aria-label), `data-i18n-title` (title)
 * or `data-i18n-placeholder`, so switching the language is one call and
 * never touches HTML parsing. Listeners hear about language changes (signs
 * and name tags repaint).
 */

import { STRINGS } from './strings.js';

const LANGS = Object.freeze(['zh', 'en']);

class I18n {
  constructor(lang = 'zh', strings = STRINGS) {
    this.strings = strings;
    this.lang = LANGS.includes(lang) ? lang : 'zh';
    this.listeners = new Set();
  }

  /** The string `key` in the current language, placeholders filled from `vars`. */
  t(key, vars) {
    const entry = this.strings[key];
    let s = entry ? entry[this.lang] : key;
    if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
    return s;
  }

  /** The current language's half of a bilingual {zh, en} text (falls back to the other). */
  pick(text) {
    if (text == null) return '';
    if (typeof text === 'string') return text;
    return text[this.lang] ?? text.zh ?? text.en ?? '';
  }

  set(lang) {
    if (!LANGS.includes(lang) || lang === this.lang) return;
    this.lang = lang;
    for (const fn of this.listeners) fn(lang);
  }

  onChange(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Rewrite every marked element under `root` in the current language. */
  applyTo(root) {
    if (root.documentElement) root.documentElement.lang = this.lang === 'zh' ? 'zh-CN' : 'en';
    for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = this.t(el.dataset.i18n);
    for (const el of root.querySelectorAll('[data-i18n-aria]')) {
      el.setAttribute('aria-label', this.t(el.dataset.i18nAria));
    }
    for (const el of root.querySelectorAll('[data-i18n-title]')) el.title = this.t(el.dataset.i18nTitle);
    for (const el of root.querySelectorAll('[data-i18n-placeholder]')) {
      el.placeholder = this.t(el.dataset.i18nPlaceholder);
    }
  }
}

export { I18n, LANGS };
