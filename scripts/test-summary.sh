#!/bin/sh
# Passes `cargo test --nocapture` output through, keeping its exit status,
# and repeats the lines tests print about what they measured at the end.
set -u
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
tee "$tmp"
status=$(grep -c '^test result: FAILED' "$tmp" || true)
echo
echo "== summary =="
grep -E '^(golden vectors|irm.sock):' "$tmp" || true
grep -E '^test result:' "$tmp" | sort | uniq -c
if [ "$status" != 0 ] || grep -q '^error: ' "$tmp"; then
    echo "FAILED"
    exit 1
fi
