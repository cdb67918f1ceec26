#!/usr/bin/env bash
# Interoperability and auditor tests of sealed bundles (docs/bundle-format.md), one scenario per
# ctest test (tests/bundle_interop.cmake):
#
#   auditor       a bundle sealed by dossier verifies with the doc's own auditor commands
#                 (unzip, minisign -V, b2sum -c), and `unzip -l` lists exactly the signed entries
#   age-decrypt   every payload entry decrypts with Debian's `age -d -i` to the original document
#   foreign-keys  keys made by `minisign -G` and `age-keygen` seal, verify and open with dossier
#   tamper        one flipped payload byte fails `b2sum -c`, `dossier verify` and `dossier open`
#   tamper-crc    the same with the ZIP CRC-32 patched to match, so only the signed digest catches it
#
#   usage: bundle.sh DOSSIER SOURCE_DIR SCENARIO
# The tools come from Debian packages listed in scripts/deps.txt; a missing tool FAILS the test.
set -euo pipefail
dossier=$1 src=$2 scenario=$3
export LC_ALL=C NO_COLOR=1 DOSSIER_DATA_DIR=$src
package=$src/examples/complete

fail() { echo "FAIL ($scenario): $*" >&2; exit 1; }
for tool in unzip zipinfo minisign b2sum age age-keygen cmp sha256sum gzip od dd; do
  command -v "$tool" >/dev/null ||
    fail "$tool is not installed: it is required (Debian packages in scripts/deps.txt: age, minisign, unzip, coreutils)"
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

# dossier keygen for the coordinator (signing) and CoMensha (encryption), then seal the example.
make_keys() {
  "$dossier" keygen --signing -o zorgcoordinator --no-passphrase >/dev/null
  "$dossier" keygen --encryption -o comensha --no-passphrase >/dev/null
}
seal() { # seal SIGNING_KEY RECIPIENT OUT
  local rc=0
  "$dossier" seal "$package" -r "$2" -s "$1" -o "$3" --lang en -q >seal.out || rc=$?
  [ "$rc" = 0 ] || { cat seal.out; fail "dossier seal exited $rc"; }
}
# The manifest's entry paths, in manifest order.
manifest_paths() { grep -o '<entry path="[^"]*"' "$1" | sed 's/<entry path="//; s/"$//'; }
# The package's documents (everything but referral.xml), sorted as seal numbers them.
documents() { (cd "$package" && find . -type f ! -name referral.xml | sed 's|^\./||' | sort); }

# Flip the lowest bit of byte OFFSET of FILE in place.
flip_byte() {
  local file=$1 offset=$2 byte
  byte=$(od -An -tu1 -j "$offset" -N1 "$file" | tr -d ' ')
  printf "$(printf '\\%03o' $((byte ^ 1)))" | dd of="$file" bs=1 seek="$offset" conv=notrunc status=none
}
# Byte offset in BUNDLE where the stored (uncompressed) bytes of ENTRY begin. An age file starts
# with "age-encryption.org/v1\n-> X25519 <ephemeral share>\n"; the share is random, so its line
# occurs once in the bundle.
entry_offset() {
  local bundle=$1 entry=$2 line hits
  line=$(unzip -p "$bundle" "$entry" | sed -n 2p)
  [[ $line == "-> X25519 "* ]] || fail "$entry does not start like an X25519 age file: $line"
  hits=$(grep -c -aF -- "$line" "$bundle")
  [ "$hits" = 1 ] || fail "the stanza line of $entry occurs $hits times"
  echo $(($(grep -boaF -- "$line" "$bundle" | cut -d: -f1) - ${#AGE_INTRO}))
}
AGE_INTRO=$'age-encryption.org/v1\n'

scenario_auditor() {
  make_keys
  seal zorgcoordinator.key comensha.pub CL-2026-0042.dossier
  # The auditor's commands, taken from the doc and run as written.
  sed -n '/^## Verifying as an auditor/,/^## /p' "$src/docs/bundle-format.md" |
    sed -n '/^```sh$/,/^```$/p' | sed '1d;$d' >auditor.sh
  [ -s auditor.sh ] || fail "no \`\`\`sh block in the auditor section of docs/bundle-format.md"
  grep -q 'minisign -V' auditor.sh && grep -q 'b2sum -c' auditor.sh && grep -q unzip auditor.sh ||
    fail "the doc's auditor commands no longer use unzip, minisign -V and b2sum -c"
  echo "--- the auditor's commands (docs/bundle-format.md):"; cat auditor.sh
  bash -euo pipefail auditor.sh >auditor.out 2>&1 || { cat auditor.out; fail "the doc's auditor commands failed"; }
  echo "--- their output:"; cat auditor.out

  local m=audit/META-INF/manifest.xml id created n
  id=$(sed -n 's/.*<dossier id="\([0-9a-f]\{32\}\)" created="\([0-9TZ:-]*\)".*/\1/p' "$m")
  created=$(sed -n 's/.*<dossier id="\([0-9a-f]\{32\}\)" created="\([0-9TZ:-]*\)".*/\2/p' "$m")
  [ -n "$id" ] && [ -n "$created" ] || fail "no <dossier id=... created=...> in the manifest"
  grep -qx 'Signature and comment signature verified' auditor.out || fail "minisign did not verify the signature"
  grep -qxF "Trusted comment: dossier-bundle format=1 id=$id created=$created" auditor.out ||
    fail "the trusted comment does not name the manifest's id $id and time $created"
  manifest_paths "$m" >paths
  n=$(wc -l <paths)
  # The index, the documents and the reading copy (dossier.pdf, the cover sheet, the report).
  [ "$n" = $(($(documents | wc -l) + 4)) ] || fail "the manifest lists $n entries for $(documents | wc -l) documents and the reading copy"
  [ "$(head -1 paths)" = payload/index.age ] || fail "the first manifest entry is not payload/index.age"
  sed 's/$/: OK/' paths >want-ok
  grep ': OK$' auditor.out >got-ok || true
  diff want-ok got-ok || fail "b2sum -c did not say OK for exactly the manifest's entries"
  ! grep -q 'FAILED' auditor.out || fail "b2sum -c reported a failure"
  # ls payload | wc -l must equal the number of entries.
  [ "$(ls audit/payload | wc -l)" = "$n" ] || fail "payload/ holds $(ls audit/payload | wc -l) files, the manifest $n"
  # unzip -l lists mimetype, the two META-INF files and exactly the manifest's entries, in that order,
  # all at the fixed time 2000-01-01 00:00.
  unzip -l CL-2026-0042.dossier >listing
  awk '/^---------/ {section++; next} section == 1 {print $4}' listing >got-names
  { printf '%s\n' mimetype META-INF/manifest.xml META-INF/manifest.xml.minisig; cat paths; } >want-names
  diff want-names got-names || fail "unzip -l lists other entries than the signed ones"
  [ "$(awk '/^---------/ {section++; next} section == 1 && !($2 == "2000-01-01" && $3 == "00:00")' listing | wc -l)" = 0 ] ||
    { cat listing; fail "an entry does not carry the fixed time 2000-01-01 00:00"; }
  # mimetype is first and stored, with the documented content; payload entries are stored.
  zipinfo CL-2026-0042.dossier | sed -n '3p' | grep -qE ' stor .* mimetype$' || fail "mimetype is not the first, stored entry"
  [ "$(unzip -p CL-2026-0042.dossier mimetype)" = application/vnd.dossier.bundle+zip ] || fail "wrong mimetype content"
  [ "$(zipinfo CL-2026-0042.dossier | grep ' payload/' | grep -vc ' stor ')" = 0 ] || fail "a payload entry is compressed"
  # dossier agrees.
  "$dossier" verify CL-2026-0042.dossier -p zorgcoordinator.pub --lang en >/dev/null || fail "dossier verify disagrees"
  echo "auditor: minisign and b2sum verified $n entries of a bundle sealed by dossier; unzip -l lists exactly them"
}

scenario_age_decrypt() {
  make_keys
  seal zorgcoordinator.key comensha.pub CL-2026-0042.dossier
  mkdir audit && (cd audit && unzip -q ../CL-2026-0042.dossier)
  # The index decrypts with age to the JSON of docs/bundle-format.md.
  age -d -i comensha.key audit/payload/index.age >index.json || fail "age -d could not decrypt payload/index.age"
  grep -q '^{"format":1,"dossier_id":"[0-9a-f]\{32\}"' index.json || fail "the index is not the documented JSON: $(head -c 200 index.json)"
  grep -qF "\"signer_key_id\":\"$(sed -n '1s/.* //p' zorgcoordinator.pub)\"" index.json || fail "the index does not name the signer"
  # Entry -> path as the index says; the entries are numbered in the order of the sorted paths.
  grep -o '{"entry":"payload/[0-9]*\.age","path":"[^"]*","size":[0-9]*,"sha256":"[0-9a-f]*"' index.json |
    sed -E 's/\{"entry":"([^"]*)","path":"([^"]*)","size":([0-9]*),"sha256":"([^"]*)"/\1 \2 \3 \4/' >map
  documents >docs
  [ "$(cut -d' ' -f2 map)" = "$(cat docs)" ] || { cat map; fail "the index does not list the documents in sorted order"; }
  local i=0 entry path size sha
  while read -r entry path size sha; do
    i=$((i + 1))
    [ "$entry" = "$(printf 'payload/%04d.age' "$i")" ] || fail "document $i is in $entry"
    age -d -i comensha.key "audit/$entry" >plain || fail "age -d could not decrypt $entry"
    cmp plain "$package/$path" || fail "$entry does not decrypt to $path"
    [ "$size" = "$(stat -c %s "$package/$path")" ] || fail "the index gives $path size $size"
    [ "$sha" = "$(sha256sum "$package/$path" | cut -d' ' -f1)" ] || fail "the index gives $path another SHA-256"
    echo "age -d $entry == $path ($size bytes)"
  done <map
  [ "$i" = "$(wc -l <docs)" ] && [ "$i" -gt 0 ] || fail "decrypted $i of $(wc -l <docs) documents"
  # The reading copy follows the documents: dossier.pdf, the cover sheet and the report, each
  # decrypting to the size and SHA-256 the index gives.
  grep -o '{"entry":"payload/[0-9]*\.age","role":"[a-z]*","name":"[a-z.-]*","size":[0-9]*,"sha256":"[0-9a-f]*"' index.json |
    sed -E 's/\{"entry":"([^"]*)","role":"([^"]*)","name":"([^"]*)","size":([0-9]*),"sha256":"([^"]*)"/\1 \2 \3 \4 \5/' >copy
  [ "$(cut -d' ' -f2 copy | tr '\n' ' ')" = "dossier cover report " ] || { cat copy; fail "the index's reading copy is not dossier, cover, report"; }
  local role name
  while read -r entry role name size sha; do
    i=$((i + 1))
    [ "$entry" = "$(printf 'payload/%04d.age' "$i")" ] || fail "the reading copy's $role is in $entry"
    age -d -i comensha.key "audit/$entry" >plain || fail "age -d could not decrypt $entry"
    [ "$size" = "$(stat -c %s plain)" ] && [ "$sha" = "$(sha256sum plain | cut -d' ' -f1)" ] ||
      fail "$entry does not decrypt to the size and SHA-256 the index gives"
    case "$role" in
      dossier | cover) [ "$(head -c 5 plain)" = "%PDF-" ] || fail "$entry ($name) is not a PDF" ;;
      report) grep -qi '^<!doctype html>' plain || fail "$entry ($name) is not an HTML page" ;;
    esac
    echo "age -d $entry == the reading copy's $name ($size bytes)"
  done <copy
  # ... and only for that key: another age identity cannot decrypt.
  age-keygen -o other.key 2>/dev/null
  ! age -d -i other.key audit/payload/0001.age >/dev/null 2>&1 || fail "age -d decrypted with a key the bundle was not sealed for"
  echo "age-decrypt: Debian's age decrypted the index, all $(wc -l <docs) documents (byte for byte the originals) and the reading copy"
}

scenario_foreign_keys() {
  minisign -G -W -p coordinator.pub -s coordinator.key >/dev/null || fail "minisign -G failed"
  age-keygen -o comensha.key 2>keygen.err || fail "age-keygen failed"
  age-keygen -y comensha.key >comensha.pub
  chmod 600 coordinator.key comensha.key
  grep -q '^age1' comensha.pub || fail "age-keygen -y printed no recipient"
  # A recipient file from age-keygen and an age1 string, a secret key from minisign -G.
  seal coordinator.key comensha.pub a.dossier
  "$dossier" seal "$package" -r "$(cat comensha.pub)" -s coordinator.key -o b.dossier -q --lang en >/dev/null ||
    fail "dossier seal with -r age1... failed"
  for b in a.dossier b.dossier; do
    "$dossier" verify "$b" -p coordinator.pub --lang en >verify.out || { cat verify.out; fail "dossier verify $b with minisign's public key"; }
    grep -q '^VALID' verify.out || fail "dossier verify did not say VALID"
    mkdir "audit-$b" && (cd "audit-$b" && unzip -q "../$b" &&
      minisign -Vm META-INF/manifest.xml -x META-INF/manifest.xml.minisig -p ../coordinator.pub >../minisign.out) ||
      fail "minisign -V rejects the signature made by dossier with minisign's key"
    "$dossier" open "$b" -i comensha.key -p coordinator.pub -o "open-$b" -q --lang en >open.out ||
      { cat open.out; fail "dossier open $b with age-keygen's identity"; }
    diff -r "$package" "open-$b" || fail "open-$b differs from the example"
    echo "foreign-keys: $b sealed with minisign -G's key for age-keygen's recipient verifies and opens identically"
  done
  # minisign's key id is the one the manifest names.
  grep -qF "<signer key-id=\"$(sed -n '1s/.* //p' coordinator.pub)\"/>" audit-a.dossier/META-INF/manifest.xml ||
    fail "the manifest does not name minisign's key id $(sed -n '1s/.* //p' coordinator.pub)"
}

# Seal, flip one byte in the middle of payload/0003.age's ciphertext (after the age header), and
# optionally patch the ZIP CRC-32 fields to match the flipped bytes.
tamper() {
  local fix_crc=$1 start size old new
  make_keys
  seal zorgcoordinator.key comensha.pub good.dossier
  cp good.dossier CL-2026-0042.dossier
  start=$(entry_offset CL-2026-0042.dossier payload/0003.age)
  size=$(unzip -p CL-2026-0042.dossier payload/0003.age | wc -c)
  cmp <(unzip -p good.dossier payload/0003.age) <(dd if=good.dossier bs=1 skip="$start" count="$size" status=none) ||
    fail "could not locate the bytes of payload/0003.age"
  flip_byte CL-2026-0042.dossier $((start + size / 2))
  [ "$(cmp -l good.dossier CL-2026-0042.dossier | wc -l)" = 1 ] || fail "more than one byte changed"
  if [ "$fix_crc" = 1 ]; then
    # gzip's trailer holds the CRC-32 (little-endian), as do the local and central ZIP headers.
    old=$(unzip -p good.dossier payload/0003.age | gzip -c | tail -c8 | head -c4 | od -An -tx1 | tr -d ' \n')
    new=$(dd if=CL-2026-0042.dossier bs=1 skip="$start" count="$size" status=none | gzip -c | tail -c8 | head -c4 | od -An -tx1 | tr -d ' \n')
    # The CRC-32 sits 14 bytes into the local header (signature PK\3\4, name at +30) and 16 bytes
    # into the central directory header (signature PK\1\2, name at +46).
    local name_at sig o k patched=0
    for name_at in $(grep -boaF payload/0003.age CL-2026-0042.dossier | cut -d: -f1); do
      for o in "30 14 504b0304" "46 16 504b0102"; do
        set -- $o
        sig=$(od -An -tx1 -j $((name_at - $1)) -N4 CL-2026-0042.dossier | tr -d ' \n')
        [ "$sig" = "$3" ] || continue
        [ "$(od -An -tx1 -j $((name_at - $1 + $2)) -N4 CL-2026-0042.dossier | tr -d ' \n')" = "$old" ] ||
          fail "the ZIP header at $((name_at - $1)) does not hold the CRC-32 $old"
        for k in 0 1 2 3; do
          printf "\\x${new:$((2 * k)):2}" | dd of=CL-2026-0042.dossier bs=1 seek=$((name_at - $1 + $2 + k)) conv=notrunc status=none
        done
        patched=$((patched + 1))
      done
    done
    [ "$patched" = 2 ] || fail "patched $patched CRC-32 fields, want 2 (local and central header)"
    unzip -tq CL-2026-0042.dossier >/dev/null || fail "the CRC-patched bundle does not test clean with unzip -t"
  fi
  # The auditor's b2sum -c must fail, naming the entry.
  mkdir audit && cd audit
  unzip -q ../CL-2026-0042.dossier 2>unzip.err || echo "unzip: $(cat unzip.err)"
  cmp -s payload/0003.age <(unzip -p ../good.dossier payload/0003.age) && fail "the extracted entry is not the tampered one"
  minisign -V -p ../zorgcoordinator.pub -m META-INF/manifest.xml -x META-INF/manifest.xml.minisig >/dev/null ||
    fail "the manifest signature should still verify (only a payload byte changed)"
  local rc=0
  grep -o 'path="[^"]*" size="[0-9]*" blake2b-512="[0-9a-f]*"' META-INF/manifest.xml |
    sed -E 's/path="([^"]*)" size="[0-9]*" blake2b-512="([0-9a-f]*)"/\2  \1/' | b2sum -c >b2sum.out 2>&1 || rc=$?
  cat b2sum.out
  [ "$rc" != 0 ] || fail "b2sum -c accepted the tampered bundle"
  grep -qx 'payload/0003.age: FAILED' b2sum.out || fail "b2sum -c did not name payload/0003.age"
  [ "$(grep -c ': OK$' b2sum.out)" = $(($(grep -c '<entry ' META-INF/manifest.xml) - 1)) ] || fail "b2sum -c failed other entries too"
  cd ..
  # dossier verify and open must fail with exit 1, and open must leave nothing.
  rc=0; "$dossier" verify CL-2026-0042.dossier -p zorgcoordinator.pub --lang en >verify.out 2>&1 || rc=$?
  cat verify.out
  [ "$rc" = 1 ] || fail "dossier verify exited $rc on the tampered bundle, want 1"
  grep -q '^✘ payload/0003.age: changed after signing' verify.out || fail "dossier verify did not name payload/0003.age"
  if [ "$fix_crc" = 1 ]; then
    grep -q "BLAKE2b-512 digest differs" verify.out || fail "with the CRC fixed, the signed digest should be what fails"
  fi
  : >open.out
  local before; before=$(ls -A)
  rc=0; "$dossier" open CL-2026-0042.dossier -i comensha.key -p zorgcoordinator.pub -o uit --lang en >open.out 2>&1 || rc=$?
  cat open.out
  [ "$rc" = 1 ] || fail "dossier open exited $rc on the tampered bundle, want 1"
  [ "$(ls -A)" = "$before" ] || { ls -A; fail "dossier open left something behind"; }
  "$dossier" verify good.dossier -p zorgcoordinator.pub --lang en >/dev/null || fail "the untampered copy should verify"
  echo "tamper: one flipped byte of payload/0003.age$([ "$fix_crc" = 1 ] && echo ' (ZIP CRC-32 patched to match)') fails b2sum -c, dossier verify and dossier open"
}

case $scenario in
  auditor) scenario_auditor ;;
  age-decrypt) scenario_age_decrypt ;;
  foreign-keys) scenario_foreign_keys ;;
  tamper) tamper 0 ;;
  tamper-crc) tamper 1 ;;
  *) fail "unknown scenario" ;;
esac
