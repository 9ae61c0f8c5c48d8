#!/usr/bin/env bash
# The shared side-by-side harness (libtorch and the kit in one process), changed in two places so that "1 thread" is one
# thread on our side too and steady-state calls reuse their buffers: infer and train call workspace.Run /
# workspace.Backpropagate on one model.CreateWorkspace(threads) made per shape, instead of the facade's model.Run /
# model.Backpropagate (which choose their thread count by size and hand out fresh results). Nothing else differs.
# Usage, from the project root:  bash tests/LstmNotebooks.Benchmarks/side-by-side.sh [--quick] [SideBySide options...]
# Tables: artifacts/perf/side-by-side-t1.md and -t2.md; the machine's FMA peak: artifacts/perf/peak.md.
set -euo pipefail
root=$(pwd)
shared="$root/../shared/perf"
[ -f "$root/src/LstmNotebooks/LstmNotebooks.csproj" ] || { echo "side-by-side: run this from the project root"; exit 2; }
[ -f "$shared/run.sh" ] || { echo "side-by-side: the shared harness is not at $shared (../shared/perf from the project root)"; exit 2; }
copy=$(mktemp -d); trap 'rm -rf "$copy"' EXIT
cp -r "$shared/." "$copy/"
command -v patch >/dev/null || { echo "side-by-side: needs patch (apt-get install patch)"; exit 2; }
patch -s -d "$copy" -p1 < "$root/tests/LstmNotebooks.Benchmarks/side-by-side-workspace.patch"
bash "$copy/run.sh" "$@"
