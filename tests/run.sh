#!/bin/bash
# run.sh - run every test; print "N passed, N failed"
#
# Usage: tests/run.sh BUILD_DIR [pattern]
#
# Runs the unit test programs (BUILD_DIR/tests/t_*) and the integration
# scripts (tests/*.test). Each prints "PASS name" / "FAIL name: detail"
# lines; a program that exits non-zero without a FAIL line counts as one
# failure under its own name. Output of each goes to BUILD_DIR/t/NAME.log.
set -u
build=${1:-build}
pat=${2:-}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
mkdir -p "$build/t"
pass=0 fail=0
run_one() {
    local name=$1; shift
    local log="$build/t/$name.log"
    local start=$SECONDS
    "$@" >"$log" 2>&1 </dev/null
    local rc=$?
    local p f
    p=$(grep -c '^PASS ' "$log")
    f=$(grep -c '^FAIL ' "$log")
    grep '^FAIL ' "$log" | sed "s/^/[$name] /"
    if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
        echo "FAIL $name: exit status $rc (see $log)"; tail -5 "$log" | sed 's/^/    /'
        f=1
    fi
    printf '%-28s %4d passed %3d failed %4ds\n' "$name" "$p" "$f" $((SECONDS - start))
    pass=$((pass + p)); fail=$((fail + f))
}
for t in "$build"/tests/t_*; do
    [ -x "$t" ] || continue
    n=$(basename "$t")
    [ -n "$pat" ] && [[ $n != *$pat* ]] && continue
    run_one "$n" "$t"
done
for t in tests/*.test; do
    [ -f "$t" ] || continue
    n=$(basename "$t" .test)
    [ -n "$pat" ] && [[ $n != *$pat* ]] && continue
    run_one "$n" env BUILD="$top/$build" TOP="$top" bash "$t"
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
