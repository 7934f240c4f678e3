#!/bin/sh
# deps.sh - install build and test dependencies, unpack Postfix headers
#
# Usage: tools/deps.sh BUILD_DIR
#
# Installs, on Debian 12 as root, the packages that the build and the tests
# need, then unpacks the Postfix source package of exactly the installed
# postfix version, with Debian's own patch series applied (dpkg-source -x),
# into BUILD_DIR/postfix-src, using a private apt state directory so that
# the system's apt configuration is left alone. That tree provides the
# headers of libpostfix-* and the smtp(8) source that xcrypt-smtp is built
# from, and unpacks exim and OpenSMTPD for the interop tests (below).
# Idempotent: when all is there already it returns at once.
set -eu

build=${1:-build}
mkdir -p "$build"
build=$(cd "$build" && pwd)

pkgs="build-essential pkg-config dpkg-dev postfix libtomcrypt-dev libtommath-dev
 libtdb-dev libsasl2-dev libsasl2-modules tdb-tools swaks tcpdump tshark pflogsumm openssl ca-certificates
 libnet-ssleay-perl libio-socket-ssl-perl libauthen-sasl-perl python3 python3-cryptography
 python3-aiosmtpd libidn12
 clang libclang-rt-14-dev valgrind"
# chattr (tests/soak.sh makes the key cache immutable), ps/pgrep, ss
# (tests find the delivery agent that holds a connection; not in a minimal
# Debian 12), patch (tools/smtp-src.sh applies the hook)
pkgs="$pkgs e2fsprogs procps iproute2 patch"

missing=
for p in $pkgs; do
    st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$st" in
    *" installed") ;;
    *) missing="$missing $p" ;;
    esac
done

if [ -n "$missing" ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "deps: missing packages:$missing (run as root)" >&2
        exit 1
    fi
    echo "deps: installing:$missing"
    export DEBIAN_FRONTEND=noninteractive
    # Postfix must not be configured or started by the package: the tests run
    # their own throwaway instances and the machine's default stays alone.
    echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
    echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends $missing >"$build/apt.log" 2>&1 || {
        tail -30 "$build/apt.log" >&2; exit 1; }
fi

# Mail servers nobody here wrote, for tests/interop_servers.test: exim and
# OpenSMTPD, unpacked (never installed: no service, no /etc/exim4, no
# user, the machine's mail setup stays alone) from their Debian packages
# into BUILD_DIR/interop/root. The test runs them from there.
interop="$build/interop"
ipkgs="exim4-daemon-light opensmtpd"
iwant=$(apt-cache policy $ipkgs 2>/dev/null | awk '/Candidate:/ { printf "%s ", $2 }')
if [ ! -f "$interop/.versions" ] || [ "$(cat "$interop/.versions")" != "$iwant" ]; then
    echo "deps: unpacking $ipkgs into $interop"
    rm -rf "$interop"
    mkdir -p "$interop/debs" "$interop/root"
    fetch() { (cd "$interop/debs" && apt-get -q -o APT::Sandbox::User=root download $ipkgs \
        >>"$build/apt-interop.log" 2>&1); }
    fetch || { apt-get update -qq && fetch; } || {
        tail -20 "$build/apt-interop.log" >&2; exit 1; }
    for d in "$interop"/debs/*.deb; do dpkg -x "$d" "$interop/root"; done
    # The candidate versions again: apt-get update may have moved them.
    apt-cache policy $ipkgs | awk '/Candidate:/ { printf "%s ", $2 }' > "$interop/.versions"
fi

# Postfix source of exactly the installed version, Debian patches applied
# (debian/patches/series is there only when dpkg-source applied them).
ver=$(dpkg-query -W -f='${Version}' postfix)
src="$build/postfix-src"
if [ -f "$src/.version" ] && [ "$(cat "$src/.version")" = "$ver" ] \
    && [ -f "$src/debian/patches/series" ]; then
    exit 0
fi
echo "deps: fetching the postfix $ver source package"
apt="$build/apt-src"
rm -rf "$apt"
mkdir -p "$apt/lists/partial" "$apt/archives/partial" "$apt/dl"
sed -e 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources \
    > "$apt/sources.list.sources"
mkdir -p "$apt/sources.list.d"
cp "$apt/sources.list.sources" "$apt/sources.list.d/debian.sources"
aptopt="-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts=$apt/sources.list.d
 -o Dir::State::Lists=$apt/lists -o Dir::Cache::Archives=$apt/archives
 -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache="
apt-get $aptopt update -qq >"$build/apt-src.log" 2>&1 || {
    tail -20 "$build/apt-src.log" >&2; exit 1; }
(cd "$apt/dl" && apt-get $aptopt source --download-only "postfix=$ver" \
    >>"$build/apt-src.log" 2>&1) || { tail -20 "$build/apt-src.log" >&2; exit 1; }
# apt checked the files against the signed Sources index; dpkg-source
# unpacks the orig tarball and applies debian/patches/series.
dsc=$(ls "$apt/dl"/postfix_*.dsc | head -1)
rm -rf "$src"
(cd "$apt/dl" && dpkg-source --no-check --no-copy -x "$dsc" "$src" \
    >>"$build/apt-src.log" 2>&1) || { tail -20 "$build/apt-src.log" >&2; exit 1; }
[ -f "$src/debian/patches/series" ] || {
    echo "deps: $src has no debian/patches/series" >&2; exit 1; }
echo "$ver" > "$src/.version"
rm -rf "$apt"
echo "deps: postfix $ver source (Debian patches applied) in $src"
