#!/usr/bin/env python3
"""No compile command of the build defines a macro holding a path of the checkout or of the
build folder (cmake/build_paths.cmake). Such a path makes the object differ from one clone to
the next, so ccache cannot give a fresh clone the objects another clone compiled, and every
`make test` and sanitizer build of a new clone compiles those sources again.

Usage: clone_independent_commands_test.py SOURCE_DIR BUILD_DIR
"""
import json
import os
import shlex
import sys


def main():
    source, build = (os.path.realpath(path) for path in sys.argv[1:3])
    with open(os.path.join(build, "compile_commands.json"), encoding="utf-8") as file:
        entries = json.load(file)
    findings = []
    for entry in entries:
        arguments = entry.get("arguments") or shlex.split(entry["command"])
        for argument in arguments:
            if argument.startswith("-D") and (source in argument or build in argument):
                findings.append(f"{os.path.relpath(entry['file'], source)}: {argument}")
    if not entries:
        print("FAIL: the compile database is empty")
        return 1
    if findings:
        print("FAIL: macros holding a path of this checkout (use cppstack_build_paths()):")
        print("\n".join(sorted(set(findings))))
        return 1
    print(f"PASS: none of the {len(entries)} compile commands defines a macro holding "
          "a path of the checkout or the build")
    return 0


if __name__ == "__main__":
    sys.exit(main())
