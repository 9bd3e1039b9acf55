// The live desk of a forum session: reload every 5 s to show new questions and hands,
// except while someone is typing or choosing in a form field.
const FIELDS = new Set(['INPUT', 'TEXTAREA', 'SELECT']);

setInterval(() => {
  const active = document.activeElement;
  if (active && FIELDS.has(active.tagName)) return;
  window.location.reload();
}, 5000);
