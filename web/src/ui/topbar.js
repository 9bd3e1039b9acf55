/**
 * Where the top bar ends: the panels (booth, directory, forums) and the banner
 * open below it. The toolbar wraps to a second row on a medium-wide window
 * (more buttons, or English labels), and a panel placed at a fixed height would
 * then cover its second row; so the bar's real bottom is kept in the CSS
 * variable `--hud-top` whenever the bar changes size.
 */

/** Space between the bar and what opens below it (px). */
const GAP_PX = 6;

/**
 * @param {HTMLElement | null} bar the page's header.topbar
 * @param {HTMLElement} [root] where the variable is set
 * @returns {() => void} stop following
 */
function followTopbar(bar, root = document.documentElement) {
  if (!bar || typeof ResizeObserver !== 'function') return () => {};
  const place = () => {
    const bottom = bar.getBoundingClientRect().bottom;
    if (bottom > 0) root.style.setProperty('--hud-top', `${Math.ceil(bottom + GAP_PX)}px`);
  };
  const watch = new ResizeObserver(place);
  watch.observe(bar);
  return () => watch.disconnect();
}

export { followTopbar };
