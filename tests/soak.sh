#!/bin/bash
# soak.sh - relay many messages between two instances while faults happen
#
# Usage: BUILD=... TOP=... tests/soak.sh [--messages N] [--direct N]
#	[--sessions N] [--fault-interval S] [--rotate-interval S] [--short]
#
# Run by "make soak" (10,000 messages, 200 sessions) and, shortened (a few
# hundred messages, every fault once), by tests/soak.test.
#
# A sender instance "snd" (xcrypt-smtp as the transports xc1, xc2, xc3,
# one per XCRYPT suite, and the stock smtp client with STARTTLS as "tls")
# relays to a receiver instance "rcv" (xcrypt-smtpd in front of a stock
# smtpd pass service with TLS) through a TCP proxy (tests/tools/soak.py
# proxy) that can drop a session right after the receiver took a
# message. Python clients inject the messages into the sender's stock
# smtpd, and plaintext clients (DATA and BDAT) talk to the front end
# directly. Meanwhile, on both instances, in turn: the key pairs rotate
# (xcrypt-cache -p every few seconds, besides the shortest lifetime,
# 60s), the cache file is deleted, replaced with garbage, truncated in
# place, made unwritable (mode 0400 and immutable); the receiver's pass
# smtpd processes are killed (by pid, only children of this receiver's
# master); clients drop their
# connection mid-DATA and mid-BDAT (in clear and over XCRYPT); the proxy
# drops the server side after the end of data; "postfix reload" runs on
# both sides.
#
# At the end every message is accounted for by the unique token in its
# Message-ID (soak.py account): delivered once, or still queued with a
# reason; a duplicate only where the sender logged "may be sent more than
# once"; aborted transactions never delivered. Prints the table, the
# front end's peak RSS and descriptors, the peak of concurrent sessions,
# and sanitizer findings; each fact is a PASS/FAIL line (lib.sh),
# among them that no xcrypt daemon died of a signal.
set -u
nmsg=10000 ndirect=0 sessions=200 fint=5 rint=3 short=0
while [ $# -gt 0 ]; do
    case $1 in
    --messages) nmsg=$2; shift 2;;
    --direct) ndirect=$2; shift 2;;
    --sessions) sessions=$2; shift 2;;
    --fault-interval) fint=$2; shift 2;;
    --rotate-interval) rint=$2; shift 2;;
    --short) short=1; shift;;
    *) echo "usage: $0 [--messages N] [--direct N] [--sessions N] [--fault-interval S] [--rotate-interval S] [--short]" >&2; exit 2;;
    esac
done
[ "$ndirect" = 0 ] && ndirect=$((nmsg / 5))
. "$TOP/tests/lib.sh"
start=$SECONDS
say() { printf 'soak: %s\n' "$*"; }

# SOAK_XCRYPT_SMTP: another build of the delivery agent to soak.
prog=${SOAK_XCRYPT_SMTP:-$TOP/xcrypt-smtp/xcrypt-smtp}
xsd_prog="$TOP/xcrypt-smtpd/xcrypt-smtpd"
XC="$TOP/xcrypt-cache/xcrypt-cache"
SOAK="python3 $TOP/tests/tools/soak.py"
for p in "$prog" "$xsd_prog" "$XC" "$BUILD/tools/xc_chat"; do
    [ -x "$p" ] || { fail soak_binaries_built "$p missing"; exit 1; }
done
suites="chacha20poly1305_2.0 sober128_1.0 arrsyfor_1.0"

# Sessions: a quarter each for xc1..xc3 and tls minus the direct clients.
direct_threads=$((sessions / 5))
per_transport=$(( (sessions - direct_threads) / 4 ))
inject_threads=$((sessions / 4 + 2))

# ---- Receiver --------------------------------------------------------------
rport=$(free_port); pport=$(free_port); sport=$(free_port)
tls_cert rcv.test
pf_new rcv
pf_set rcv "smtpd_tls_cert_file = $T/tls/cert.pem" \
    "smtpd_tls_key_file = $T/tls/key.pem" "smtpd_tls_security_level = may" \
    "default_process_limit = $((sessions * 2 + 50))" \
    "service_throttle_time = 2s" "xcrypt_key_lifetime = 60s" \
    "virtual_destination_concurrency_limit = 20" \
    "smtpd_client_connection_count_limit = 0" "smtpd_tls_loglevel = 1"
pf_xcrypt_smtpd rcv "$rport"
pf_start rcv || { fail soak_receiver_started "see $T/rcv/log"; exit 1; }
wait_port "$rport"

# ---- Sender ------------------------------------------------------------------
pf_new snd
rel=$(pf_relpath "$prog")
: > "$T/snd/etc/transport"
i=0
for s in $suites; do
    i=$((i + 1))
    pf_master snd "xc$i unix - - n - $per_transport $rel -o xcrypt_smtp_suites=$s"
    echo "/^xc$i-.*@rcv\\.test\$/ xc$i:[127.0.0.1]:$pport" >> "$T/snd/etc/transport"
done
pf_master snd "tls unix - - n - $per_transport smtp -o smtp_tls_security_level=encrypt"
echo "/^tls-.*@rcv\\.test\$/ tls:[127.0.0.1]:$pport" >> "$T/snd/etc/transport"
pf_master snd "smtp unix - - n - - $rel"
pf_smtp_port snd "$sport"
pf_set snd "transport_maps = regexp:$T/snd/etc/transport" \
    "default_process_limit = $((sessions * 2 + 50))" \
    "default_destination_concurrency_limit = $per_transport" \
    "initial_destination_concurrency = $per_transport" \
    "default_destination_concurrency_failed_cohort_limit = 100000" \
    "xcrypt_key_lifetime = 60s" "service_throttle_time = 2s" \
    "smtpd_client_connection_count_limit = 0" \
    "smtp_tls_loglevel = 1"
pf_start snd || { fail soak_sender_started "see $T/snd/log"; exit 1; }
wait_port "$sport"
SLOG=$(pf_log snd); RLOG=$(pf_log rcv)
rmaster=$(tr -dc 0-9 < "$T/rcv/queue/pid/master.pid")

# ---- Proxy and sampler -------------------------------------------------------
# The proxy says when it listens (a port taken meanwhile by someone else
# makes it exit: then another port, and the sender's transport follows).
echo 0 > "$T/dropfile"
for try in 1 2 3; do
    bg_start $SOAK proxy --listen "$pport" --to "$rport" --drop-file "$T/dropfile" \
	> "$T/proxy.log" 2>&1
    proxy_pid=${_pf_pids[-1]}
    for _ in $(seq 1 100); do
	grep -q '^listening' "$T/proxy.log" && break
	kill -0 "$proxy_pid" 2>/dev/null || break
	sleep 0.1
    done
    grep -q '^listening' "$T/proxy.log" && break
    old=$pport; pport=$(free_port)
    sed -i "s/:$old\$/:$pport/" "$T/snd/etc/transport"
    postfix -c "$T/snd/etc" reload >/dev/null 2>&1
done
grep -q '^listening' "$T/proxy.log" || { fail soak_proxy_started "$(cat "$T/proxy.log")"; exit 1; }
bg_start $SOAK sample --master-pid "$rmaster" --port "$rport" --out "$T/sample.json"
sampler=${_pf_pids[-1]}
say "sender 127.0.0.1:$sport -> proxy :$pport -> receiver front end :$rport; $nmsg relayed + $ndirect direct messages, $sessions sessions"

# ---- Faults ------------------------------------------------------------------
flog="$T/faults.log"
: > "$flog"
fault_note() { echo "$((SECONDS - start))s $*" >> "$flog"; }
caches() { echo "$T/rcv/data/xcrypt_cache.tdb $T/snd/data/xcrypt_cache.tdb"; }

f_rotate() {
    local n
    for n in rcv snd; do "$XC" -c "$T/$n/etc" -p >/dev/null 2>&1; done
    fault_note rotate "(xcrypt-cache -p on both)"
}
f_cache_delete() { rm -f $(caches); fault_note cache_delete; }
f_cache_truncate() {	# in place: processes that have it open see it shrink
    local f
    for f in $(caches); do [ -e "$f" ] && : > "$f"; done
    fault_note cache_truncate
}
f_cache_garbage() {
    local f
    for f in $(caches); do
	head -c 8192 /dev/urandom > "$f.new"
	chown postfix:postfix "$f.new"; chmod 600 "$f.new"
	mv -f "$f.new" "$f"
    done
    fault_note cache_garbage
}
# Unwritable even for root (the daemons open the file before they drop
# privileges): the immutable attribute, where the file system has it.
f_cache_unwritable() {
    local f how=mode
    for f in $(caches); do
	[ -e "$f" ] || continue
	chmod 400 "$f"
	chattr +i "$f" 2>/dev/null && how="mode 0400 and immutable"
    done
    fault_note cache_unwritable "($how)"
}
f_cache_writable() {
    local f
    for f in $(caches) "$T"/*/data/*; do
	[ -e "$f" ] || continue
	chattr -i "$f" 2>/dev/null
	[ "${f%.tdb}" != "$f" ] && chmod 600 "$f"
    done
    return 0
}
# Never leave an immutable file behind (rm -rf "$T" would fail).
trap 'touch "$T/stop"; kill ${fault_pid:-} ${rotate_pid:-} 2>/dev/null; wait ${fault_pid:-} ${rotate_pid:-} 2>/dev/null; f_cache_writable; _pf_cleanup' EXIT
f_kill_pass() {
    local pids
    pids=$(ps -o pid=,comm= --ppid "$rmaster" | awk '$2 == "smtpd" {print $1}' | shuf | head -n "$((short ? 100 : 25))")
    [ -n "$pids" ] && kill -9 $pids 2>/dev/null
    fault_note kill_pass "$(echo $pids | wc -w) pids"
}
xc_abort() {	# xc_abort data|bdat SUITE TOKEN
    local body
    if [ "$1" = bdat ]; then
	body="+ BDAT 4000 LAST\\r\\nMessage-ID: <$3@soak.test>\\r\\n\\r\\npartial"
    else
	body="+ Message-ID: <$3@soak.test>\\r\\n\\r\\npartial content"
    fi
    {
	echo "> EHLO abort.test"; echo "< 250"; echo "!xcrypt $2"
	echo "> EHLO abort.test"; echo "< 250"
	echo "> MAIL FROM:<soak@snd.test>"; echo "< 250"
	echo "> RCPT TO:<$3@rcv.test>"; echo "< 250"
	[ "$1" = data ] && { echo "> DATA"; echo "< 354"; }
	echo "$body"; echo "!sleep 0.1"; echo "!close"
    } | timeout 30 "$BUILD/tools/xc_chat" -k "$T/keys" 127.0.0.1 "$rport" > "$T/xc_abort.$3.log" 2>&1
    echo "$3 aborted xcrypt-$1" >> "$T/records.abort"
}
nabort=0
f_drop_mid_data() {
    nabort=$((nabort + 1))
    $SOAK fault --port "$rport" --out "$T/records.abort" --kind data --count 2 --prefix "$nabort-"
    xc_abort data chacha20poly1305_2.0 "ABORT-xdata-$nabort"
    fault_note drop_mid_data "(2 in clear, 1 over XCRYPT)"
}
f_drop_mid_bdat() {
    nabort=$((nabort + 1))
    $SOAK fault --port "$rport" --out "$T/records.abort" --kind bdat --count 2 --prefix "$nabort-"
    xc_abort bdat sober128_1.0 "ABORT-xbdat-$nabort"
    fault_note drop_mid_bdat "(2 in clear, 1 over XCRYPT)"
}
f_drop_after_eod() { echo 2 > "$T/dropfile"; fault_note drop_after_eod "(next 2 sessions)"; }
f_reload() {
    postfix -c "$T/rcv/etc" reload >/dev/null 2>&1
    postfix -c "$T/snd/etc" reload >/dev/null 2>&1
    fault_note reload "(both)"
}
faults="f_cache_delete f_kill_pass f_drop_mid_data f_cache_garbage f_drop_after_eod f_cache_truncate f_reload f_cache_unwritable f_drop_mid_bdat"

fault_loop() {
    local f
    while :; do
	for f in $faults; do
	    [ -e "$T/stop" ] && return 0
	    sleep "$fint"
	    f_cache_writable
	    $f
	done
	touch "$T/faults.done"
	[ "$short" = 1 ] && return 0
    done
}
rotate_loop() {
    while [ ! -e "$T/stop" ]; do sleep "$rint"; f_rotate; done
}
fault_loop & fault_pid=$!; _pf_pids+=("$fault_pid")
rotate_loop & rotate_pid=$!; _pf_pids+=("$rotate_pid")

# ---- Load ----------------------------------------------------------------------
# The messages are spread over at least one round of faults (a long run
# takes longer anyway: the faults go round until the sender's queue is
# empty).
pace=$(( $(echo $faults | wc -w) * fint + fint ))
: > "$T/records.snd"; : > "$T/records.direct"; : > "$T/records.abort"
$SOAK inject --port "$sport" --count "$nmsg" --threads "$inject_threads" \
    --out "$T/records.snd" --classes xc1,xc2,xc3,tls --duration "$pace" > "$T/inject.snd.log" 2>&1 &
inj1=$!; _pf_pids+=("$inj1")
$SOAK inject --port "$rport" --count "$ndirect" --threads "$direct_threads" \
    --out "$T/records.direct" --classes plain --bdat-every 2 --duration "$pace" \
    > "$T/inject.direct.log" 2>&1 &
inj2=$!; _pf_pids+=("$inj2")
wait "$inj1" "$inj2"
say "injected after $((SECONDS - start))s: $(grep -c ' sent ' "$T/records.snd") via the sender, $(grep -c ' sent ' "$T/records.direct") direct"

# Every fault at least once (a short run: exactly once) before the faults
# stop; in a long run they go on until the sender's queue is empty (or
# for at most 5 minutes more).
for _ in $(seq 1 $((fint * 12 + 30))); do
    [ -e "$T/faults.done" ] && break; sleep 1
done
if [ "$short" = 0 ]; then
    for _ in $(seq 1 300); do
	[ "$(pf_queue_count snd)" = 0 ] && break; sleep 1
    done
fi
touch "$T/stop"
wait "$fault_pid" "$rotate_pid" 2>/dev/null
f_cache_writable

# ---- Drain -------------------------------------------------------------------
drain=$([ "$short" = 1 ] && echo 60 || echo 300)
t0=$SECONDS
while [ $((SECONDS - t0)) -lt "$drain" ]; do
    [ "$(pf_queue_count snd)" = 0 ] && [ "$(pf_queue_count rcv)" = 0 ] && break
    [ $(( (SECONDS - t0) % 10 )) = 0 ] && { pf_flush snd; pf_flush rcv; }
    sleep 1
done
postqueue -c "$T/snd/etc" -j > "$T/snd.queue.json" 2>/dev/null
postqueue -c "$T/rcv/etc" -j > "$T/rcv.queue.json" 2>/dev/null
drained=$((SECONDS - start))
say "drained after $((SECONDS - start))s: $(pf_queue_count snd) queued at the sender, $(pf_queue_count rcv) at the receiver"
kill "$sampler" 2>/dev/null
for _ in $(seq 1 50); do kill -0 "$sampler" 2>/dev/null || break; sleep 0.1; done

# ---- Account -------------------------------------------------------------------
echo
$SOAK account --maildir "$T/rcv/mail/box" \
    --records "$T/records.snd" "$T/records.direct" "$T/records.abort" \
    --snd-log "$SLOG" --snd-queue "$T/snd.queue.json" \
    --rcv-queue "$T/rcv.queue.json" --out "$T/account.txt"
acc=$?
get() { sed -n "s/^$1  *\([0-9]*\)\$/\1/p" "$T/account.txt" | head -1; }
sent=$(get "messages sent (2xx to end of data)")
jget() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get(sys.argv[2], 0))' "$T/sample.json" "$1" 2>/dev/null || echo 0; }
nsess() { grep -c "$1" "$RLOG"; }
san_files=$(find "$T" ${XCRYPT_SANITIZER_DIR:+"$XCRYPT_SANITIZER_DIR"} -type f \( -name '*asan*' -o -name '*ubsan*' -o -name '*sanitizer*' \) 2>/dev/null)
san_lines=$(cat "$SLOG" "$RLOG" $san_files 2>/dev/null | grep -cE 'AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:')
if nm "$xsd_prog" 2>/dev/null | grep -q __asan_init; then sanbuild="SANITIZE=1 build"; else sanbuild="not a sanitizer build"; fi
{
    printf '%-56s %7s\n' "suite sessions at the front end: chacha20poly1305_2.0" "$(nsess 'suite=chacha20poly1305_2.0')"
    printf '%-56s %7s\n' "  sober128_1.0" "$(nsess 'suite=sober128_1.0')"
    printf '%-56s %7s\n' "  arrsyfor_1.0" "$(nsess 'suite=arrsyfor_1.0')"
    printf '%-56s %7s\n' "STARTTLS sessions (receiver's smtpd)" "$(nsess 'TLS connection established from')"
    printf '%-56s %7s\n' "peak concurrent sessions at the front end port" "$(jget sessions)"
    printf '%-56s %7s\n' "front end RSS when first seen (kB, baseline)" "$(jget first_rss_kb)"
    printf '%-56s %7s\n' "front end peak RSS (kB, VmHWM)" "$(jget hwm_kb)"
    printf '%-56s %7s\n' "front end descriptors when first seen (baseline)" "$(jget first_fds)"
    printf '%-56s %7s\n' "front end peak open descriptors (one process)" "$(jget fds)"
    printf '%-56s %7s\n' "front end processes seen / at once" "$(jget pids) / $(jget procs)"
    printf '%-56s %7s\n' "sanitizer findings ($sanbuild)" "$san_lines"
    printf '%-56s %7s\n' "faults: rotations (xcrypt-cache -p, both sides)" "$(grep -c ' rotate ' "$flog")"
    for f in cache_delete cache_garbage cache_truncate cache_unwritable kill_pass drop_mid_data drop_mid_bdat drop_after_eod reload; do
	printf '%-56s %7s\n' "faults: $f" "$(grep -c " $f" "$flog")"
    done
    printf '%-56s %7s\n' "server side dropped after end of data (proxy)" "$(grep -c '^drop session' "$T/proxy.log")"
    printf '%-56s %7s\n' "pass smtpd processes killed" "$(awk '$2 == "kill_pass" {n += $3} END {print n + 0}' "$flog")"
    printf '%-56s %7s\n' "seconds" "$((SECONDS - start))"
    printf '%-56s %7s\n' "messages per second (sent / seconds to drained)" "$(( ${sent:-0} / (drained > 0 ? drained : 1) ))"
} | tee "$T/table2.txt"

# ---- Facts ---------------------------------------------------------------------
check soak_messages_sent test "${sent:-0}" -ge $(( (nmsg + ndirect) * 9 / 10 ))
check soak_lost_zero test "$(get lost)" = 0
check soak_aborted_never_delivered test "$(get '  of those delivered (must be 0)')" = 0
check soak_duplicates_only_where_logged test "$(get 'delivered twice or more')" = "$(get '  of those with "may be sent more than once"')"
check soak_nothing_delivered_unsent test "$(get 'delivered but never sent')" = 0
check soak_accounting_clean test "$acc" = 0
for s in $suites; do
    check "soak_sessions_${s%%_*}" test "$(nsess "suite=$s")" -gt 0
done
check soak_sessions_starttls test "$(nsess 'TLS connection established from')" -gt 0
check soak_sessions_plain_direct test "$(grep -c ' sent ' "$T/records.direct")" -gt 0
for f in rotate cache_delete cache_garbage cache_truncate cache_unwritable kill_pass drop_mid_data drop_mid_bdat drop_after_eod reload; do
    check "soak_fault_$f" grep -q " $f" "$flog"
done
# The soak kills smtpd processes only: a daemon of ours that died of a
# signal died of a fault (SIGBUS from a cache file that changed under its
# mapping, ...).
check soak_no_xcrypt_daemon_killed_by_signal \
    bash -c "! grep -hE 'master\\[[0-9]+\\]: warning: process [^ ]*/xcrypt-smtpd?/xcrypt-smtpd? pid [0-9]+ killed by signal' '$RLOG' '$SLOG'"
check soak_proxy_dropped_after_end_of_data grep -q '^drop session' "$T/proxy.log"
check soak_proxy_ran_to_the_end kill -0 "$proxy_pid"
check soak_front_end_no_fatal_or_panic \
    bash -c "! grep -E 'xcrypt-smtpd\\[[0-9]+\\]: (fatal|panic):' '$RLOG'"
check soak_front_end_sampled test "$(jget samples)" -gt 0 -a "$(jget pids)" -gt 0
check soak_no_sanitizer_findings test "$san_lines" = 0
# The XCRYPT sessions of the fault clients dumped their keys and Z.
check soak_logs_hold_no_session_key no_key_material "$RLOG" "$SLOG" "$T/keys"
if grep -q PROBLEM "$T/account.txt"; then grep PROBLEM "$T/account.txt" | head -20; fi
exit 0
