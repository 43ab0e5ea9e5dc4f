#!/usr/bin/env python3
"""clang-tidy over the project's own sources, one process per source, with a result cache.

Usage: scripts/tidy.py BUILD_DIR

Findings are errors (.clang-tidy sets WarningsAsErrors). A source whose clang-tidy run was
clean is remembered under a key made of everything the result depends on: clang-tidy's
version, .clang-tidy, the compile command (with the checkout's path taken out, so clones in
other folders share the cache) and the content of every file the compiler read for it (the
build's dependency file or Ninja's deps log lists them). The next run skips a source whose key
is remembered, so a rerun of `make lint` checks only what changed. Set TIDY_CACHE_DIR to move the cache, or to
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


def ninja_dependencies(build_dir):
    """What the compiler read for each object of a Ninja build, {object: [files]}, from Ninja's
    deps log: Ninja reads each compile's dependency (.d) file into it and deletes the file.
    Only records Ninja reports VALID (the object not changed since) are taken."""
    if not (build_dir / "build.ninja").is_file():
        return {}
    listing = subprocess.run(["ninja", "-C", str(build_dir), "-t", "deps"], check=False,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout
    recorded, files = {}, None
    for line in listing.splitlines():
        if not line.strip():
            files = None
        elif not line[0].isspace():
            output, _, status = line.partition(": #deps")
            files = [] if "(VALID)" in status else None
            if files is not None:
                recorded[os.path.normpath(os.path.join(build_dir, output))] = files
        elif files is not None:
            files.append(os.path.normpath(os.path.join(build_dir, line.strip())))
    return recorded


def dependencies(entry, recorded):
    """The files the compiler read for one entry, from its dependency (.d) file or Ninja's deps
    log (RECORDED, from ninja_dependencies), or None."""
    if "dependencies" in entry:
        return entry["dependencies"]
    arguments = shlex.split(entry["command"])
    if "-o" not in arguments:
        return None
    output = os.path.normpath(os.path.join(entry["directory"], arguments[arguments.index("-o") + 1]))
    try:
        text = Path(output + ".d").read_text()
    except OSError:
        return sorted(set(recorded[output])) if output in recorded else None
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


def split_unity(entries, recorded):
    """The compile database with each unity file's entry replaced by one per source it includes:
    the same command for that source, and what the group read less its other sources."""
    result = []
    for entry in entries:
        sources = unity_sources(entry)
        if not sources:
            result.append(entry)
            continue
        unity_file = os.path.normpath(os.path.join(entry["directory"], entry["file"]))
        group = dependencies(entry, recorded)
        for source in sources:
            split = {"directory": entry["directory"], "file": source,
                     "command": entry["command"].replace(entry["file"], source)}
            if group is not None:
                others = set(sources) - {source}
                split["dependencies"] = [name for name in group
                                         if name not in others and name != unity_file]
            result.append(split)
    return result


def cache_key(entry, root, invariant, hashes, recorded):
    files = dependencies(entry, recorded)
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
    recorded = ninja_dependencies(build_dir)
    entries = split_unity(json.loads(commands.read_text()), recorded)
    for entry in entries:
        entry["command"] = GCC_UNITY_FLAGS.sub("", PCH_FLAGS.sub("", entry["command"]))
    # A source compiled by several targets (bootstrap_main.cpp) is keyed on a compile that ran.
    by_file = {}
    for entry in entries:
        path = os.path.normpath(entry["file"])
        if path not in by_file or dependencies(by_file[path], recorded) is None:
            by_file[path] = entry

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
        key = (cache_key(entry, root, invariant, hashes, recorded)
               if entry and cache is not None else None)
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
