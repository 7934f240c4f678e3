#!/bin/bash
# run.sh - run every fuzz target for a while, print figures per target
#
# Usage: tests/fuzz/run.sh FUZZ_DIR SECONDS [RUNS [LABEL...]]
#
# Run by "make fuzz" after it built the targets into FUZZ_DIR. Each
# target (fz_stream once per suite) fuzzes for SECONDS, niced, one at a
# time, on FUZZ_DIR/work/LABEL (new inputs, kept between runs) plus the
# seed corpus tests/fuzz/corpus/TARGET and the regression inputs
# tests/fuzz/regress/TARGET, with tests/fuzz/TARGET.dict when there is
# one. Crashes, leaks, timeouts and out-of-memory inputs land in
# FUZZ_DIR/findings/. With RUNS, a target stops after that many
# executions or SECONDS, whichever comes first; LABELs (e.g. fz_b64,
# fz_stream.sober128_1.0) restrict the run to those. Prints one line per
# target: executions, coverage (libFuzzer's final cov and ft), findings;
# exits 1 if anything was found.
set -u
fuzz=$1 secs=${2:-60} runs=${3:--1}
shift 3 2>/dev/null || shift $#
only=" $* "
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
mkdir -p "$fuzz/work" "$fuzz/findings" "$fuzz/log"
total=0
printf '%-36s %14s %7s %7s %9s\n' target executions cov ft findings
for bin in "$fuzz"/fz_*; do
    [ -x "$bin" ] || continue
    t=$(basename "$bin")
    suites=-
    [ "$t" = fz_stream ] && suites=$(XC_FUZZ_LIST_SUITES=1 "$bin")
    for s in $suites; do
        label=$t
        [ "$s" != - ] && label="$t.$s"
        [ "$only" != "  " ] && [[ $only != *" $label "* ]] && continue
        work="$fuzz/work/$label"
        mkdir -p "$work" "tests/fuzz/corpus/$t" "tests/fuzz/regress/$t"
        dict=()
        [ -f "tests/fuzz/$t.dict" ] && dict=(-dict="tests/fuzz/$t.dict")
        before=$(ls "$fuzz/findings" | grep -c "^$label-")
        env XC_FUZZ_SUITE="${s#-}" nice -n 10 "$bin" -max_total_time="$secs" -runs="$runs" \
            -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
            -artifact_prefix="$fuzz/findings/$label-" "${dict[@]}" \
            "$work" "tests/fuzz/corpus/$t" "tests/fuzz/regress/$t" \
            > "$fuzz/log/$label.log" 2>&1
        rc=$?
        after=$(ls "$fuzz/findings" | grep -c "^$label-")
        found=$((after - before))
        [ "$rc" != 0 ] && [ "$found" = 0 ] && found=1
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$fuzz/log/$label.log" | tail -1)
        cov=$(grep -o 'cov: [0-9]*' "$fuzz/log/$label.log" | tail -1 | cut -d' ' -f2)
        ft=$(grep -o 'ft: [0-9]*' "$fuzz/log/$label.log" | tail -1 | cut -d' ' -f2)
        printf '%-36s %14s %7s %7s %9d\n' "$label" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$found"
        if [ "$found" != 0 ]; then
            grep -m3 -E 'ERROR|runtime error|SUMMARY|deadly signal' "$fuzz/log/$label.log" | sed 's/^/    /'
            ls "$fuzz/findings" | grep "^$label-" | tail -"$found" | sed "s|^|    $fuzz/findings/|"
        fi
        total=$((total + found))
    done
done
echo "fuzz: $total findings"
[ "$total" = 0 ]
