// dossier serve: the referral facts as a form (docs/web.md, "The referral form"). The form is
// built from the description the server derives from schemas/referral.xsd, so a field the
// schema gains appears here by itself. Checked as the user types (the server says what
// `dossier check` would say), saved whole with one button. Every text from the server is set as
// text, never as markup; no inline script or style.
'use strict';

(() => {
  const d = window.dossier;
  const VALIDATE_AFTER_MS = 400;
  // The package shown: its name, the form, the values as edited, whether they differ from the file.
  let current = null;
  let controls = new Map();   // key -> { control, error, help, group } (see register)
  let lastIssues = [];
  let timer = null;
  let asked = 0;              // the newest validation asked for; older answers are dropped
  let nextId = 0;
  let afterSave = '';         // the word to show once the page has been checked again
  const result = d.element('p', undefined, 'form-result');  // kept across renders: a live region
  result.id = 'form-result';
  result.setAttribute('role', 'status');

  const fmt = (key, args) => Object.entries(args).reduce((s, [k, v]) => s.split(`{${k}}`).join(String(v)), d.t(key));
  const newId = () => `rf-${(nextId += 1)}`;

  async function send(method, path, body) {
    const response = await fetch(`${path}?lang=${d.state.lang}`, {
      method, credentials: 'same-origin',
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await response.json().catch(() => ({}));
    return { ok: response.ok, status: response.status, body: json };
  }
  const path = () => `/api/packages/${encodeURIComponent(current.name)}/referral`;

  // ---- building the form --------------------------------------------------------------------

  const propOf = (item) => (item.node === 'attribute' ? `@${item.name}` : item.node === 'text' ? '#text' : item.name);
  const keyOf = (item, key) => (item.node === 'attribute' ? `${key}/@${item.name}` : item.node === 'text' ? `${key}/#text` : `${key}/${item.name}`);

  function emptyValues(group) {
    const out = {};
    for (const item of group.items) {
      if (item.kind === 'group') out[propOf(item)] = item.repeatable ? [] : emptyValues(item);
      else out[propOf(item)] = item.repeatable ? [] : (item.fixed ?? '');
    }
    return out;
  }

  function register(key, entry) { controls.set(key, entry); }

  function helpFor(item, owner) {
    if (!item.help) return null;
    const help = d.element('p', item.help, 'help');
    help.id = newId();
    owner.setAttribute('aria-describedby', help.id);
    return help;
  }

  function errorFor() {
    const error = d.element('p', undefined, 'error');
    error.id = newId();
    error.hidden = true;
    return error;
  }

  function labelFor(id, text, required) {
    const label = d.element('label', text);
    label.htmlFor = id;
    if (required) label.append(' ', d.element('span', `(${d.t('web.form.required')})`, 'required'));
    return label;
  }

  // One control: a select for a choice, a text area for long text, an input otherwise.
  function control(item, value, onChange, optional) {
    let c;
    if (item.type === 'enum' || item.type === 'boolean') {
      c = document.createElement('select');
      const blank = d.element('option', d.t(item.required ? 'web.form.choose' : 'web.form.not-given'));
      blank.value = '';
      c.append(blank);
      const known = item.values.map((v) => v.value);
      for (const v of item.values) {
        const o = d.element('option', v.label);
        o.value = v.value;
        c.append(o);
      }
      if (value && !known.includes(value)) {  // a value the schema does not allow: shown, not lost
        const o = d.element('option', value);
        o.value = value;
        c.append(o);
      }
    } else if (item.type === 'longtext') {
      c = document.createElement('textarea');
      c.rows = 3;
    } else {
      c = document.createElement('input');
      c.type = item.type === 'date' ? 'date' : 'text';
      if (item.type === 'integer') c.inputMode = 'numeric';
      c.autocomplete = 'off';
      c.spellcheck = item.type === 'text' && !item.pattern;
    }
    if (item.maxLength !== undefined && c.tagName !== 'SELECT') c.maxLength = item.maxLength;
    if (item.required && !optional) c.required = true;
    c.id = newId();
    c.value = value ?? '';
    c.addEventListener(c.tagName === 'SELECT' || c.type === 'date' ? 'change' : 'input', () => { onChange(c.value); changed(); });
    return c;
  }

  // `optional`: inside a group that may be left out; its fields are needed only when it is given.
  function field(parent, item, holder, prop, key, labelText, optional = false) {
    const wrap = d.element('div', undefined, `field field-${item.type}`);
    const c = control(item, holder[prop], (v) => { holder[prop] = v; }, optional);
    const help = helpFor(item, c);
    const error = errorFor();
    wrap.append(labelFor(c.id, labelText ?? item.label, item.required && !optional));
    if (help) wrap.append(help);
    wrap.append(c, error);
    parent.append(wrap);
    c.dataset.key = key;
    register(key, { control: c, error, help });
  }

  function fieldset(item, required) {
    const set = d.element('fieldset', undefined, 'group');
    const legend = d.element('legend', item.label);
    if (required) legend.append(' ', d.element('span', `(${d.t('web.form.required')})`, 'required'));
    set.append(legend);
    const help = helpFor(item, set);
    if (help) set.append(help);
    const error = errorFor();
    set.append(error);
    return { set, error };
  }

  // A repeatable choice (the forms of exploitation): one check box per choice.
  function checks(parent, item, holder, prop, key) {
    const list = holder[prop] ?? (holder[prop] = []);
    const { set, error } = fieldset(item, item.minOccurs > 0);
    set.classList.add('checks');
    const choices = [...item.values];
    for (const v of list) if (v && !choices.some((c) => c.value === v)) choices.push({ value: v, label: v });
    const boxes = d.element('div', undefined, 'choices');
    for (const choice of choices) {
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.id = newId();
      box.value = choice.value;
      box.checked = list.includes(choice.value);
      box.addEventListener('change', () => {
        // The file keeps its order; a new choice goes last.
        const kept = list.filter((v) => v !== choice.value);
        if (box.checked) kept.push(choice.value);
        list.splice(0, list.length, ...kept);
        changed();
      });
      const label = d.element('label');
      label.htmlFor = box.id;
      label.append(box, ' ', choice.label);
      boxes.append(label);
    }
    set.append(boxes);
    parent.append(set);
    register(key, { control: set, error, group: true });
  }

  // A repeatable item (problems, ...): each in its own fieldset with a remove button, and an add button.
  function list(parent, item, holder, prop, key) {
    const items = holder[prop] ?? (holder[prop] = []);
    const { set, error } = fieldset(item, item.minOccurs > 0);
    set.classList.add('list');
    items.forEach((v, i) => {
      const itemKey = `${key}[${i}]`;
      const title = fmt('web.form.item', { item: item.label, n: i + 1 });
      const remove = d.element('button', d.t('web.form.remove'), 'remove');
      remove.type = 'button';
      remove.setAttribute('aria-label', fmt('web.form.remove-item', { item: item.label, n: i + 1 }));
      remove.disabled = items.length <= (item.minOccurs ?? 0);
      remove.addEventListener('click', () => {
        items.splice(i, 1);
        rerender(() => document.getElementById(`${set.dataset.key}-add`));
        changed(0);
      });
      if (item.kind === 'group') {
        const one = fieldset({ label: title }, false);
        one.set.classList.add('item');
        one.set.dataset.key = itemKey;
        register(itemKey, { control: one.set, error: one.error, group: true });
        items[i] = v && typeof v === 'object' ? v : emptyValues(item);
        build(one.set, item, items[i], itemKey);
        one.set.append(remove);
        set.append(one.set);
      } else {
        const row = d.element('div', undefined, 'row');
        field(row, item, items, i, itemKey, title);
        row.append(remove);
        set.append(row);
      }
    });
    // "{item} toevoegen" starts with the item's name; "Add {item}" has it in the sentence.
    const word = d.t('web.form.add').startsWith('{item}') ? item.label : item.label.toLowerCase();
    const add = d.element('button', fmt('web.form.add', { item: word }), 'add');
    add.type = 'button';
    set.dataset.key = key;
    add.id = `${key}-add`;
    add.disabled = item.maxOccurs !== null && item.maxOccurs !== undefined && items.length >= item.maxOccurs;
    add.addEventListener('click', () => {
      items.push(item.kind === 'group' ? emptyValues(item) : '');
      const added = `${key}[${items.length - 1}]`;
      rerender(() => {
        const entry = controls.get(added);
        return entry && (entry.group ? entry.control.querySelector('input, select, textarea') : entry.control);
      });
      changed();
    });
    set.append(add);
    parent.append(set);
    register(key, { control: set, error, group: true });
  }

  // The items of a group: its own attributes and text, then its elements, in the schema's order.
  function build(parent, group, values, key, optional = false) {
    for (const item of group.items) {
      const prop = propOf(item);
      const itemKey = keyOf(item, key);
      if (item.fixed !== undefined) { values[prop] = item.fixed; continue; }  // not asked: one value only
      if (item.repeatable) {
        if (item.kind === 'field' && item.type === 'enum' && (item.maxOccurs === null || item.maxOccurs >= item.values.length)) checks(parent, item, values, prop, itemKey);
        else list(parent, item, values, prop, itemKey);
      } else if (item.kind === 'group') {
        if (!values[prop] || typeof values[prop] !== 'object') values[prop] = emptyValues(item);
        const { set, error } = fieldset(item, false);
        register(itemKey, { control: set, error, group: true });
        build(set, item, values[prop], itemKey, optional || item.minOccurs === 0);
        parent.append(set);
      } else {
        field(parent, item, values, prop, itemKey, undefined, optional);
      }
    }
  }

  function render() {
    const section = d.$('facts');
    // The control being edited keeps the focus when the form is built again.
    const active = section.contains(document.activeElement) ? document.activeElement : null;
    const focusKey = active && active.dataset.key;
    const caret = active && typeof active.selectionStart === 'number' ? [active.selectionStart, active.selectionEnd] : null;
    for (const n of [...section.children]) if (n.id !== 'facts-heading') n.remove();
    controls = new Map();
    section.append(d.element('p', d.t('web.form.intro'), 'form-intro'));
    if (!current.editable) section.append(d.element('p', fmt('web.form.readonly', { reason: current.reason || '' }), 'readonly'));
    const problems = d.element('div', undefined, 'form-problems');
    problems.id = 'form-problems';
    problems.hidden = true;
    section.append(problems);
    if (!current.values) { showIssues(lastIssues); return; }
    const form = document.createElement('form');
    form.id = 'referral-form';
    form.noValidate = true;
    form.setAttribute('aria-labelledby', 'facts-heading');
    // The root's own attributes (its profile) are about the file: they come last.
    const root = current.form;
    const own = { ...root, items: root.items.filter((i) => i.node === 'attribute') };
    const rest = { ...root, items: root.items.filter((i) => i.node !== 'attribute') };
    build(form, rest, current.values, root.name);
    if (own.items.some((i) => i.fixed === undefined)) {
      const { set, error } = fieldset(root, false);
      register(root.name, { control: set, error, group: true });
      build(set, own, current.values, root.name);
      form.append(set);
    } else {
      build(form, own, current.values, root.name);
    }
    if (current.editable) {
      const actions = d.element('div', undefined, 'form-actions');
      const save = d.element('button', d.t('web.form.save'), 'save');
      save.type = 'submit';
      save.id = 'form-save';
      actions.append(save, result);
      form.append(actions);
      form.addEventListener('submit', submit);
    } else {
      for (const c of form.querySelectorAll('input, select, textarea, button')) c.disabled = true;
    }
    section.append(form);
    showIssues(lastIssues);
    const again = focusKey && controls.get(focusKey);
    if (again && !again.group) {
      again.control.focus();
      if (caret) again.control.setSelectionRange(...caret);
    }
  }

  // Renders again (after an item was added or removed) and puts the focus where it belongs.
  function rerender(focusTarget) {
    render();
    const target = focusTarget();
    if (target) target.focus();
  }

  // ---- issues -------------------------------------------------------------------------------

  // The control an issue belongs to: its key, else the nearest item or group that has one.
  function target(key) {
    let k = key;
    while (k) {
      if (controls.has(k)) return controls.get(k);
      k = k.endsWith(']') ? k.replace(/\[\d+\]$/, '') : k.replace(/\/[^/]*$/, '');
      if (!k.includes('/') && !controls.has(k)) return null;
    }
    return null;
  }

  function describe(entry, withError) {
    const ids = [];
    if (entry.help) ids.push(entry.help.id);
    if (withError) ids.push(entry.error.id);
    if (ids.length) entry.control.setAttribute('aria-describedby', ids.join(' '));
    else entry.control.removeAttribute('aria-describedby');
  }

  function showIssues(issues) {
    lastIssues = issues;
    for (const entry of controls.values()) {
      entry.error.hidden = true;
      entry.error.replaceChildren();
      entry.error.className = 'error';
      if (!entry.group) entry.control.removeAttribute('aria-invalid');
      describe(entry, false);
    }
    const general = [];
    for (const issue of issues) {
      const entry = issue.field ? target(issue.field) : null;
      if (!entry) { general.push(issue); continue; }
      const line = d.element('span', issue.severity === 'warning' ? `${d.t('web.form.warning')}: ${issue.message}` : issue.message);
      if (entry.error.childNodes.length) entry.error.append(' ');
      entry.error.append(line);
      entry.error.hidden = false;
      if (issue.severity === 'error') {
        entry.error.className = 'error';
        if (!entry.group) entry.control.setAttribute('aria-invalid', 'true');
      } else if (!entry.control.hasAttribute('aria-invalid')) {
        entry.error.className = 'error warning';
      }
      describe(entry, true);
    }
    const box = d.$('form-problems');
    if (!box) return;
    box.replaceChildren();
    box.hidden = general.length === 0;
    if (general.length) {
      box.append(d.element('p', d.t('web.form.problems'), 'form-problems-title'));
      const ul = d.element('ul');
      for (const issue of general) ul.append(d.element('li', issue.line ? `${issue.message} (referral.xml, ${issue.line})` : issue.message));
      box.append(ul);
    }
  }

  // ---- checking and saving ------------------------------------------------------------------

  function changed(delay = VALIDATE_AFTER_MS) {
    current.dirty = true;
    result.textContent = '';
    clearTimeout(timer);
    timer = setTimeout(validate, delay);
  }

  async function validate() {
    if (!current || !current.editable) return;
    const mine = (asked += 1);
    try {
      const r = await send('POST', `${path()}/validate`, { values: current.values });
      if (mine !== asked) return;  // the user typed on: a newer answer is coming
      if (r.ok) showIssues(r.body.issues);
      else showIssues([{ field: null, message: r.body.error || String(r.status), severity: 'error' }]);
    } catch (e) {
      if (mine === asked) showIssues([{ field: null, message: `${d.t('web.error')}: ${e.message}`, severity: 'error' }]);
    }
  }

  async function submit(event) {
    event.preventDefault();
    clearTimeout(timer);
    asked += 1;  // an answer to an earlier validation no longer counts
    const save = d.$('form-save');
    save.disabled = true;
    result.textContent = d.t('web.form.saving');
    try {
      const r = await send('PUT', path(), { values: current.values });
      if (r.ok) {
        current.dirty = false;
        afterSave = r.body.saved ? 'web.form.saved' : 'web.form.unchanged';
        showIssues(r.body.issues || []);
        await d.refresh();  // the checklist follows; the form is loaded again from the file
        return;
      }
      if (r.status === 422) {
        showIssues(r.body.issues || []);
        result.textContent = d.t('web.form.not-saved');
        const first = [...controls.values()].find((e) => !e.group && e.control.getAttribute('aria-invalid') === 'true');
        if (first) first.control.focus();
      } else {
        result.textContent = `${d.t('web.error')}: ${r.body.error || r.status}`;
      }
    } catch (e) {
      result.textContent = `${d.t('web.error')}: ${e.message}`;
    }
    save.disabled = false;
  }

  async function load(name) {
    const section = d.$('facts');
    if (!current || current.name !== name) {
      result.textContent = '';
      for (const n of [...section.children]) if (n.id !== 'facts-heading') n.remove();
      section.append(d.element('p', d.t('web.form.loading'), 'form-intro'));
    }
    const r = await send('GET', `/api/packages/${encodeURIComponent(name)}/referral`);
    // The page is shown again while the user edits (another part of it changed): the edits stay.
    const keep = current && current.name === name && current.dirty ? current.values : null;
    if (!r.ok) {
      for (const n of [...section.children]) if (n.id !== 'facts-heading') n.remove();
      section.append(d.element('p', fmt('web.form.readonly', { reason: r.body.error || String(r.status) }), 'readonly'));
      current = null;
      return;
    }
    current = { name, form: r.body.form, values: keep || r.body.values, editable: r.body.editable, reason: r.body.reason, dirty: !!keep };
    lastIssues = r.body.issues || [];
    render();
    if (keep) validate();
    if (afterSave) {
      result.textContent = d.t(afterSave);
      afterSave = '';
      // The page moves the focus to its top once it is shown again; the user was at the button.
      setTimeout(() => { const save = d.$('form-save'); if (save) save.focus(); }, 0);
    }
  }

  d.on('words', () => { d.$('facts-heading').textContent = d.t('web.form.heading'); });
  d.on('package', async (name) => {
    try {
      await load(name);
    } catch (e) {
      d.status(`${d.t('web.error')}: ${e.message}`);
    }
  });
})();
