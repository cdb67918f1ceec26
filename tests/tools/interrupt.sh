#!/usr/bin/env bash
# Fault 1 of issue 8: SIGINT, SIGTERM or SIGHUP in the middle of `open` or `seal` must leave no
# staging folder (with decrypted documents or a half-written bundle) behind, and the process
# must end by that signal. A folder left by SIGKILL is removed by the next run for the same -o.
#
#   usage: interrupt.sh DOSSIER MKPDF SOURCE_DIR WORK_DIR
set -euo pipefail
set -m  # job control: background jobs take SIGINT (a script would start them with it ignored)
dossier=$1 mkpdf=$2 src=$3 work=$4
fail() { echo "FAIL: $*" >&2; exit 1; }
rm -rf "$work" && mkdir -p "$work" && cd "$work"
export DOSSIER_DATA_DIR=$src DOSSIER_DATE=2026-12-01 NO_COLOR=1

# Big enough that the jobs run for seconds: 4 documents of 48 MiB.
"$src/tests/tools/make_large_package.sh" "$mkpdf" "$src" pkg 4 48
"$dossier" keygen --signing -o zc --no-passphrase >/dev/null
"$dossier" keygen --encryption -o cm --no-passphrase >/dev/null
"$dossier" seal pkg -r cm.pub -s zc.key -o b.dossier -q >/dev/null

# wait_for GLOB: until a file exists somewhere below a folder matching GLOB (at most 60 s).
wait_for() {
  for _ in $(seq 1 6000); do
    if compgen -G "$1" >/dev/null && [ -n "$(find $1 -type f 2>/dev/null | head -n 1)" ]; then return 0; fi
    sleep 0.01
  done
  return 1
}

# interrupt SIGNAL STATUS OUT COMMAND...: starts COMMAND, sends SIGNAL once its staging folder
# for OUT holds a file, and checks the exit status and that nothing is left.
interrupt() {
  local sig=$1 want=$2 out=$3 pid rc=0
  shift 3
  "$@" 2>"$out.err" >/dev/null &
  pid=$!
  wait_for ".$out.partial-*" || { kill -KILL "$pid"; fail "$out: no staging folder appeared"; }
  kill -s "$sig" "$pid"
  wait "$pid" || rc=$?
  [ "$rc" -eq "$want" ] || fail "$out: exit status $rc after SIG$sig, expected $want ($(cat "$out.err"))"
  ! compgen -G ".$out.partial-*" >/dev/null || fail "$out: staging folder left after SIG$sig: $(ls -d .$out.partial-*)"
  [ ! -e "$out" ] || fail "$out: output exists after SIG$sig"
  grep -q "unfinished output removed" "$out.err" || fail "$out: no message on stderr: $(cat "$out.err")"
  echo "ok: SIG$sig during $2 ... -o $out: status $rc, nothing left"
}

interrupt INT 130 opened "$dossier" open b.dossier -i cm.key -p zc.pub -o opened -q --lang en
interrupt TERM 143 opened "$dossier" open b.dossier -i cm.key -p zc.pub -o opened -q --lang en
interrupt HUP 129 opened "$dossier" open b.dossier -i cm.key -p zc.pub -o opened -q --lang en
interrupt TERM 143 sealed.dossier "$dossier" seal pkg -r cm.pub -s zc.key -o sealed.dossier -q --lang en
interrupt INT 130 sealed.dossier "$dossier" seal pkg -r cm.pub -s zc.key -o sealed.dossier -q --lang en

# SIGKILL leaves the folder; the next open with the same -o removes it and succeeds.
"$dossier" open b.dossier -i cm.key -p zc.pub -o opened -q >/dev/null &
pid=$!
wait_for ".opened.partial-*" || fail "no staging folder appeared before SIGKILL"
kill -KILL "$pid"
wait "$pid" || true
compgen -G ".opened.partial-*" >/dev/null || fail "SIGKILL left no staging folder (the test did not test)"
"$dossier" open b.dossier -i cm.key -p zc.pub -o opened -q >/dev/null || fail "open after SIGKILL failed"
! compgen -G ".opened.partial-*" >/dev/null || fail "the stale staging folder was not removed"
diff -r pkg opened >/dev/null || fail "opened differs from the package"
echo "ok: the folder SIGKILL left was removed by the next open"
cd / && rm -rf "$work"
