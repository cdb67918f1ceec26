// The referral form's steps of the browser test (docs/web.md, "The referral form"), called by
// web.test.mjs on the package page of the folder package `complete`, in Dutch: a field is changed
// through the form (an invalid pseudonym is typed, the error appears beside the field as you
// type and nothing is written; then it is corrected), a choice is ticked, Opslaan saves it, the
// file on disk holds the change with its comments and documents kept, the package is still
// complete, axe finds no serious violation, and web-gegevens.png shows the form with its error.
//
//   fillTheForm(page, { origin, workspace, check, axe, shots })
//     origin     the server's origin (http://127.0.0.1:PORT)
//     workspace  the workspace folder (holds complete/referral.xml)
//     check      check(ok, what): records one step
//     axe        axe(what): runs axe-core on the page, records a step
//     shots      the folder the screenshots go to
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export async function fillTheForm(page, { origin, workspace, check, axe, shots }) {
  const file = join(workspace, 'complete', 'referral.xml');
  const before = readFileSync(file, 'utf8');
  if (!page.url().endsWith('#package/complete')) await page.goto(`${origin}/#package/complete`);
  await page.locator('#verdict:not(:empty)').waitFor({ timeout: 120000 });
  await page.locator('#referral-form').waitFor({ timeout: 30000 });
  check((await page.locator('#facts-heading').textContent()) === 'Gegevens van de aanmelding', 'the referral facts are a form on the package page');

  // An invalid pseudonym: the error appears beside the field as you type; nothing is written.
  const pseudonym = page.getByLabel('Pseudoniem');
  check((await pseudonym.inputValue()) === 'CL-2026-0042', 'the form shows the values of referral.xml');
  await pseudonym.fill('Jan Jansen');
  await page.locator('#referral-form input[aria-invalid=true]').waitFor({ timeout: 10000 });
  const errorText = await pseudonym.evaluate((input) => {
    const ids = (input.getAttribute('aria-describedby') || '').split(' ');
    const error = ids.map((id) => document.getElementById(id)).find((e) => e && e.classList.contains('error'));
    return error && !error.hidden && error.closest('.field') === input.closest('.field') ? error.textContent : '';
  });
  check(errorText.includes('Dit heeft niet de vorm die hier hoort'), `the error is shown beside the field and tied to it (${errorText})`);
  check(readFileSync(file, 'utf8') === before, 'checking as you type writes nothing');
  await pseudonym.evaluate((input) => input.closest('fieldset').previousElementSibling.scrollIntoView({ block: 'start' }));
  await page.screenshot({ path: join(shots, 'web-gegevens.png') });

  // Corrected, a form of exploitation ticked, saved.
  await pseudonym.fill('CL-2026-0077');
  await page.waitForFunction(() => !document.querySelector('#referral-form [aria-invalid=true]'), null, { timeout: 10000 });
  check(true, 'the error goes when the pseudonym is corrected');
  await page.getByLabel('arbeidsuitbuiting').check();
  await page.getByRole('button', { name: 'Opslaan' }).click();
  await page.locator('#form-result', { hasText: 'opgeslagen' }).waitFor({ timeout: 120000 });
  const after = readFileSync(file, 'utf8');
  check(after.includes('<client pseudonym="CL-2026-0077" gender="female"/>') && !after.includes('CL-2026-0042'),
        'Opslaan writes the new pseudonym into referral.xml');
  check(after.includes('<form>criminal</form>\n    <form>labour</form>'), 'the ticked form of exploitation is saved, after the others');
  const documents = (text) => (text.match(/<document /g) || []).length;
  check(after.includes('<!-- Synthetic example') && documents(after) === documents(before) && documents(after) > 0,
        'the file keeps its comment and its documents');
  check((await page.locator('#verdict').textContent()) === 'compleet', 'the package is still complete after the save');
  check((await page.getByLabel('Pseudoniem').inputValue()) === 'CL-2026-0077', 'the form shows the saved value');
  await axe('the referral form');
}
