// dossier serve: the workspace and one package's checklist, from the server's JSON (docs/web.md).
// No framework, no request to any other host; every text from the server is set as text, never
// as markup.
'use strict';

const state = { lang: localStorage.getItem('dossier-lang') === 'en' ? 'en' : 'nl', words: {} };
const $ = (id) => document.getElementById(id);

async function api(path, options = {}) {
  const sep = path.includes('?') ? '&' : '?';
  const response = await fetch(`${path}${sep}lang=${state.lang}`, { credentials: 'same-origin', ...options });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error || `${response.status}`);
  return body;
}

function t(key) { return state.words[key] || key; }

function element(tag, text, className) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (className) e.className = className;
  return e;
}

function status(text) { $('status').textContent = text || ''; }

async function loadWords() {
  state.words = await api('/api/words');
  document.documentElement.lang = state.lang;
  document.title = t('web.title');
  $('title').textContent = t('web.title');
  $('switch-lang').textContent = t('web.language');
  $('packages-heading').textContent = t('web.packages');
  $('new-heading').textContent = t('web.new');
  $('new-name-label').textContent = t('web.new-name');
  $('create').textContent = t('web.create');
  $('import-heading').textContent = t('web.import');
  $('import-file-label').textContent = t('web.import-file');
  $('import-button').textContent = t('web.import-button');
  $('back').textContent = t('web.back');
  $('fix-heading').textContent = t('web.fix');
  $('weigh-heading').textContent = t('web.weigh');
  $('documents-heading').textContent = t('web.documents');
  $('add-heading').textContent = t('web.add');
  $('add-folder-label').textContent = t('web.add-folder');
  $('add-file-label').textContent = t('web.add-file');
  $('add-button').textContent = t('web.add-button');
  $('add-drop').textContent = t('web.add-drop');
  for (const fn of hooks.words) fn();
}

function verdictText(v) { return t(`web.verdict.${v}`); }

// The other scripts of the page (form.js, ...) use these, and are told when the words are
// loaded (words) and when a package is shown (package: its name and check report).
const hooks = { words: [], package: [] };
window.dossier = { api, t, say, element, status, $, state, on: (what, fn) => hooks[what].push(fn),
                   refresh: () => route() };

async function showWorkspace() {
  $('package').hidden = true;
  $('workspace').hidden = false;
  status(t('web.checking'));
  const list = $('packages');
  list.replaceChildren();
  try {
    const packages = await api('/api/packages');
    status('');
    if (packages.length === 0) list.append(element('li', t('web.none')));
    for (const p of packages) {
      const li = element('li');
      li.append(element('span', p.name), element('span', verdictText(p.verdict), `verdict-${p.verdict}`));
      const open = element('a', t('web.open'));
      open.href = `#package/${encodeURIComponent(p.name)}`;
      open.setAttribute('aria-label', `${t('web.open')}: ${p.name}`);
      li.append(open);
      list.append(li);
    }
  } catch (e) {
    status(`${t('web.error')}: ${e.message}`);
  }
}

function finding(f) {
  const li = element('li', undefined, f.status);
  li.append(element('strong', f.message));
  if (f.fix) li.append(element('p', f.fix, 'fix'));
  for (const file of f.files || []) li.append(element('p', file, 'fix'));
  return li;
}

let shown = 0;  // the latest showPackage: an earlier one that answers later draws nothing

async function showPackage(name) {
  const mine = ++shown;
  $('workspace').hidden = true;
  $('package').hidden = false;
  $('package-name').textContent = name;
  $('verdict').textContent = '';
  for (const id of ['fix', 'weigh']) $(id).replaceChildren();
  $('documents').replaceChildren();
  status(t('web.checking'));
  const poll = setInterval(async () => {
    try {
      const p = await api(`/api/packages/${encodeURIComponent(name)}/progress`);
      if (p.progress) status(say('web.progress', p.progress));
    } catch { /* the check's own answer says what went wrong */ }
  }, 700);
  try {
    let report;
    try {
      report = await api(`/api/packages/${encodeURIComponent(name)}`);
    } finally {
      clearInterval(poll);
    }
    if (mine !== shown) return;
    status('');
    for (const id of ['fix', 'weigh', 'documents']) $(id).replaceChildren();
    $('verdict').textContent = verdictText(report.verdict);
    $('verdict').className = `verdict verdict-${report.verdict}`;
    for (const f of report.findings) {
      if (f.status === 'passed' || f.status === 'info') continue;
      $(f.kind === 'completeness' ? 'fix' : 'weigh').append(finding(f));
    }
    for (const id of ['fix', 'weigh'])
      if ($(id).children.length === 0) $(id).append(element('li', t('web.nothing'), 'passed'));
    const canChange = report.folders.length > 0;
    for (const d of report.view) $('documents').append(documentCard(name, d, canChange));
    const select = $('add-folder');
    select.replaceChildren(...report.folders.map((f) => { const o = element('option', f); o.value = f; return o; }));
    $('add-document').hidden = report.folders.length === 0;
    $('add-document').dataset.package = name;
    for (const fn of hooks.package) await fn(name, report);
    $('main').focus();
  } catch (e) {
    status(`${t('web.error')}: ${e.message}`);
  }
}

function say(key, args) {
  let text = t(key);
  for (const [k, v] of Object.entries(args || {})) text = text.replace(`{${k}}`, v);
  return text;
}

// One document: its first page, what it is and says, and what can be done with it.
function documentCard(name, d, canChange) {
  const li = element('li', undefined, 'document');
  const id = `doc-${d.index}`;
  const picture = element('div', undefined, 'picture');
  if (d.read) {
    const img = element('img');
    img.src = `/api/packages/${encodeURIComponent(name)}/thumbnail?path=${encodeURIComponent(d.path)}`;
    img.alt = say('web.doc-picture', { path: d.path });
    img.loading = 'lazy';
    img.addEventListener('error', () => img.remove());
    picture.append(img);
  }
  const body = element('div', undefined, 'about');
  const title = element('h4', d.path);
  title.id = `${id}-title`;
  li.setAttribute('aria-labelledby', title.id);
  body.append(title);
  const kind = element('p', undefined, 'kind');
  kind.append(element('span', d.evidence_name || t('web.doc-unknown-folder'), 'type'));
  if (d.read && d.evidence) {
    kind.append(' · ', element('span', t(d.is_evidence ? 'web.doc-evidence' : 'web.doc-not-evidence'),
                               d.is_evidence ? 'is-evidence' : 'not-evidence'));
  }
  body.append(kind);
  const facts = [];
  if (d.read) {
    facts.push(say('web.doc-pages-count', { pages: d.pages }));
    facts.push(d.confidence === null ? d.source : `${d.source}, ${say('web.doc-confidence', { confidence: d.confidence })}`);
  } else {
    facts.push(d.outcome);
  }
  if (d.date) facts.push(say('web.doc-dated', { date: d.date }));
  body.append(element('p', facts.join(' · '), 'meta'));
  if (d.active_content) body.append(element('p', t('web.doc-active'), 'problem'));
  if (d.missing.length > 0) body.append(element('p', say('web.doc-missing', { facts: d.missing.join(', ') }), 'problem'));
  if (d.reads_like) body.append(element('p', say('web.doc-reads-like', { type: d.reads_like }), 'problem'));
  if (d.facts.length > 0) {
    const dl = element('dl', undefined, 'facts');
    dl.setAttribute('aria-label', t('web.doc-facts'));
    for (const f of d.facts) dl.append(element('dt', f.label), element('dd', f.value || '✓'));
    body.append(dl);
  } else if (d.read && d.evidence) {
    body.append(element('p', t('web.doc-no-facts'), 'meta'));
  }
  const actions = element('div', undefined, 'actions');
  if (d.facts.length > 0) {
    const words = element('div', undefined, 'words');
    words.id = `${id}-words`;
    words.hidden = true;
    const show = element('button', t('web.show-words'), 'secondary');
    show.type = 'button';
    show.setAttribute('aria-expanded', 'false');
    show.setAttribute('aria-controls', words.id);
    show.addEventListener('click', () => toggleWords(name, d.path, show, words));
    actions.append(show);
    body.append(words);
  }
  if (canChange && d.path.includes('/')) {
    const remove = element('button', t('web.remove'), 'remove');
    remove.type = 'button';
    remove.setAttribute('aria-label', `${t('web.remove')}: ${d.path}`);
    remove.addEventListener('click', () => removeDocument(name, d.path));
    actions.append(remove);
  }
  body.append(actions);
  li.append(picture, body);
  if (canChange && d.path.includes('/')) dropTarget(li, () => d.path.split('/')[0]);
  return li;
}

// The words each fact matched, shown on demand and dropped again when hidden.
async function toggleWords(name, path, button, box) {
  if (!box.hidden) {
    box.hidden = true;
    box.replaceChildren();
    button.textContent = t('web.show-words');
    button.setAttribute('aria-expanded', 'false');
    return;
  }
  try {
    const found = await api(`/api/packages/${encodeURIComponent(name)}/evidence?path=${encodeURIComponent(path)}`);
    const list = element('ul');
    for (const f of found.facts) {
      const item = element('li');
      item.append(element('span', `${f.label}: `), element('mark', f.matched));
      if (f.value && f.value !== f.matched) item.append(element('span', ` → ${f.value}`));
      list.append(item);
    }
    box.replaceChildren(list, element('p', t('web.words-note'), 'meta'));
    box.hidden = false;
    button.textContent = t('web.hide-words');
    button.setAttribute('aria-expanded', 'true');
  } catch (e) {
    status(`${t('web.error')}: ${e.message}`);
  }
}

async function removeDocument(name, path) {
  if (!window.confirm(t('web.remove-confirm').replace('{path}', path))) return;
  try {
    await api(`/api/packages/${encodeURIComponent(name)}/documents?path=${encodeURIComponent(path)}`, { method: 'DELETE' });
    await showPackage(name);
  } catch (e) {
    status(`${t('web.error')}: ${e.message}`);
  }
}

// A document into an evidence folder: written whole by the server, never over another.
async function upload(name, folder, file) {
  const data = new FormData();
  data.append('folder', folder);
  data.append('file', file);
  try {
    await api(`/api/packages/${encodeURIComponent(name)}/documents`, { method: 'POST', body: data });
    $('add-file').value = '';
    await showPackage(name);
  } catch (e) {
    status(`${t('web.error')}: ${e.message}`);
  }
}

async function addDocument(event) {
  event.preventDefault();
  await upload($('add-document').dataset.package, $('add-folder').value, $('add-file').files[0]);
}

// Dropping PDFs on `target` adds them to the folder folderOf() names.
function dropTarget(target, folderOf) {
  target.addEventListener('dragover', (e) => {
    if (![...e.dataTransfer.types].includes('Files')) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
    target.classList.add('dropping');
  });
  target.addEventListener('dragleave', () => target.classList.remove('dropping'));
  target.addEventListener('drop', async (e) => {
    e.preventDefault();
    target.classList.remove('dropping');
    const name = $('add-document').dataset.package;
    for (const file of e.dataTransfer.files) await upload(name, folderOf(), file);
  });
}

async function route() {
  const m = location.hash.match(/^#package\/(.+)$/);
  if (m) await showPackage(decodeURIComponent(m[1]));
  else await showWorkspace();
}

document.addEventListener('DOMContentLoaded', async () => {
  $('switch-lang').addEventListener('click', async () => {
    state.lang = state.lang === 'nl' ? 'en' : 'nl';
    localStorage.setItem('dossier-lang', state.lang);
    await loadWords();
    await route();
  });
  $('back').addEventListener('click', (e) => { e.preventDefault(); location.hash = ''; });
  $('new-package').addEventListener('submit', async (e) => {
    e.preventDefault();
    const name = $('new-name').value.trim();
    try {
      await api('/api/packages', { method: 'POST', headers: { 'Content-Type': 'application/json' },
                                   body: JSON.stringify({ name }) });
      $('new-name').value = '';
      location.hash = `#package/${encodeURIComponent(name)}`;
    } catch (err) {
      status(`${t('web.error')}: ${err.message}`);
    }
  });
  $('add-document').addEventListener('submit', addDocument);
  $('import-package').addEventListener('submit', async (e) => {
    e.preventDefault();
    const file = $('import-file').files[0];
    const data = new FormData();
    data.append('file', file);
    try {
      const made = await api('/api/packages/import', { method: 'POST', body: data });
      $('import-file').value = '';
      location.hash = `#package/${encodeURIComponent(made.name)}`;
    } catch (err) {
      status(`${t('web.error')}: ${err.message}`);
    }
  });
  dropTarget($('add-document'), () => $('add-folder').value);
  window.addEventListener('hashchange', route);
  await loadWords();
  await route();
});
