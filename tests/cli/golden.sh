#!/usr/bin/env bash
# Runs one CLI golden case: tests/cli/cases/NAME.case holds the description, the arguments and
# the expected exit code; NAME.out the expected standard output (byte for byte), NAME.err
# (optional) lines that must appear on standard error.
#   usage: golden.sh DOSSIER SOURCE_DIR NAME
#   DOSSIER_UPDATE_GOLDEN=1 rewrites NAME.out from the current output.
set -uo pipefail
dossier=$1 src=$2 name=$3
case_file=$src/tests/cli/cases/$name.case
args=$(sed -n 's/^args: //p' "$case_file")
want_exit=$(sed -n 's/^exit: //p' "$case_file")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$src"
export NO_COLOR=1 LANG=C LC_ALL= LC_MESSAGES= DOSSIER_DATA_DIR="$src" WORK="$work" DOSSIER_DATE=2026-12-01
# "env: NAME=VALUE ..." lines set the environment of the case (e.g. the locale).
for assignment in $(sed -n 's/^env: //p' "$case_file"); do export "${assignment?}"; done
eval "\"$dossier\" $args" >"$work/stdout" 2>"$work/stderr" </dev/null
got_exit=$?
status=0
if [ "$got_exit" != "$want_exit" ]; then
  echo "FAIL $name: exit $got_exit, want $want_exit"; status=1
fi
if [ "${DOSSIER_UPDATE_GOLDEN:-}" = 1 ]; then
  cp "$work/stdout" "$src/tests/cli/cases/$name.out"
elif ! diff -u "$src/tests/cli/cases/$name.out" "$work/stdout"; then
  echo "FAIL $name: stdout differs from tests/cli/cases/$name.out"; status=1
fi
if [ -f "$src/tests/cli/cases/$name.err" ]; then
  while IFS= read -r line; do
    grep -qF -- "$line" "$work/stderr" || { echo "FAIL $name: stderr lacks: $line"; status=1; }
  done < "$src/tests/cli/cases/$name.err"
fi
[ $status = 0 ] || { echo "--- stderr:"; cat "$work/stderr"; }
exit $status
