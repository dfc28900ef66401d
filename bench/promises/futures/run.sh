#!/usr/bin/env bash
# Resampled and forecast futures of courier-short traces, run through scenarios, then analysed (bench/results/promises.md).
# Usage: bench/promises/futures/run.sh OUT [K] [TRACES...]   (from the repo root, after a Release build)
# Default: K 6, the courier-short s1p100 seeds 1, 4, 5, 6, scenarios dinner-rain and an unchanging world. About 50 min on
# 2 cores (the scenarios command runs re-planning on and off; the analysis reads "on"). Per trace: K bootstrap futures,
# two forecasts and K forecast draws per 15-minute cut (resample.py), each run with the trace's peak fixed (--peak).
set -euo pipefail
out=$1; k=${2:-6}; shift $(( $# > 1 ? 2 : 1 ))
traces=("$@")
[ ${#traces[@]} -gt 0 ] || traces=(../shared/mdrp/instances/{1,4,5,6}o100t100s1p100)
here=$(cd "$(dirname "$0")" && pwd)
sim=src/Dispatch.Simulator/bin/Release/net10.0/linux-x64/Dispatch.Simulator.dll
mkdir -p "$out/scenarios"
cp samples/scenarios/dinner-rain.json "$out/scenarios/"
echo '{ "name": "unchanging", "description": "no events: the trace as recorded", "events": [] }' > "$out/scenarios/unchanging.json"
for t in "${traces[@]}"; do
  name=$(basename "$t")
  seed=${name%%o*}
  peak=$(python3 "$here/resample.py" "$t" "$out/$name/boot" --kind bootstrap --k "$k" --seed "$seed")
  python3 "$here/resample.py" "$t" "$out/$name/forecast" --kind forecast > /dev/null
  python3 "$here/resample.py" "$t" "$out/$name/draws" --kind forecast-draws --k "$k" --seed "$seed" > /dev/null
  for kind in boot forecast draws; do
    dotnet "$sim" scenarios "$out/scenarios" "$out/$name/$kind"/*_T* --peak "$peak" --out "$out/$name/$kind.out" > "$out/$name/$kind.log"
  done
  for sc in unchanging dinner-rain; do
    python3 "$here/analyse.py" "$out/$name/boot" "$out/$name/boot.out" "$sc" --forecast "$out/$name/forecast" "$out/$name/forecast.out" \
      --draws "$out/$name/draws" "$out/$name/draws.out" | tee -a "$out/summary.txt"
  done
done
