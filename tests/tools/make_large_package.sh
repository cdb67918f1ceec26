#!/usr/bin/env bash
# Makes a large synthetic referral package that still checks complete: examples/complete plus
# FILES PDFs of MIB MiB each in diagnostiek/, each a mkpdf PDF with a real text layer and an
# incremental update that adds one unreferenced stream of incompressible bytes, each listed in
# referral.xml. MIB must stay under the per-file limits (64 MiB: io::PackageLimits::max_file_size,
# io::PdfLimits::max_bytes). Used by the 1 GiB memory test and by bench/run.
#
#   usage: make_large_package.sh MKPDF SOURCE_DIR OUT_DIR FILES MIB
set -euo pipefail
mkpdf=$1 src=$2 pkg=$3 files=$4 stream_mib=$5
fail() { echo "FAIL: $*" >&2; exit 1; }
[ ! -e "$pkg" ] || fail "$pkg exists"
cp -r "$src/examples/complete" "$pkg"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
head -c $((stream_mib << 20)) /dev/urandom >"$scratch/blob"
decl=
for i in $(seq -w 1 "$files"); do
  f=diagnostiek/bijlage-$i.pdf
  "$mkpdf" --title "Diagnostisch verslag, bijlage $i (synthetisch)" \
    --line "GGZ Voorbeeld, afdeling trauma. Datum: 20-09-2026." \
    --line "Diagnose (DSM-5): posttraumatische stressstoornis; onderzoek door psycholoog." -o "$scratch/base.pdf"
  # The base ends with a classic xref table and "trailer << /Size 7 /Root 1 0 R ... >>".
  grep -aq '^trailer' "$scratch/base.pdf" || fail "mkpdf no longer writes a classic xref table; adapt this generator"
  size=$(sed -n 's|.*/Size \([0-9]*\).*|\1|p' "$scratch/base.pdf")
  root=$(sed -n 's|.*/Root \([0-9]* [0-9]* R\).*|\1|p' "$scratch/base.pdf")
  prev=$(grep -a -A1 "^startxref" "$scratch/base.pdf" | tail -n 1)
  base_len=$(stat -c %s "$scratch/base.pdf")
  {
    cat "$scratch/base.pdf"
    printf '%d 0 obj\n<< /Length %d >>\nstream\n' "$size" $((stream_mib << 20))
    cat "$scratch/blob"
    printf '\nendstream\nendobj\n'
  } >"$pkg/$f"
  xref=$(stat -c %s "$pkg/$f")
  printf 'xref\n0 1\n0000000000 65535 f \n%d 1\n%010d 00000 n \ntrailer\n<< /Size %d /Root %s /Prev %d >>\nstartxref\n%d\n%%%%EOF\n' \
    "$size" "$base_len" $((size + 1)) "$root" "$prev" "$xref" >>"$pkg/$f"
  decl+="    <document path=\"$f\" date=\"2026-09-20\" issuer=\"GGZ Voorbeeld\"/>\n"
done
sed -i "s|  </documents>|$decl  </documents>|" "$pkg/referral.xml"
