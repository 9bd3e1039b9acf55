/**
 * Building DOM nodes from data without ever parsing HTML.
 *
 * `h('li', {className: 'x'}, 'text', child)` creates an element, sets
 * properties/attributes, and appends children: strings become text nodes,
 * so exhibitor texts, names and chat lines can never inject markup.
 */

function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'style') Object.assign(el.style, v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k in el && !k.startsWith('aria') && k !== 'role') el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
  return el;
}

/** Remove every child of `el`. */
function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
}

/**
 * The element with `id`, of the kind `type` (throws if the page lacks it or it is of
 * another kind: a broken index.html should be loud).
 * @template {HTMLElement} [T=HTMLElement]
 * @param {string} id
 * @param {new () => T} [type] e.g. HTMLInputElement (default: any HTMLElement)
 * @returns {T}
 */
function byId(id, type) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`index.html has no #${id}`);
  const kind = type ?? HTMLElement;
  if (!(el instanceof kind)) throw new Error(`#${id} in index.html is not a ${kind.name}`);
  return /** @type {T} */ (el);
}

/**
 * The 2D drawing context of `canvas` (throws if the browser gives none: nothing could be drawn).
 * @param {HTMLCanvasElement | OffscreenCanvas} canvas
 * @returns {CanvasRenderingContext2D}
 */
function context2d(canvas) {
  const g = canvas.getContext('2d');
  if (!g) throw new Error('this browser gives no 2D canvas to draw on');
  return /** @type {CanvasRenderingContext2D} */ (g);
}

/** @returns {HTMLElement | null} the focused element, to give focus back to when a panel closes */
function focusedElement() {
  return document.activeElement instanceof HTMLElement ? document.activeElement : null;
}

export { byId, clear, context2d, focusedElement, h };
