# lib.sh - shell helpers for the integration tests (sourced, not run)
#
# Throwaway Postfix instances on 127.0.0.1 high ports, each with its own
# config, queue, data and log directories under $T (a per-test temporary
# directory). Nothing here touches /etc/postfix or any process that the
# test did not start.
#
#	pass NAME / fail NAME DETAIL / check NAME CMD...	report a result
#	skip NAME WHY			a check that could not run (never PASS)
#	wait_line FILE ERE [SECS]	until a line matches (bounded poll)
#	wait_count FILE ERE N [SECS]	until N lines match
#	count_lines FILE ERE		how many lines match now
#	wait_session_end LOG TRANSCRIPT	until smtpd logged that session's end
#	session_port TRANSCRIPT		the client port a transcript shows
#	wait_sessions_end LOG TRANSCRIPT...	all of them
#	cap_start PORT FILE / cap_stop	tcpdump of loopback traffic to PORT
#	no_key_material FILE... KEYFILE	no session key (xc_chat -k) in FILEs
#	pf_new NAME			create instance $T/NAME (config only)
#	pf_set NAME param=value...	set main.cf parameters
#	pf_master NAME LINE		append a master.cf line
#	pf_smtp_port NAME PORT [ARGS]	stock smtpd on 127.0.0.1:PORT
#	pf_start NAME / pf_stop NAME	postfix -c DIR start|stop
#	pf_wait_queue_empty NAME [SECS]	until the queue is empty
#	pf_maildir_count NAME		messages delivered to $T/NAME/mail
#	pf_log NAME			the instance's maillog file
#	free_port			an unused 127.0.0.1 TCP port
#
# Delivery in an instance: every address in domain NAME.test lands in one
# Maildir, $T/NAME/mail/box/new/. Mail for other domains goes out through
# the "smtp" transport (relayhost, transport_maps set by the test).

set -u
: "${BUILD:?BUILD not set}" "${TOP:?TOP not set}"
T=$(mktemp -d /tmp/xcrypt-test.XXXXXX)
chmod 755 "$T"
_pf_instances=()
_pf_pids=()

# The sanitizer build (make check SANITIZE=1 sets XC_SANITIZE): ASan and
# UBSan write their reports to files under $T/san instead of stderr, for
# every program of the test: the ones it runs itself (the environment)
# and the daemons under master, which discards stderr and passes on only
# import_environment (pf_new and pf_set add the two settings there). Any
# report file fails the test at exit (_pf_cleanup). Leaks are valgrind's
# job (tests/valgrind.test): Postfix daemons free little at exit.
if [ -n "${XC_SANITIZE:-}" ]; then
    mkdir -p "$T/san"
    chmod 1777 "$T/san"
    export ASAN_OPTIONS="detect_leaks=0:halt_on_error=1:verify_asan_link_order=0:log_path=$T/san/asan"
    export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$T/san/ubsan"
fi

# _pf_san_env - import_environment entries that carry the two settings
_pf_san_env() {
    [ -n "${XC_SANITIZE:-}" ] || return 0
    printf ' ASAN_OPTIONS=%s UBSAN_OPTIONS=%s' "$ASAN_OPTIONS" "$UBSAN_OPTIONS"
}

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: ${2:-}"; }
skip() { echo "SKIP $1: ${2:-}"; }
check() {
    local name=$1; shift
    if "$@"; then pass "$name"; else fail "$name" "$*"; fi
}

# Bounded polls for the line that proves an event (a session's
# "disconnect from", a reload), before any negative check.
count_lines() { local n; n=$(grep -Ec -- "$2" "$1" 2>/dev/null); echo "${n:-0}"; }
wait_count() {
    local file=$1 re=$2 want=$3 secs=${4:-30} i
    for i in $(seq 1 $((secs * 10))); do
	[ "$(count_lines "$file" "$re")" -ge "$want" ] && return 0
	sleep 0.1
    done
    return 1
}
wait_line() { wait_count "$1" "$2" 1 "${3:-30}"; }

# Where master finds our programs: a path relative to daemon_directory.
pf_relpath() {
    local dd
    dd=$(postconf -h daemon_directory 2>/dev/null) || dd=$(postconf -d -h daemon_directory)
    python3 -c 'import os,sys; print(os.path.relpath(sys.argv[1], sys.argv[2]))' "$1" "$dd"
}

free_port() {
    python3 - <<'EOF'
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
EOF
}

pf_dir() { echo "$T/$1"; }
pf_log() { echo "$T/$1/log/maillog"; }

pf_new() {
    local n=$1 d="$T/$1"
    mkdir -p "$d/etc" "$d/queue" "$d/data" "$d/log" "$d/mail"
    chown postfix:postfix "$d/data" "$d/mail"
    touch "$d/log/maillog"
    cat > "$d/etc/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $d/queue
data_directory = $d/data
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = $n.test
mydomain = test
myorigin = \$myhostname
mydestination =
mynetworks = 127.0.0.0/8
relay_domains =
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
maillog_file = $d/log/maillog
maillog_file_prefixes = $d
smtpd_banner = \$myhostname ESMTP
virtual_mailbox_domains = $n.test
virtual_mailbox_base = $d/mail
virtual_mailbox_maps = static:box/
virtual_uid_maps = static:$(id -u postfix)
virtual_gid_maps = static:$(id -g postfix)
message_size_limit = 20480000
smtp_host_lookup = native
disable_dns_lookups = yes
smtp_dns_support_level = disabled
default_destination_concurrency_limit = 5
queue_run_delay = 2s
minimal_backoff_time = 2s
maximal_backoff_time = 4s
delay_warning_time = 0
biff = no
smtputf8_enable = yes
append_dot_mydomain = no
alias_maps =
alias_database =
local_recipient_maps =
smtpd_client_connection_rate_limit = 0
anvil_rate_time_unit = 60s
EOF
    if [ -n "${XC_SANITIZE:-}" ]; then
        echo "import_environment = $(postconf -d -h import_environment)$(_pf_san_env)" \
            >> "$d/etc/main.cf"
    fi
    cat > "$d/etc/master.cf" <<'EOF'
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
    _pf_instances+=("$n")
}

pf_set() {
    local n=$1 a; shift
    local args=()
    for a in "$@"; do
        case "$a" in
        import_environment*=*) a="$a$(_pf_san_env)" ;;
        esac
        args+=("$a")
    done
    postconf -c "$T/$n/etc" -e "${args[@]}"
}

pf_master() {
    printf '%s\n' "$2" >> "$T/$1/etc/master.cf"
}

# A stock smtpd on the given port; ARGS are extra -o options.
pf_smtp_port() {
    local n=$1 port=$2; shift 2
    pf_master "$n" "127.0.0.1:$port inet n - n - - smtpd $*"
}

# The stock smtp client as the "smtp" transport.
pf_smtp_client() {
    local n=$1; shift
    pf_master "$n" "smtp unix - - n - - smtp $*"
}

pf_start() {
    local n=$1 d="$T/$1"
    postfix -c "$d/etc" check >>"$d/log/setup.log" 2>&1
    postfix -c "$d/etc" start >>"$d/log/setup.log" 2>&1 || {
        echo "pf_start $n failed:"; cat "$d/log/setup.log"; return 1; }
    local i
    for i in $(seq 1 50); do
        [ -s "$d/queue/pid/master.pid" ] && break
        sleep 0.1
    done
    # master's own pid, for a kill by pid if stop fails.
    _pf_pids+=("$(tr -dc 0-9 < "$d/queue/pid/master.pid")")
    # master logs this once its services listen.
    wait_line "$d/log/maillog" 'postfix/master\[[0-9]+\]: daemon started' 10
}

# Reload, and wait until master has logged it.
pf_reload() {
    local log="$T/$1/log/maillog" n
    n=$(count_lines "$log" 'postfix/master\[[0-9]+\]: reload ')
    postfix -c "$T/$1/etc" reload >/dev/null 2>&1
    wait_count "$log" 'postfix/master\[[0-9]+\]: reload ' $((n + 1)) 10
}

pf_stop() {
    local n=$1 d="$T/$1" pid
    [ -s "$d/queue/pid/master.pid" ] || return 0
    pid=$(tr -dc 0-9 < "$d/queue/pid/master.pid")
    postfix -c "$d/etc" stop >/dev/null 2>&1
    for i in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null
    return 0
}

pf_queue_count() {
    find "$T/$1/queue/incoming" "$T/$1/queue/active" "$T/$1/queue/deferred" \
        "$T/$1/queue/maildrop" "$T/$1/queue/hold" -type f 2>/dev/null | wc -l
}

pf_flush() { postqueue -c "$T/$1/etc" -f >/dev/null 2>&1; }

pf_wait_queue_empty() {
    local n=$1 secs=${2:-30} i
    for i in $(seq 1 $((secs * 5))); do
        [ "$(pf_queue_count "$n")" = 0 ] && return 0
        sleep 0.2
    done
    return 1
}

pf_maildir_count() {
    find "$T/$1/mail/box/new" -type f 2>/dev/null | wc -l
}

# Wait until N messages are in the instance's Maildir.
pf_wait_maildir() {
    local n=$1 want=$2 secs=${3:-30} i
    for i in $(seq 1 $((secs * 5))); do
        [ "$(pf_maildir_count "$n")" -ge "$want" ] && return 0
        sleep 0.2
    done
    return 1
}

# Wait for a port to accept connections.
wait_port() {
    local port=$1 i
    for i in $(seq 1 50); do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

# Background helpers started by a test: remember the pid, killed at exit.
bg_start() {
    "$@" &
    _pf_pids+=("$!")
}

# A self-signed certificate for STARTTLS tests: $T/tls/{cert,key}.pem
tls_cert() {
    [ -f "$T/tls/cert.pem" ] && return 0
    mkdir -p "$T/tls"
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$1" \
        -keyout "$T/tls/key.pem" -out "$T/tls/cert.pem" >/dev/null 2>&1
    chmod 644 "$T/tls/cert.pem" "$T/tls/key.pem"
}

# wait_session_end LOG TRANSCRIPT: until the smtpd behind the front end
# has logged the end ("disconnect from ...:PORT") of the session whose
# transcript (xc_chat's "local port PORT", xcrypt_peer.py's too) is given:
# its log lines before that one are all written, so a negative check of
# them can begin.
session_port() { sed -n 's/^local port \([0-9]*\)$/\1/p' "$1" | head -1; }
wait_session_end() {
    local port
    port=$(session_port "$2")
    [ -n "$port" ] || { echo "wait_session_end: no local port in $2"; return 1; }
    wait_line "$1" "smtpd\[[0-9]+\]: disconnect from [^ ]*\[127\.0\.0\.1\]:$port( |\$)" 30
}

# wait_sessions_end LOG TRANSCRIPT...: wait_session_end for each
wait_sessions_end() {
    local log=$1 t rc=0
    shift
    for t in "$@"; do wait_session_end "$log" "$t" || rc=1; done
    return $rc
}

# A capture of loopback traffic to PORT into FILE (tcpdump), running
# when cap_start returns; cap_stop ends it (by pid) and flushes the file.
cap_start() {
    local port=$1 file=$2
    tcpdump -i lo -n -U --immediate-mode -s 0 -Z root -w "$file" "tcp port $port" >"$file.log" 2>&1 &
    _cap_pid=$!
    _pf_pids+=("$_cap_pid")
    wait_line "$file.log" 'listening on' 10
}
cap_stop() {
    kill -INT "$_cap_pid" 2>/dev/null
    wait "$_cap_pid" 2>/dev/null
    return 0
}

# no_key_material FILE... KEYFILE: KEYFILE ("key HEX" lines, from
# xc_chat -k) holds at least one key, and none of the files holds any of
# them in hex (either case) or base64.
no_key_material() {
    python3 - "$@" <<'EOF'
import base64, sys
files, keyfile = sys.argv[1:-1], sys.argv[-1]
keys = [ln.split()[1] for ln in open(keyfile) if ln.startswith("key ")]
if not keys:
    print("no key material in %s" % keyfile)
    sys.exit(1)
pats = set()
for k in keys:
    raw = bytes.fromhex(k)
    pats |= {k.lower().encode(), k.upper().encode(), base64.b64encode(raw).rstrip(b"=")}
for f in files:
    data = open(f, "rb").read()
    for p in pats:
        if p in data:
            print("key material %s in %s" % (p.decode(), f))
            sys.exit(1)
EOF
}

_pf_cleanup() {
    local rc=$? n p f
    for n in "${_pf_instances[@]}"; do pf_stop "$n"; done
    for p in "${_pf_pids[@]}"; do kill "$p" 2>/dev/null; done
    if [ -n "${XC_SANITIZE:-}" ]; then
        for f in "$T/san/"*; do
            [ -f "$f" ] || continue
            fail "sanitizer_report_$(basename "$f")" \
                "$(grep -m1 -E 'ERROR|runtime error' "$f")"
            sed 's/^/    /' "$f" | head -40
            rc=1
        done
    fi
    if [ -z "${KEEP:-}" ]; then rm -rf "$T"; else echo "kept $T" >&2; fi
    exit $rc
}
trap _pf_cleanup EXIT

# xcrypt-smtpd on 127.0.0.1:PORT in front of a stock smtpd "pass" service
# named smtpd; ARGS are extra -o options for the front end. The pass
# service gets $XSD_PASS_ARGS (e.g. TLS settings).
pf_xcrypt_smtpd() {
    local n=$1 port=$2; shift 2
    pf_master "$n" "127.0.0.1:$port inet n - n - - $(pf_relpath "$TOP/xcrypt-smtpd/xcrypt-smtpd") $*"
    pf_master "$n" "smtpd pass - - n - - smtpd -o smtpd_client_port_logging=yes ${XSD_PASS_ARGS:-}"
}
