#!/usr/bin/env python3
"""clang-tidy over the project's own sources, one process per source, with a result cache.

Usage: scripts/tidy.py BUILD_DIR

Findings are errors (.clang-tidy sets WarningsAsErrors). A source whose clang-tidy run was
clean is remembered under a key made of everything the result depends on: clang-tidy's
version, .clang-tidy, the compile command (with the checkout's path taken out, so clones in
other folders share the cache) and the content of every file the compiler read for it (the
build's dependency file lists them). The next run skips a source whose key is remembered, so
a rerun of `make lint` checks only what changed. Set TIDY_CACHE_DIR to move the cache, or to
an empty string to check everything.

A target compiled as a unity build (the emulator's library) has one command per group in the
compile database, for a generated file that includes the group's sources. Each of those sources
is checked on its own, with the group's command (the same flags); its cache key takes the files
the group's compile read, less the group's other sources, so an edit re-checks only the source
edited.
"""

import concurrent.futures
import hashlib
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

NOISE = re.compile(r"^(\d+ warnings? generated|Suppressed \d+ warnings|Use -header-filter|$)")
# GCC's precompiled headers (the functions' sources use them) are not clang's: clang-tidy reads
# the compile commands without them; every source includes what it uses.
PCH_FLAGS = re.compile(r" -include [^ ]*cmake_pch\.hxx| -Winvalid-pch")
# g++'s options for unity units (cmake/unity_build.cmake), which clang does not know.
GCC_UNITY_FLAGS = re.compile(r" -Wno-subobject-linkage| --param=inline-unit-growth=\d+")
# The lines of a CMake unity source that include the group's sources.
UNITY_INCLUDE = re.compile(r'^#include "([^"]+)"$', re.MULTILINE)


def cache_directory():
    configured = os.environ.get("TIDY_CACHE_DIR")
    if configured is not None:
        return Path(configured) if configured else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "cppstack-tidy"


class ContentHashes:
    """Hashes of the files sources depend on, each file read once per run."""

    def __init__(self):
        self.known = {}

    def of(self, path):
        if path not in self.known:
            try:
                self.known[path] = hashlib.sha256(Path(path).read_bytes()).hexdigest()
            except OSError:
                self.known[path] = "missing"
        return self.known[path]


def dependencies(entry):
    """The files the compiler read for one entry, from its dependency (.d) file, or None."""
    if "dependencies" in entry:
        return entry["dependencies"]
    arguments = shlex.split(entry["command"])
    if "-o" not in arguments:
        return None
    depfile = Path(entry["directory"]) / (arguments[arguments.index("-o") + 1] + ".d")
    try:
        text = depfile.read_text()
    except OSError:
        return None
    names = text.replace("\\\n", " ").split(":", 1)[-1].split()
    return sorted({os.path.normpath(os.path.join(entry["directory"], name)) for name in names})


def unity_sources(entry):
    """The sources a CMake unity file includes, or an empty list for any other source."""
    if "/Unity/unity_" not in entry["file"]:
        return []
    try:
        text = Path(entry["directory"], entry["file"]).read_text()
    except OSError:
        return []
    return [os.path.normpath(os.path.join(entry["directory"], name))
            for name in UNITY_INCLUDE.findall(text)]


def split_unity(entries):
    """The compile database with each unity file's entry replaced by one per source it includes:
    the same command for that source, and what the group read less its other sources."""
    result = []
    for entry in entries:
        sources = unity_sources(entry)
        if not sources:
            result.append(entry)
            continue
        unity_file = os.path.normpath(os.path.join(entry["directory"], entry["file"]))
        group = dependencies(entry)
        for source in sources:
            split = {"directory": entry["directory"], "file": source,
                     "command": entry["command"].replace(entry["file"], source)}
            if group is not None:
                others = set(sources) - {source}
                split["dependencies"] = [name for name in group
                                         if name not in others and name != unity_file]
            result.append(split)
    return result


def cache_key(entry, root, invariant, hashes):
    files = dependencies(entry)
    if files is None:
        return None
    digest = hashlib.sha256(invariant)
    digest.update(entry["command"].replace(root, "<root>").encode())
    for name in files:
        digest.update(name.replace(root, "<root>").encode() + b"\0" + hashes.of(name).encode())
    return digest.hexdigest()


def run_tidy(database, source):
    result = subprocess.run(["clang-tidy", "-p", database, "--quiet", source],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            check=False)
    findings = "\n".join(line for line in result.stdout.splitlines() if not NOISE.match(line))
    return result.returncode, findings


def main():
    build_dir = Path(sys.argv[1] if len(sys.argv) > 1 else "build/release").resolve()
    root = str(Path(__file__).resolve().parent.parent)
    commands = build_dir / "compile_commands.json"
    if not commands.is_file():
        print(f"tidy: {commands} missing; run make build first", file=sys.stderr)
        return 1
    entries = split_unity(json.loads(commands.read_text()))
    for entry in entries:
        entry["command"] = GCC_UNITY_FLAGS.sub("", PCH_FLAGS.sub("", entry["command"]))
    by_file = {os.path.normpath(entry["file"]): entry for entry in entries}

    sources = subprocess.run(["git", "ls-files", "src/*.cpp"], cwd=root, check=True,
                             stdout=subprocess.PIPE, text=True).stdout.split()
    version = subprocess.run(["clang-tidy", "--version"], check=True, stdout=subprocess.PIPE,
                             text=True).stdout
    invariant = (version + Path(root, ".clang-tidy").read_text()).encode()
    cache = cache_directory()
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)

    hashes = ContentHashes()
    to_check, skipped = [], 0
    for source in sources:
        path = os.path.join(root, source)
        entry = by_file.get(path)
        key = cache_key(entry, root, invariant, hashes) if entry and cache is not None else None
        if key is not None and (cache / key).exists():
            skipped += 1
        else:
            to_check.append((path, key))

    with tempfile.TemporaryDirectory() as database:
        Path(database, "compile_commands.json").write_text(json.dumps(
            [{key: entry[key] for key in ("directory", "file", "command")} for entry in entries]))
        failed = False
        with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            runs = {pool.submit(run_tidy, database, path): (path, key) for path, key in to_check}
            for run in concurrent.futures.as_completed(runs):
                path, key = runs[run]
                status, findings = run.result()
                if findings:
                    print(findings)
                if status != 0:
                    failed = True
                elif key is not None:
                    (cache / key).touch()
    print(f"tidy: {len(to_check)} sources checked, {skipped} unchanged since a clean check")
    if failed:
        print("tidy: findings above", file=sys.stderr)
        return 1
    print("tidy: clean")
    return 0


if __name__ == "__main__":
    sys.exit(main())
