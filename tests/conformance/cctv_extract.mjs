// Writes every test vector embedded in the cctv-age npm package (C2SP CCTV age
// testdata, exported as Uint8Arrays by name) to <out>/<name>.
// Usage: node cctv_extract.mjs <package-dir> <out-dir>
import { writeFileSync, mkdirSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [, , pkg, out] = process.argv;
const vectors = await import(pathToFileURL(pkg + '/index.js').href);
mkdirSync(out, { recursive: true });
let n = 0;
for (const [name, bytes] of Object.entries(vectors)) {
  if (!(bytes instanceof Uint8Array)) continue;
  writeFileSync(out + '/' + name, bytes);
  n++;
}
if (n === 0) { console.error('no vectors found in ' + pkg); process.exit(1); }
console.log(`extracted ${n} vectors`);
