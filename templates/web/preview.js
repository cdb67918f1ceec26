// dossier serve: the preview of the assembled dossier (docs/web.md, "Preview"): the cover
// sheet's pages as pictures, and dossier.pdf, the cover sheet and the report to open.
'use strict';

(() => {
  const { api, t, say, element, $, on } = window.dossier;
  let current = null;

  on('words', () => {
    $('preview-heading').textContent = t('web.preview.heading');
    $('preview-intro').textContent = t('web.preview.intro');
    $('preview-button').textContent = t('web.preview.button');
  });

  on('package', (name) => {
    current = name;
    $('preview-result').replaceChildren();
  });

  function link(text, href) {
    const a = element('a', text, 'button secondary');
    a.href = href;
    a.target = '_blank';
    a.rel = 'noopener';
    return a;
  }

  async function makePreview() {
    const name = current;
    const result = $('preview-result');
    result.replaceChildren(element('p', t('web.preview.busy'), 'note'));
    $('preview-button').disabled = true;
    try {
      const p = await api(`/api/packages/${encodeURIComponent(name)}/preview`, { method: 'POST' });
      const links = element('p', undefined, 'preview-links');
      links.append(link(say('web.preview.open-dossier', { pages: p.pages }), p.files.dossier.href),
                   link(t('web.preview.open-cover'), p.files.cover.href),
                   link(t('web.preview.open-report'), p.files.report.href));
      const pages = element('div', undefined, 'cover-pages');
      p.cover_pages.forEach((src, i) => {
        const img = element('img');
        img.src = src;
        img.alt = say('web.preview.cover-page', { page: i + 1 });
        pages.append(img);
      });
      result.replaceChildren(links, pages);
    } catch (e) {
      result.replaceChildren(element('p', `${t('web.error')}: ${e.message}`, 'problem'));
    } finally {
      $('preview-button').disabled = false;
    }
  }

  document.addEventListener('DOMContentLoaded', () => $('preview-button').addEventListener('click', makePreview));
})();
