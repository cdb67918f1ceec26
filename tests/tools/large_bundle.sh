#!/usr/bin/env bash
# The memory property of issue 3: sealing, verifying and opening stream, so memory stays bounded
# whatever the input size. Builds a synthetic package of more than 1 GiB in the build tree (the
# complete example plus large PDFs), runs seal, verify and open under peak_rss, and asserts that
# each exits 0, that each peak RSS stays under the bound, and that the opened files are the
# originals byte for byte. Prints the numbers; deletes the large files at the end.
#
#   usage: large_bundle.sh DOSSIER MKPDF PEAK_RSS SOURCE_DIR WORK_DIR [BOUND_MIB [OWN_BOUND_MIB]]
#
# The package (tests/tools/make_large_package.sh): examples/complete and 17 PDFs of 62 MiB in
# diagnostiek/, each with a real text layer and a stream of incompressible bytes, each listed in
# referral.xml, so the package still checks complete.
#
# Two bounds. BOUND_MIB (default 200) for the largest process of the command's tree, wait4's
# ru_maxrss: that is the PDF parser recognising the example's scanned page (Tesseract's models,
# about 90 MiB). OWN_BOUND_MIB (default 64, issue 8's target) for dossier's own process: the
# documents stream from the package into the parser's memfd and through age and the ZIP writer,
# so dossier holds a few MiB of them at a time (22 MiB measured, Debug build).
set -euo pipefail
dossier=$1 mkpdf=$2 peak_rss=$3 src=$4 work=$5 bound=${6:-200} own_bound=${7:-64}
export LC_ALL=C NO_COLOR=1 DOSSIER_DATA_DIR=$src

fail() { echo "FAIL: $*" >&2; exit 1; }
files=17 stream_mib=62
rm -rf "$work"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT
cd "$work"
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# --- the meter itself: it must see a child that touches 256 MiB, and pass on its exit status
"$peak_rss" dd if=/dev/zero of=/dev/null bs=256M count=1 2>meter.err || fail "peak_rss dd failed: $(cat meter.err)"
meter=$(sed -n 's/^peak RSS: \([0-9]*\) MiB (command dd .*/\1/p' meter.err)
[ -n "$meter" ] && [ "$meter" -ge 256 ] || fail "peak_rss reports ${meter:-nothing} MiB for dd bs=256M: $(cat meter.err)"
own_meter=$(sed -n 's/^own peak RSS: \([0-9]*\) MiB (command dd .*/\1/p' meter.err)
[ -n "$own_meter" ] && [ "$own_meter" -ge 256 ] ||
  fail "peak_rss cannot see the command's own peak for dd bs=256M (is ptrace allowed here?): $(cat meter.err)"
rc=0; "$peak_rss" sh -c 'exit 3' 2>/dev/null || rc=$?
[ "$rc" = 3 ] || fail "peak_rss exited $rc for a child that exited 3"
echo "meter: peak_rss sees $meter MiB for dd bs=256M and passes on exit statuses"

# --- the package
t0=$(now)
pkg=$work/groot
"$src/tests/tools/make_large_package.sh" "$mkpdf" "$src" "$pkg" "$files" "$stream_mib"
total=$(du -sb "$pkg" | cut -f1)
[ "$total" -ge $((1 << 30)) ] || fail "the package holds $total bytes, less than 1 GiB"
"$dossier" check "$pkg" --lang en --format json >check.json || { tail -20 check.json; fail "the large package does not check complete"; }
# Every document, the large ones included, was inspected and found a readable PDF with text
# (except the example's scanned care report, lokale-zorg/verslag-beschermd-wonen.pdf).
[ "$(grep -c '"outcome": "ok"' check.json)" = $((files + 7)) ] || fail "not every document inspected ok"
[ "$(grep -c '"source": "text-layer"' check.json)" = $((files + 6)) ] || fail "not every document but the scan has a text layer"
[ "$(grep -c '"source": "ocr"' check.json)" = 1 ] || fail "the scanned care report was not read by OCR"
echo "package: $((files + 7)) documents, $((total >> 20)) MiB ($total bytes), made and checked complete in $(since "$t0") s"

"$dossier" keygen --signing -o zc --no-passphrase >/dev/null
"$dossier" keygen --encryption -o cm --no-passphrase >/dev/null

# --- seal, verify, open under peak_rss
declare -A peak own secs
run() { # run NAME COMMAND...
  local name=$1 t rc=0
  shift
  t=$(now)
  "$peak_rss" "$@" >"$name.out" 2>"$name.err" || rc=$?
  secs[$name]=$(since "$t")
  cat "$name.err" >&2
  [ "$rc" = 0 ] || { tail -20 "$name.out"; fail "$name exited $rc"; }
  peak[$name]=$(sed -n 's/^peak RSS: \([0-9]*\) MiB .*/\1/p' "$name.err")
  [ -n "${peak[$name]}" ] || fail "peak_rss printed no peak for $name"
  own[$name]=$(sed -n 's/^own peak RSS: \([0-9]*\) MiB .*/\1/p' "$name.err")
  [ -n "${own[$name]}" ] || fail "peak_rss printed no own peak for $name"
}
run seal "$dossier" seal "$pkg" -r cm.pub -s zc.key -o groot.dossier -q --lang en
bundle=$(stat -c %s groot.dossier)
[ "$bundle" -gt "$total" ] || fail "the bundle ($bundle bytes) is smaller than the package ($total): not every document was sealed"
run verify "$dossier" verify groot.dossier -p zc.pub --lang en
grep -q '^VALID' verify.out || fail "verify did not say VALID"
run open "$dossier" open groot.dossier -i cm.key -p zc.pub -o uit -q --lang en
grep -q '^Verdict: COMPLETE' open.out || fail "the opened package does not check complete"

# --- the opened files are the originals
n=0
while IFS= read -r f; do
  cmp "$pkg/$f" "uit/$f" || fail "uit/$f differs from the original"
  n=$((n + 1))
done < <(cd "$pkg" && find . -type f | sed 's|^\./||' | sort)
[ "$n" = $((files + 8)) ] || fail "compared $n files"
[ "$(cd uit && find . -type f | wc -l)" = "$n" ] || fail "uit holds other files than the package"

echo "bundle: $((bundle >> 20)) MiB; all $n files opened identical to the originals"
status=0
for name in seal verify open; do
  printf 'memory: %-6s peak RSS %4s MiB (bound %s MiB), dossier itself %3s MiB (bound %s MiB), %6s s\n' \
    "$name" "${peak[$name]}" "$bound" "${own[$name]}" "$own_bound" "${secs[$name]}"
  [ "${peak[$name]}" -lt "$bound" ] || { echo "FAIL: $name peak RSS ${peak[$name]} MiB is not under $bound MiB"; status=1; }
  [ "${own[$name]}" -le "$own_bound" ] ||
    { echo "FAIL: $name's own peak RSS ${own[$name]} MiB is over $own_bound MiB"; status=1; }
done
exit $status
