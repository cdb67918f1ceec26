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
  $('back').textContent = t('web.back');
  $('fix-heading').textContent = t('web.fix');
  $('weigh-heading').textContent = t('web.weigh');
  $('documents-heading').textContent = t('web.documents');
  for (const [id, key] of [['th-path', 'web.doc-path'], ['th-type', 'web.doc-type'], ['th-pages', 'web.doc-pages'], ['th-text', 'web.doc-text']])
    $(id).textContent = t(key);
  $('th-action').textContent = t('web.remove');
  $('add-heading').textContent = t('web.add');
  $('add-folder-label').textContent = t('web.add-folder');
  $('add-file-label').textContent = t('web.add-file');
  $('add-button').textContent = t('web.add-button');
  for (const fn of hooks.words) fn();
}

function verdictText(v) { return t(`web.verdict.${v}`); }

// The other scripts of the page (form.js, ...) use these, and are told when the words are
// loaded (words) and when a package is shown (package: its name and check report).
const hooks = { words: [], package: [] };
window.dossier = { api, t, element, status, $, state, on: (what, fn) => hooks[what].push(fn),
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

async function showPackage(name) {
  $('workspace').hidden = true;
  $('package').hidden = false;
  $('package-name').textContent = name;
  $('verdict').textContent = '';
  for (const id of ['fix', 'weigh']) $(id).replaceChildren();
  $('documents').tBodies[0].replaceChildren();
  status(t('web.checking'));
  try {
    const report = await api(`/api/packages/${encodeURIComponent(name)}`);
    status('');
    $('verdict').textContent = verdictText(report.verdict);
    $('verdict').className = `verdict verdict-${report.verdict}`;
    for (const f of report.findings) {
      if (f.status === 'passed' || f.status === 'info') continue;
      $(f.kind === 'completeness' ? 'fix' : 'weigh').append(finding(f));
    }
    for (const id of ['fix', 'weigh'])
      if ($(id).children.length === 0) $(id).append(element('li', t('web.nothing'), 'passed'));
    for (const d of report.documents) {
      const row = element('tr');
      row.append(element('td', d.path), element('td', d.evidence || '—'), element('td', String(d.pages ?? '—')),
                 element('td', d.text ? d.text.source : '—'));
      const cell = element('td');
      if (report.folders.length > 0 && d.path.includes('/')) {
        const remove = element('button', t('web.remove'), 'remove');
        remove.type = 'button';
        remove.setAttribute('aria-label', `${t('web.remove')}: ${d.path}`);
        remove.addEventListener('click', () => removeDocument(name, d.path));
        cell.append(remove);
      }
      row.append(cell);
      $('documents').tBodies[0].append(row);
    }
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

async function removeDocument(name, path) {
  if (!window.confirm(t('web.remove-confirm').replace('{path}', path))) return;
  try {
    await api(`/api/packages/${encodeURIComponent(name)}/documents?path=${encodeURIComponent(path)}`, { method: 'DELETE' });
    await showPackage(name);
  } catch (e) {
    status(`${t('web.error')}: ${e.message}`);
  }
}

async function addDocument(event) {
  event.preventDefault();
  const form = $('add-document');
  const name = form.dataset.package;
  const data = new FormData();
  data.append('folder', $('add-folder').value);
  data.append('file', $('add-file').files[0]);
  try {
    await api(`/api/packages/${encodeURIComponent(name)}/documents`, { method: 'POST', body: data });
    $('add-file').value = '';
    await showPackage(name);
  } catch (e) {
    status(`${t('web.error')}: ${e.message}`);
  }
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
  window.addEventListener('hashchange', route);
  await loadWords();
  await route();
});
