#!/bin/bash
# install.sh - install or remove the xcrypt programs
#
# Usage: tools/install.sh install|uninstall DESTDIR DAEMON_DIR PROGRAM...
#
# Called by "make install" and "make uninstall". Each PROGRAM is the path
# of a built program (xcrypt-smtpd/xcrypt-smtpd etc.). Daemons (programs
# that master(8) runs) go to DESTDIR/DAEMON_DIR, Postfix's daemon_directory;
# the administrative command xcrypt-cache goes to DESTDIR/COMMAND_DIR,
# Postfix's command_directory (where postmap(1) and postqueue(1) live).
# COMMAND_DIR comes from the environment, else from postconf, else
# /usr/sbin.
#
# A program that is running is never overwritten in place (that fails
# with "Text file busy", or worse, changes the text under a running
# process): the new file is copied to a temporary name in the same
# directory, made mode 0755, and renamed over the old one. Running
# processes keep the old file until "postfix reload"; this script never
# runs "postfix reload" itself, it tells the operator to.
#
# "uninstall" removes exactly the files that "install" puts there: the
# named programs in those two directories, plus temporary files that an
# interrupted install of ours may have left. Directories stay.
set -u

prog=$(basename "$0")
die() { echo "$prog: fatal: $*" >&2; exit 1; }

[ $# -ge 3 ] || die "usage: $prog install|uninstall DESTDIR DAEMON_DIR PROGRAM..."
action=$1 destdir=$2 daemon_dir=$3
shift 3
[ -n "$daemon_dir" ] || die "empty daemon_directory"
case $daemon_dir in /*) ;; *) die "daemon_directory must be absolute: $daemon_dir";; esac

if [ -z "${COMMAND_DIR:-}" ]; then
    COMMAND_DIR=$(postconf -h command_directory 2>/dev/null) ||
	COMMAND_DIR=$(postconf -dh command_directory 2>/dev/null) ||
	COMMAND_DIR=/usr/sbin
    [ -n "$COMMAND_DIR" ] || COMMAND_DIR=/usr/sbin
fi
case $COMMAND_DIR in /*) ;; *) die "command_directory must be absolute: $COMMAND_DIR";; esac

# target_dir - where a program belongs (without DESTDIR)
target_dir() {
    case $(basename "$1") in
    xcrypt-cache) echo "$COMMAND_DIR";;
    *) echo "$daemon_dir";;
    esac
}

# install_one - copy, chmod, rename over the old file
install_one() {
    local src=$1 name dir tmp
    name=$(basename "$src")
    dir=$destdir$(target_dir "$src")
    mkdir -p "$dir" || die "cannot create $dir"
    tmp=$dir/.$name.xcrypt-install.$$
    rm -f "$tmp"
    if ! cp "$src" "$tmp"; then
	rm -f "$tmp"
	die "cannot copy $src to $tmp"
    fi
    # Owned by root when we can; a DESTDIR staging tree may be unprivileged.
    [ "$(id -u)" = 0 ] && chown root:root "$tmp" 2>/dev/null
    if ! chmod 0755 "$tmp" || ! mv -f "$tmp" "$dir/$name"; then
	rm -f "$tmp"
	die "cannot install $dir/$name"
    fi
    echo "installed $dir/$name"
}

case $action in
install)
    [ $# -gt 0 ] || die "no programs to install"
    # Check everything first, so that a missing program installs nothing.
    for p in "$@"; do
	[ -f "$p" ] && [ -x "$p" ] || die "$p is not built (run make first)"
    done
    replaced=0
    for p in "$@"; do
	[ -e "$destdir$(target_dir "$p")/$(basename "$p")" ] && replaced=1
	install_one "$p"
    done
    echo
    if [ -z "$destdir" ]; then
	if [ "$replaced" = 1 ]; then
	    echo "Run \"postfix reload\" so that running xcrypt processes are"
	    echo "replaced by the new programs."
	else
	    echo "Next: add the entries of master.cf.sample to master.cf (see"
	    echo "README.postfix), then run \"postfix check\" and \"postfix reload\"."
	fi
    else
	echo "Installed under DESTDIR=$destdir; after moving the files into"
	echo "place, run \"postfix reload\"."
    fi
    ;;
uninstall)
    for p in "$@"; do
	name=$(basename "$p")
	dir=$destdir$(target_dir "$p")
	if [ -f "$dir/$name" ]; then
	    rm -f "$dir/$name" || die "cannot remove $dir/$name"
	    echo "removed $dir/$name"
	fi
	rm -f "$dir/.$name".xcrypt-install.*
    done
    if [ -z "$destdir" ]; then
	echo
	echo "If master.cf still names xcrypt-smtpd or xcrypt-smtp, restore the"
	echo "stock smtpd/smtp entries and run \"postfix reload\"; until then"
	echo "master(8) cannot start those services."
    fi
    ;;
*)
    die "unknown action: $action (install or uninstall)"
    ;;
esac
exit 0
