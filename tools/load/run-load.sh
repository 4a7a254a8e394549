#!/usr/bin/env bash
# Load run (issue 10): N generated test images through `clipbench run` on the tiny CLIP fixture (ONNX
# Runtime, zero-shot + k-shot), with the progress sampled every second and a full GC forced at 12, 50 and
# 88 % of the test split, so loadstats.py can say whether the time per image and the live heap stay flat.
# Usage: tools/load/run-load.sh N OUT [extra clipbench run options...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
n="${1:?usage: run-load.sh N OUT [run options]}"; out="${2:?usage: run-load.sh N OUT [run options]}"; shift 2
[ -e "$out" ] && { echo "run-load: $out exists; choose a new folder" >&2; exit 2; }
mkdir -p "$out"
java "$root/tools/load/MakeImages.java" "$n" "$out/data"

# Build the CLI first (when stale), so neither the timings nor the GC log see Maven.
"$root/clipbench" --version >/dev/null
base_opts="${JAVA_OPTS:-}"
export JAVA_OPTS="$base_opts -Xlog:gc:file=$out/gc.log:time -Dclipbench.progressIntervalMillis=1000"
start=$(date +%s.%N)
"$root/clipbench" run --backend onnx --model "$root/testdata/models/tiny-clip-vit" \
  --dataset "imagefolder:$out/data" --protocol zero-shot,k-shot --k 1,4 --seeds 1 --cache none \
  --out "$out/run" "$@" 2> >(while IFS= read -r line; do printf '%s %s\n' "$(date +%s.%N)" "$line"; done > "$out/progress.log") &
pid=$!
# Force a full GC as the test split passes each mark: the heap after it is what the run really keeps.
marks=(12 50 88)
while kill -0 "$pid" 2>/dev/null; do
  sleep 0.5
  # The kernel's high-water mark of the JVM's resident memory, kept while the process lives.
  hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
  [ -n "$hwm" ] && echo "$hwm" > "$out/vmhwm.kb"
  [ ${#marks[@]} -eq 0 ] && continue
  last=$(grep -oE " ([0-9]+)/$n " "$out/progress.log" 2>/dev/null | tail -1 | tr -d ' ' | cut -d/ -f1 || true)
  if [ -n "$last" ] && [ $(( last * 100 / n )) -ge "${marks[0]}" ]; then
    jcmd "$pid" GC.run >/dev/null 2>&1 && echo "$(date +%s.%N) mark ${marks[0]} at $last" >> "$out/marks.log"
    marks=("${marks[@]:1}")
  fi
done
wait "$pid"
echo "wall_seconds $(echo "$(date +%s.%N) - $start" | bc)" >> "$out/marks.log"
t0=$(date +%s.%N); JAVA_OPTS="$base_opts" "$root/clipbench" report "$out/run" >/dev/null
echo "report_seconds $(echo "$(date +%s.%N) - $t0" | bc)" >> "$out/marks.log"
python3 "$root/tools/load/loadstats.py" "$out" "$n"
