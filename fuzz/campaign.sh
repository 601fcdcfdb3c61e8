#!/usr/bin/env bash
# Fuzz targets two at a time, nice'd, each with the same libFuzzer flags:
#   fuzz/campaign.sh "text html" "markdown ao3" -max_total_time=600
# Lane 1 and lane 2 run side by side; each run's log is fuzz/logs/TARGET-YYYYmmdd-HHMMSS.log.
set -u
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
mkdir -p fuzz/logs
LANE1=$1 LANE2=$2
shift 2
lane() {
  for target in $1; do
    log="fuzz/logs/$target-$(date +%Y%m%d-%H%M%S).log"
    nice -n 10 "$PY" -m fuzz.run "$target" "${@:2}" >"$log" 2>&1
    echo "$target: exit $? — $(grep -E '^Done [0-9]+ runs' "$log") ($log)"
  done
}
lane "$LANE1" "$@" &
lane "$LANE2" "$@" &
wait
