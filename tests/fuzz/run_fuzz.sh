#!/bin/sh
# run_fuzz.sh HARNESS CORPUS [libFuzzer options] -- SEED_DIR_OR_FILE...
# Empties CORPUS (a writable folder in the build tree), then fuzzes into it starting from the
# seeds, which libFuzzer only reads. Files among the seeds go through a second folder of copies,
# as libFuzzer takes folders only. Seeds that do not exist are skipped.
set -eu
harness=$1 corpus=$2
shift 2
opts=""
while [ $# -gt 0 ] && [ "$1" != "--" ]; do opts="$opts $1"; shift; done
[ $# -gt 0 ] && shift
rm -rf "$corpus" "$corpus.files"
mkdir -p "$corpus" "$corpus.files"
dirs=""
for s in "$@"; do
  if [ -d "$s" ]; then dirs="$dirs $s"
  elif [ -f "$s" ]; then cp "$s" "$corpus.files/"
  fi
done
# shellcheck disable=SC2086 # word splitting of the option and folder lists is intended
exec "$harness" $opts "$corpus" "$corpus.files" $dirs
