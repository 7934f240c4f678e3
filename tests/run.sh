#!/bin/bash
# run.sh - run every test; print "N passed, N failed"
#
# Usage: tests/run.sh BUILD_DIR [pattern]
#
# Runs the unit test programs (BUILD_DIR/tests/t_*) and the integration
# scripts (tests/*.test). Each prints "PASS name" / "FAIL name: detail" /
# "SKIP name: why" lines; a program that exits non-zero without a FAIL line
# counts as one failure under its own name. Output of each goes to
# BUILD_DIR/t/NAME.log.
#
# Every test file declares how many checks it runs: a line "# checks: N"
# in a .test script, "/* checks: N */" in a tests/unit/t_*.c program.
# A file that runs a different number (PASS + FAIL + SKIP lines), or
# declares none, fails under its own name: a check that silently stopped
# running is a failure, not a smaller total.
set -u
build=${1:-build}
pat=${2:-}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
mkdir -p "$build/t"
pass=0 fail=0 skip=0
# declared SOURCE: the check count a test file declares, or nothing.
declared() {
    sed -n -e 's/^# checks: \([0-9][0-9]*\)$/\1/p' \
        -e 's|^/\* checks: \([0-9][0-9]*\) \*/$|\1|p' "$1" | head -1
}
run_one() {
    local name=$1 src=$2; shift 2
    local log="$build/t/$name.log"
    local start=$SECONDS
    "$@" >"$log" 2>&1 </dev/null
    local rc=$?
    local p f s want
    p=$(grep -c '^PASS ' "$log")
    f=$(grep -c '^FAIL ' "$log")
    s=$(grep -c '^SKIP ' "$log")
    grep -e '^FAIL ' -e '^SKIP ' "$log" | sed "s/^/[$name] /"
    if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
        echo "FAIL $name: exit status $rc (see $log)"; tail -5 "$log" | sed 's/^/    /'
        f=1
    fi
    want=$(declared "$src")
    if [ -z "$want" ]; then
        echo "FAIL $name: $src declares no check count"
        f=$((f + 1))
    elif [ "$want" != $((p + f + s)) ]; then
        echo "FAIL $name: ran $((p + f + s)) checks, $src declares $want"
        f=$((f + 1))
    fi
    printf '%-28s %4d passed %3d failed %3d skipped %4ds\n' "$name" "$p" "$f" "$s" $((SECONDS - start))
    pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
}
for t in "$build"/tests/t_*; do
    [ -x "$t" ] || continue
    n=$(basename "$t")
    [ -n "$pat" ] && [[ $n != *$pat* ]] && continue
    run_one "$n" "tests/unit/$n.c" "$t"
done
for t in tests/*.test; do
    [ -f "$t" ] || continue
    n=$(basename "$t" .test)
    [ -n "$pat" ] && [[ $n != *$pat* ]] && continue
    run_one "$n" "$t" env BUILD="$top/$build" TOP="$top" bash "$t"
done
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
