// dossier serve: sealing a complete package for CoMensha from its page (docs/web.md, "Sealing").
// The passphrase is read from its field once, sent to this server only, and the field emptied.
'use strict';

(() => {
  const { api, t, say, element, $, on } = window.dossier;
  let setup = null;

  function size(bytes) {
    return bytes >= 1048576 ? `${(bytes / 1048576).toFixed(1)} MiB` : `${Math.max(1, Math.round(bytes / 1024))} KiB`;
  }

  on('words', () => {
    $('seal-heading').textContent = t('web.seal.heading');
    $('seal-not-set-up').textContent = t('web.seal.not-set-up');
    $('seal-recipients-label').textContent = t('web.seal.recipients');
    $('seal-signer-label').textContent = t('web.seal.signer');
    $('seal-purpose-legend').textContent = t('web.seal.purpose');
    $('seal-purpose-referral-label').textContent = t('web.seal.purpose.referral');
    $('seal-purpose-advice-label').textContent = t('web.seal.purpose.advice-request');
    $('seal-passphrase-label').textContent = t('web.seal.passphrase');
    $('seal-passphrase-help').textContent = t('web.seal.passphrase-help');
    $('seal-button').textContent = t('web.seal.button');
  });

  on('package', async (name, report) => {
    $('seal-result').replaceChildren();
    $('seal-passphrase').value = '';
    if (setup === null) setup = await api('/api/seal');
    $('seal-not-set-up').hidden = setup.ready;
    $('seal-form').hidden = !setup.ready;
    if (!setup.ready) return;
    $('seal-form').dataset.package = name;
    $('seal-recipients').textContent = setup.recipients.join(', ');
    $('seal-signer').textContent = setup.signer_key_id
      ? `${setup.signing_key} (${say('web.seal.key-id', { id: setup.signer_key_id })})` : setup.signing_key;
    const complete = report.verdict === 'complete';
    const notEligible = report.verdict === 'not-eligible';
    $('seal-purpose-referral').disabled = !complete;
    if (notEligible) $('seal-purpose-advice').checked = true;
    const blocked = !complete && !notEligible;
    $('seal-blocked').hidden = complete;
    $('seal-blocked').textContent = blocked ? t('web.seal.only-complete') : t('web.seal.not-eligible');
    $('seal-button').disabled = blocked;
    $('seal-passphrase').disabled = blocked;
  });

  async function seal(event) {
    event.preventDefault();
    const form = $('seal-form');
    const name = form.dataset.package;
    const field = $('seal-passphrase');
    const body = JSON.stringify({ passphrase: field.value, purpose: form.querySelector('input[name="purpose"]:checked').value });
    field.value = '';
    const result = $('seal-result');
    result.replaceChildren(element('p', t('web.seal.busy'), 'note'));
    $('seal-button').disabled = true;
    try {
      const done = await api(`/api/packages/${encodeURIComponent(name)}/seal`,
                             { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
      const box = element('div', undefined, done.verify.valid ? 'sealed ok' : 'sealed bad');
      box.append(element('p', say('web.seal.done', { file: done.file, size: size(done.bytes), folder: done.folder })));
      if (done.verify.valid) {
        box.append(element('p', say('web.seal.verified', { id: done.verify.signer_key_id,
                                                           entries: done.verify.manifest.entries,
                                                           dossier: done.verify.manifest.dossier_id })));
      } else {
        const problems = (done.verify.problems || []).map((p) => `${p.check} ${p.entry} ${p.detail}`).join('; ');
        box.append(element('p', say('web.seal.not-verified', { problems: problems || done.verify.error }), 'problem'));
      }
      if (done.reading_copy) box.append(element('p', t('web.seal.reading-copy'), 'meta'));
      const link = element('a', t('web.seal.download'), 'button');
      link.href = done.download;
      link.setAttribute('download', done.file);
      box.append(link);
      result.replaceChildren(box);
      link.focus();
    } catch (e) {
      result.replaceChildren(element('p', e.message, 'problem'));
      field.focus();
    } finally {
      $('seal-button').disabled = false;
    }
  }

  document.addEventListener('DOMContentLoaded', () => $('seal-form').addEventListener('submit', seal));
})();
