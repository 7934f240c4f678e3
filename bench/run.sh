#!/bin/bash
# run.sh - run every benchmark and print its figures
#
# Usage: bench/run.sh [BUILD_DIR [xcrypt-bench options, e.g. -q]]
#
# Runs bench/xcrypt-bench first (key setup, cipher and stream costs: Table 3
# of the ssmail paper on this machine), then every bench/*.bench script in
# name order as "env BUILD=<abs build dir> TOP=<abs top> bash NAME.bench"
# (the daemon benchmarks). Each prints its own figures, as ratios against
# baselines measured in the same run. Exit status is non-zero when any
# benchmark failed to run; a missed performance target is reported by the
# benchmark itself, not here.
set -u
build=${1:-build}
[ $# -gt 0 ] && shift
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
case $build in
    /*) ;;
    *) build=$top/$build ;;
esac
rc=0
start=$SECONDS
echo "== xcrypt-bench"
if [ -x bench/xcrypt-bench ]; then
    bench/xcrypt-bench "$@" || { echo "FAILED: bench/xcrypt-bench"; rc=1; }
else
    echo "FAILED: bench/xcrypt-bench is not built (make -C $top)"
    rc=1
fi
for b in bench/*.bench; do
    [ -f "$b" ] || continue
    echo
    echo "== $(basename "$b" .bench)"
    env BUILD="$build" TOP="$top" bash "$b" || { echo "FAILED: $b"; rc=1; }
done
echo
echo "benchmarks done in $((SECONDS - start)) s$([ $rc = 0 ] || echo ', WITH FAILURES')"
exit $rc
