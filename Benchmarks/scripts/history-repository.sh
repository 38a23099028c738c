#!/bin/sh
# Builds a git repository with a long flag history, for measure-stale.sh and measure-report.sh: FLAGS flags
# (generate-flags.py, 20 files, `type: release` on each) over COMMITS commits. Each commit after the first rewrites
# one file, changing one rollout (some to 100 %, so flags settle along the way), with a commit date one hour after
# the previous one. Built with git fast-import, so 2,000 commits take a second or two.
#
# Usage: Benchmarks/scripts/history-repository.sh REPO FLAGS COMMITS   (REPO must not exist)
set -eu
cd "$(dirname "$0")/../.."
repo=$1
count=$2
commits=$3
work=$repo
rm -rf "$work.generated"
python3 Benchmarks/scripts/generate-flags.py "$work.generated" --flags "$count" --files 20 >/dev/null
git init -q -b main "$repo"
python3 - "$work.generated" "$commits" <<'PY' | (cd "$repo" && git fast-import --quiet)
import os, re, sys
folder, commits = sys.argv[1], int(sys.argv[2])
files = {}
for name in sorted(os.listdir(folder)):
    text = open(os.path.join(folder, name)).read()
    # A type on every flag: its owner line is followed by one.
    files["flags/" + name] = text.replace("    owner: ", "    type: release\n    owner: ")
names = sorted(files)
out = sys.stdout.buffer
def commit(index, changed):
    time = 1767225600 + index * 3600  # 2026-01-01T00:00:00Z, then one commit an hour
    message = f"change {index}".encode()
    out.write(b"commit refs/heads/main\n")
    out.write(f"committer Bench <bench@example.com> {time} +0000\n".encode())
    out.write(b"data %d\n%s\n" % (len(message), message))
    for name in changed:
        data = files[name].encode()
        out.write(f"M 100644 inline {name}\n".encode())
        out.write(b"data %d\n%s\n" % (len(data), data))
commit(0, names)
for index in range(1, commits):
    name = names[index % len(names)]
    rollouts = list(re.finditer(r"rollout: \d+", files[name]))
    if rollouts:
        match = rollouts[(index // len(names)) % len(rollouts)]
        value = 100 if index % 3 == 0 else index % 100
        files[name] = files[name][:match.start()] + f"rollout: {value}" + files[name][match.end():]
    commit(index, [name])
PY
(cd "$repo" && git checkout -q main)
rm -rf "$work.generated"
