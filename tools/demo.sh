#!/bin/bash
# demo.sh - two throwaway Postfix instances exchange XCRYPT mail
#
# Usage: tools/demo.sh BUILD_DIR [--keep DIR] [--messages N]
#
# Run by "make demo" (as root, after the build). Starts two Postfix
# instances on 127.0.0.1 high ports, each with its own configuration,
# queue, data and log directories under a temporary directory, both
# configured with the entries of master.cf.sample:
#
#   snd  sender:   xcrypt-smtp is its "smtp" transport; relayhost is rcv
#   rcv  receiver: xcrypt-smtpd on its SMTP port in front of the stock
#                  "smtpd pass" service; delivers rcv.test to a Maildir
#
# sends N messages (default 3), one after the other, from
# alice@snd.test to bob@rcv.test, captures the receiver's port on lo with
# tcpdump, and shows, for each fact, "[ok] key: ..." or "[FAILED] key: ...":
# the delivered messages and their trace header, the XCRYPT log lines
# with the same session fingerprint on both sides, the key cache hit from
# the second message on, that no envelope address crossed the wire after
# 250 XCRYPT OK, that the sender logged every message sent and none
# deferred, and that both instances stopped. Exit status 0 only if every
# fact held.
#
# --keep DIR copies the two instances' logs (sender.maillog,
# receiver.maillog), the capture (capture.pcap), the Maildir (Maildir/)
# and the number of messages sent (sent) into DIR.
#
# Nothing here touches /etc/postfix or the machine's own Postfix; the
# instances are stopped by their master's pid.
set -u

usage() { echo "usage: $0 BUILD_DIR [--keep DIR] [--messages N]" >&2; exit 2; }
[ $# -ge 1 ] || usage
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "$1" 2>/dev/null && pwd) || { echo "demo: no build directory $1" >&2; exit 2; }
shift
keep= nmsg=3
while [ $# -gt 0 ]; do
    case $1 in
    --keep) [ $# -ge 2 ] || usage; keep=$2; shift 2;;
    --messages) [ $# -ge 2 ] || usage; nmsg=$2; shift 2;;
    *) usage;;
    esac
done
export BUILD TOP

say() { printf '%s\n' "$*"; }
indent() { sed 's/^/    /'; }
[ "$(id -u)" = 0 ] || { say "demo: must run as root (Postfix instances)"; exit 2; }
for p in "$TOP/xcrypt-smtpd/xcrypt-smtpd" "$TOP/xcrypt-smtp/xcrypt-smtp"; do
    [ -x "$p" ] || { say "demo: $p is not built"; exit 2; }
done
for c in postfix postconf sendmail tcpdump python3; do
    command -v "$c" >/dev/null || { say "demo: $c is not installed (make deps)"; exit 2; }
done

. "$TOP/tests/lib.sh"

nok=0 nfail=0
fact() {
    local key=$1 text=$2; shift 2
    if "$@"; then
	say "  [ok] $key: $text"; nok=$((nok + 1))
    else
	say "  [FAILED] $key: $text"; nfail=$((nfail + 1))
    fi
}
etc_sum() { find /etc/postfix -type f -exec md5sum {} + 2>/dev/null | sort | md5sum; }
etc_before=$(etc_sum)

# ---- The two instances ----------------------------------------------------
rport=$(free_port)
sport=$(free_port)
while [ "$sport" = "$rport" ]; do sport=$(free_port); done
progs=("$TOP/xcrypt-smtpd/xcrypt-smtpd" "$TOP/xcrypt-smtp/xcrypt-smtp")

pf_new rcv
pf_new snd
python3 "$TOP/tools/master-sample.py" "$TOP/master.cf.sample" "$T/rcv/etc" \
    --port "$rport" --chroot n "${progs[@]}" || exit 1
python3 "$TOP/tools/master-sample.py" "$TOP/master.cf.sample" "$T/snd/etc" \
    --port "$sport" --chroot n "${progs[@]}" || exit 1
pf_set snd "relayhost = [127.0.0.1]:$rport"

say "XCRYPT demo: sender snd (127.0.0.1:$sport) relays to receiver rcv (127.0.0.1:$rport)"
say "  instances under $T; master.cf entries from master.cf.sample:"
postconf -c "$T/rcv/etc" -M | grep -E 'xcrypt|pass ' | sed 's/^/    rcv: /'
postconf -c "$T/snd/etc" -M smtp/unix relay/unix | sed 's/^/    snd: /'

pf_start rcv || exit 1
pf_start snd || exit 1
wait_port "$rport" || { say "demo: receiver port $rport does not answer"; exit 1; }
sleep 1				# the probe connection is over

# Capture the receiver's port on lo from here on. UDP datagrams to an
# unused port, inside the filter, tell when the capture is running.
cport=$(free_port)
tcpdump -i lo -n -U --immediate-mode -s 0 -Z root -w "$T/capture.pcap" \
    "tcp port $rport or udp port $cport" 2>"$T/tcpdump.err" &
tcpdump_pid=$!
_pf_pids+=("$tcpdump_pid")
capturing=no
for i in $(seq 1 100); do
    echo canary 2>/dev/null > "/dev/udp/127.0.0.1/$cport"
    if [ "$(stat -c %s "$T/capture.pcap" 2>/dev/null || echo 0)" -gt 24 ]; then
	capturing=yes; break
    fi
    sleep 0.1
done
[ "$capturing" = yes ] || { say "demo: tcpdump does not capture:"; cat "$T/tcpdump.err"; }

# ---- Send, one message at a time ------------------------------------------
# One at a time, so that the second session finds the first one's shared
# secret in the key cache on both sides.
say
say "Sending $nmsg messages from alice@snd.test to bob@rcv.test:"
for i in $(seq 1 "$nmsg"); do
    printf 'From: Alice <alice@snd.test>\nTo: Bob <bob@rcv.test>\nSubject: XCRYPT demo message %d\n\nThis is demo message %d, sent over XCRYPT.\n' "$i" "$i" |
	sendmail -C "$T/snd/etc" -f alice@snd.test bob@rcv.test
    if pf_wait_maildir rcv "$i" 30; then
	say "  message $i delivered"
    else
	say "  message $i NOT delivered within 30s"
	pf_flush snd
    fi
done
pf_wait_queue_empty snd 10
sleep 0.5				# last log lines, last packets
kill -INT "$tcpdump_pid" 2>/dev/null
wait "$tcpdump_pid" 2>/dev/null

slog=$(pf_log snd) rlog=$(pf_log rcv)

# ---- The delivered messages ------------------------------------------------
say
say "Delivered to the receiver's Maildir:"
msgs=()
while IFS= read -r f; do msgs+=("$f"); done < <(ls -tr "$T/rcv/mail/box/new" 2>/dev/null | sed "s#^#$T/rcv/mail/box/new/#")
ndel=${#msgs[@]}
if [ "$ndel" -gt 0 ]; then
    say "  first message, as delivered:"
    indent < "${msgs[0]}"
fi
fact delivered "$ndel of $nmsg messages in the receiver's Maildir" test "$ndel" = "$nmsg"

# The trace header: a header line (before the first empty line) that
# names XCRYPT and a suite.
trace_ok=0
for f in "${msgs[@]}"; do
    sed '/^$/q' "$f" | tr -d '\r' | awk '/^[^ \t]/{if(h)print h; h=$0; next}{sub(/^[ \t]+/, ""); h=h" "$0}END{if(h)print h}' |
	grep -iv '^subject:' | grep -i xcrypt | grep -Eq '(chacha20poly1305_2\.[01]|sober128_1\.0|arrsyfor_1\.0)' &&
	trace_ok=$((trace_ok + 1))
done
trace_line=$( [ "$ndel" -gt 0 ] && sed '/^$/q' "${msgs[0]}" | tr -d '\r' |
    awk '/^[^ \t]/{if(h)print h; h=$0; next}{sub(/^[ \t]+/, ""); h=h" "$0}END{if(h)print h}' |
    grep -iv '^subject:' | grep -i xcrypt | head -1)
fact trace_header "$trace_ok of $ndel delivered messages carry a trace header naming the XCRYPT suite${trace_line:+: $trace_line}" \
    test "$trace_ok" = "$nmsg"

# ---- The log lines -----------------------------------------------------------
say
say "XCRYPT log lines, sender (xcrypt-smtp):"
grep 'XCRYPT session to ' "$slog" | indent
say "XCRYPT log lines, receiver (xcrypt-smtpd):"
grep 'XCRYPT session from ' "$rlog" | indent
# "fingerprint cache" per session, in log order.
sfp=$(sed -n "s/.*: XCRYPT session to [^ ]*\[127\.0\.0\.1\]:$rport: suite=[^ ]* group=[^ ]* cache=\([a-z]*\) fingerprint=\([0-9a-fA-F]*\).*/\2 \1/p" "$slog")
rfp=$(sed -n 's/.*: XCRYPT session from \[127\.0\.0\.1\]:[0-9]*: suite=[^ ]* group=[^ ]* cache=\([a-z]*\) fingerprint=\([0-9a-fA-F]*\).*/\2 \1/p' "$rlog")
ns=$(printf '%s' "$sfp" | grep -c .) nr=$(printf '%s' "$rfp" | grep -c .)
sset=$(printf '%s\n' "$sfp" | awk 'NF{print tolower($1)}' | sort)
rset=$(printf '%s\n' "$rfp" | awk 'NF{print tolower($1)}' | sort)
ndistinct=$(printf '%s\n' "$sset" | grep . | sort -u | wc -l)
say "Sessions, in log order:"
paste -d' ' <(printf '%s\n' "$sfp") <(printf '%s\n' "$rfp") | awk 'NF{
    fp = ($1 == $3) ? "fingerprint " $1 " on both sides" : "fingerprint " $1 " (sender) but " $3 " (receiver)"
    printf "    %d. %s; cache: sender %s, receiver %s\n", NR, fp, $2, $4 }'
fact log_lines "$ns sender and $nr receiver XCRYPT session lines for $nmsg messages" \
    test "$ns" = "$nmsg" -a "$nr" = "$nmsg"
fact same_fingerprint "both sides log the same $ndistinct distinct session fingerprints" \
    test -n "$sset" -a "$sset" = "$rset" -a "$ndistinct" = "$nmsg"
s2=$(printf '%s\n' "$sfp" | sed -n 2p) r2=$(printf '%s\n' "$rfp" | sed -n 2p)
fact cache_hit "second session: sender cache=${s2#* }, receiver cache=${r2#* }" \
    test "${s2#* }" = hit -a "${r2#* }" = hit

say
say "Sender's delivery log lines:"
grep -E 'status=(sent|deferred|bounced)' "$slog" | indent
nsent=$(grep -c 'to=<bob@rcv.test>.*status=sent' "$slog")
ndef=$(grep -Ec 'status=(deferred|bounced)' "$slog")
fact sender_log "sender logged $nsent messages sent, $ndef deferred or bounced" \
    test "$nsent" = "$nmsg" -a "$ndef" = 0

# ---- The wire ----------------------------------------------------------------
say
cap=$(python3 "$TOP/tools/pcap-xcrypt.py" "$T/capture.pcap" "$rport" \
    alice@snd.test bob@rcv.test "MAIL FROM" "Subject: XCRYPT demo" 2>&1)
jget() { python3 -c 'import json,sys; d=json.loads(sys.argv[1]); v=d
for k in sys.argv[2:]: v=v[k]
print(v)' "$cap" "$@" 2>/dev/null; }
sessions=$(jget sessions) switched=$(jget switched) adv=$(jget advertised)
after=$(jget octets_after) before=$(jget octets_before)
a_after=$(jget after alice@snd.test) b_after=$(jget after bob@rcv.test)
m_after=$(jget after "MAIL FROM") a_total=$(jget total alice@snd.test)
b_total=$(jget total bob@rcv.test)
say "Packet capture of 127.0.0.1:$rport on lo ($T/capture.pcap):"
say "  $sessions connections, $adv offered XCRYPT in plaintext EHLO, $switched switched to XCRYPT;"
say "  $before octets before and $after octets after 250 XCRYPT OK"
fact wire "${a_after:-?} occurrences of <alice@snd.test> and ${b_after:-?} of <bob@rcv.test> in ${after:-?} captured octets after 250 XCRYPT OK (${a_total:-?}/${b_total:-?} in the whole capture)" \
    test -n "$after" -a "${after:-0}" -gt 0 -a "$a_after" = 0 -a "$b_after" = 0 \
	-a "$m_after" = 0 -a "$a_total" = 0 -a "$b_total" = 0
fact wire_sessions "every captured connection ($sessions) advertised XCRYPT and switched" \
    test -n "$sessions" -a "$sessions" = "$nmsg" -a "$switched" = "$sessions" -a "$adv" = "$sessions"

# ---- Keep, stop, summary -----------------------------------------------------
if [ -n "$keep" ]; then
    mkdir -p "$keep"
    cp "$slog" "$keep/sender.maillog"
    cp "$rlog" "$keep/receiver.maillog"
    cp "$T/capture.pcap" "$keep/capture.pcap" 2>/dev/null
    rm -rf "$keep/Maildir"; cp -r "$T/rcv/mail/box" "$keep/Maildir" 2>/dev/null
    echo "$nmsg" > "$keep/sent"
fi

say
rpid=$(tr -dc 0-9 < "$T/rcv/queue/pid/master.pid" 2>/dev/null)
spid=$(tr -dc 0-9 < "$T/snd/queue/pid/master.pid" 2>/dev/null)
pf_stop snd
pf_stop rcv
_pf_instances=()			# stopped: nothing left for the exit trap
gone() { local p; for p in "$@"; do [ -n "$p" ] && ! kill -0 "$p" 2>/dev/null || return 1; done; }
fact stopped "both instances stopped (master pids $spid, $rpid)" gone "$spid" "$rpid"
fact default_postfix_untouched "/etc/postfix unchanged" test "$(etc_sum)" = "$etc_before"
[ -n "$keep" ] && cp "$slog" "$keep/sender.maillog" && cp "$rlog" "$keep/receiver.maillog"

say
if [ "$nfail" = 0 ]; then
    say "XCRYPT demo: all $nok facts held."
    exit 0
fi
say "XCRYPT demo: $nfail of $((nok + nfail)) facts FAILED (logs: $slog, $rlog; set KEEP=1 to keep $T)."
exit 1
