#!/bin/sh
# deps.sh - install build and test dependencies, unpack Postfix headers
#
# Usage: tools/deps.sh BUILD_DIR
#
# Installs, on Debian 12 as root, the packages that the build and the tests
# need, then unpacks the Postfix source of exactly the installed postfix
# version into BUILD_DIR/postfix-src, using a private apt state directory so
# that the system's apt configuration is left alone. Idempotent: when all is
# there already it returns at once.
set -eu

build=${1:-build}
mkdir -p "$build"
build=$(cd "$build" && pwd)

pkgs="build-essential pkg-config dpkg-dev postfix libtomcrypt-dev libtommath-dev
 libtdb-dev tdb-tools swaks tcpdump tshark pflogsumm openssl ca-certificates
 libnet-ssleay-perl libio-socket-ssl-perl libauthen-sasl-perl python3 python3-cryptography
 clang libclang-rt-14-dev valgrind"

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

# Postfix headers of exactly the installed version.
ver=$(dpkg-query -W -f='${Version}' postfix)
upver=${ver%%-*}
src="$build/postfix-src"
if [ -f "$src/.version" ] && [ "$(cat "$src/.version")" = "$ver" ]; then
    exit 0
fi
echo "deps: fetching postfix $ver source for its headers"
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
rm -rf "$src"
mkdir -p "$src"
tar -xf "$(ls "$apt/dl"/postfix_"$upver".orig.tar.* | grep -v "\.asc$" | head -1)" -C "$src" --strip-components=1
echo "$ver" > "$src/.version"
rm -rf "$apt"
echo "deps: postfix $ver headers in $src/src"
