// The booth editor's template pictures (docs/accounts.md, "Template previews") follow the
// colours picked in the form before the draft is saved: each picture's URL names its colours,
// and the server draws them. Without this script the pictures show the saved colours.

const pictures = /** @type {HTMLImageElement[]} */ ([...document.querySelectorAll('img.template-preview')]);
const form = pictures[0]?.closest('form');
const colour = (name) => {
  const input = form?.querySelector(`input[name="${name}"]`);
  return input instanceof HTMLInputElement && /^#[0-9a-fA-F]{6}$/.test(input.value) ? input.value : null;
};

function redraw() {
  const accent = colour('accent');
  const panel = colour('panel');
  if (!accent || !panel) return;
  for (const img of pictures) {
    const url = new URL(img.src, window.location.href);
    url.searchParams.set('accent', accent.toLowerCase());
    url.searchParams.set('panel', panel.toLowerCase());
    const next = url.pathname + url.search;
    if (img.getAttribute('src') !== next) img.src = next;
  }
}

for (const name of ['accent', 'panel']) {
  // 'change' fires once the picker closes: one picture per choice, not one per drag step.
  form?.querySelector(`input[name="${name}"]`)?.addEventListener('change', redraw);
}
