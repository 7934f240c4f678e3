#!/usr/bin/env python3
# master-sample.py - merge master.cf.sample into a throwaway instance
#
# Usage: tools/master-sample.py SAMPLE CONFIG_DIR [--port PORT]
#            [--chroot y|n] [PROGRAM_PATH...]
#
# Used by the tests and by "make demo", so that they run the very entries
# that README.postfix tells an operator to use. Every entry of SAMPLE
# (comments dropped, continuation lines kept) replaces the entry of the
# same service name and type in CONFIG_DIR/master.cf, or is appended.
# Rewrites, for a throwaway instance only:
#   --port PORT      "smtp inet" listens on 127.0.0.1:PORT instead
#   --chroot y|n     the chroot column of the sample's entries
#   PROGRAM_PATH     a command whose name is the basename of PROGRAM_PATH
#                    runs PROGRAM_PATH, written relative to the instance's
#                    daemon_directory (master(8) takes no absolute path)
import os
import subprocess
import sys


def entries(lines):
    """Split master.cf lines into (head, [lines]) entries; comments dropped."""
    out = []
    for line in lines:
        s = line.rstrip("\n")
        if not s.strip() or s.lstrip().startswith("#"):
            continue
        if s[0].isspace():
            if out:
                out[-1][1].append(s)
            continue
        out.append((s.split(), [s]))
    return out


def main(argv):
    if len(argv) < 3:
        sys.exit("usage: master-sample.py SAMPLE CONFIG_DIR [--port P] "
                 "[--chroot y|n] [PROGRAM...]")
    sample, confdir = argv[1], argv[2]
    port = chroot = None
    progs = {}
    rest = argv[3:]
    while rest:
        a = rest.pop(0)
        if a == "--port":
            port = rest.pop(0)
        elif a == "--chroot":
            chroot = rest.pop(0)
        else:
            progs[os.path.basename(a)] = os.path.abspath(a)
    ddir = subprocess.run(["postconf", "-c", confdir, "-h",
                           "daemon_directory"], capture_output=True,
                          text=True).stdout.strip() or "/usr/lib/postfix/sbin"
    with open(sample) as f:
        new = entries(f)
    merged = []
    keys = set()
    for fields, lines in new:
        name, typ = fields[0], fields[1]
        if port and name == "smtp" and typ == "inet":
            name = "127.0.0.1:" + port
        if chroot:
            fields[4] = chroot
        cmd = fields[7]
        if cmd in progs:
            fields[7] = os.path.relpath(progs[cmd], ddir)
        fields[0] = name
        keys.add((name, typ))
        merged.append(["%-9s %-5s %-7s %-7s %-7s %-7s %-7s %s" % (
            fields[0], fields[1], fields[2], fields[3], fields[4],
            fields[5], fields[6], " ".join(fields[7:]))] + lines[1:])
    mcf = os.path.join(confdir, "master.cf")
    with open(mcf) as f:
        old = f.readlines()
    kept = [lines for fields, lines in entries(old)
            if (fields[0], fields[1]) not in keys]
    with open(mcf, "w") as f:
        for lines in kept + merged:
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(sys.argv)
