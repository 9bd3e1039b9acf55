// Portal uploads: send the chosen file as the request body with progress, then show the
// server's verdict in plain words (every problem of a refused model, those found by the
// Khronos glTF-Validator labelled and explained in the page's language), or reload to show
// the accepted file and its preview. The session's CSRF token travels in X-CSRF-Token.

const KHRONOS = 'khronos';

const strings = document.getElementById('strings')?.dataset ?? {};
const csrf = document.querySelector('meta[name="csrf-token"]')?.content ?? '';

function problemList(problems) {
  const list = document.createElement('ul');
  for (const p of problems) {
    const item = document.createElement('li');
    const message = document.createElement('strong');
    message.textContent = p.message ?? String(p);
    item.append(message);
    const meta = document.createElement('span');
    meta.className = 'meta';
    const parts = [];
    if (p.source === KHRONOS) parts.push(strings.khronos ?? 'Khronos glTF-Validator');
    if (p.where) parts.push(`${strings.where ?? 'Where'}: ${p.where}`);
    if (p.limit) parts.push(`${strings.limit ?? 'Limit'}: ${p.limit}`);
    if (p.code) parts.push(p.code);
    meta.textContent = parts.join(' · ');
    item.append(meta);
    list.append(item);
  }
  return list;
}

function showResult(form, status, body) {
  const line = form.querySelector('.upload-status');
  const box = form.querySelector('.upload-problems');
  box.replaceChildren();
  if (status >= 200 && status < 300) {
    line.className = 'upload-status ok';
    line.textContent = strings.ok ?? 'Accepted.';
    setTimeout(() => window.location.reload(), 600);
    return;
  }
  line.className = 'upload-status bad';
  if (body && Array.isArray(body.detail)) {
    line.textContent = strings.refused ?? 'Not accepted:';
    box.className = 'upload-problems problems';
    box.append(problemList(body.detail));
    if (body.detail.some((p) => p.source === KHRONOS) && strings.khronosNote) {
      const note = document.createElement('p');
      note.className = 'meta khronos-note';
      note.textContent = strings.khronosNote;
      box.append(note);
    }
  } else {
    const detail = body && typeof body.detail === 'string' ? body.detail : `HTTP ${status}`;
    line.textContent = `${strings.failed ?? 'The upload failed:'} ${detail}`;
  }
}

function upload(form) {
  const input = form.querySelector('input[type=file]');
  const file = input.files?.[0];
  const line = form.querySelector('.upload-status');
  const bar = form.querySelector('progress');
  if (!file) {
    line.className = 'upload-status bad';
    line.textContent = strings.choose ?? 'Choose a file first.';
    return;
  }
  let url = form.dataset.url;
  if (form.dataset.sendName === 'yes') url += `?filename=${encodeURIComponent(file.name)}`;
  const xhr = new XMLHttpRequest();
  xhr.open('POST', url);
  xhr.setRequestHeader('Content-Type', 'application/octet-stream');
  xhr.setRequestHeader('X-CSRF-Token', csrf);
  xhr.responseType = 'json';
  bar.hidden = false;
  bar.value = 0;
  line.className = 'upload-status';
  line.textContent = strings.uploading ?? 'Uploading…';
  form.querySelector('.upload-problems').replaceChildren();
  xhr.upload.onprogress = (event) => {
    if (!event.lengthComputable) return;
    bar.value = Math.round((event.loaded / event.total) * 100);
    if (event.loaded >= event.total) line.textContent = strings.checking ?? 'Checking…';
  };
  xhr.upload.onload = () => { bar.value = 100; line.textContent = strings.checking ?? 'Checking…'; };
  xhr.onload = () => { bar.hidden = true; showResult(form, xhr.status, xhr.response); };
  xhr.onerror = () => { bar.hidden = true; showResult(form, 0, { detail: 'network error' }); };
  xhr.send(file);
}

for (const form of document.querySelectorAll('form.js-upload')) {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    upload(form);
  });
}
