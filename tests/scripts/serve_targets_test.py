#!/usr/bin/env python3
"""`make run` builds one goal per function, <name>_serve (cmake/cppstack_function.cmake): it must
depend on exactly what serving needs, the function's dev bootstrap, its route table and the
emulator, and the build must record it for scripts/run.sh. A scratch configure of the source
tree (no build) is read through CMake's file API, which lists each target's dependencies.

Usage: serve_targets_test.py SOURCE_DIR CXX_COMPILER
"""
import glob
import json
import os
import shlex
import subprocess
import sys
import tempfile


def reply(build, name):
    with open(os.path.join(build, ".cmake/api/v1/reply", name), encoding="utf-8") as file:
        return json.load(file)


def main():
    source, compiler = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as build:
        query = os.path.join(build, ".cmake/api/v1/query")
        os.makedirs(query)
        open(os.path.join(query, "codemodel-v2"), "w", encoding="utf-8").close()
        subprocess.run(["cmake", "-S", source, "-B", build, "-DCMAKE_BUILD_TYPE=Release",
                        f"-DCMAKE_CXX_COMPILER={compiler}", "-DCMAKE_CXX_COMPILER_LAUNCHER=",
                        "-DCMAKE_C_COMPILER_LAUNCHER="],
                       check=True, stdout=subprocess.DEVNULL)
        index = reply(build, os.path.basename(
            sorted(glob.glob(os.path.join(build, ".cmake/api/v1/reply/index-*.json")))[-1]))
        codemodel = next(o for o in index["objects"] if o["kind"] == "codemodel")
        targets = reply(build, codemodel["jsonFile"])["configurations"][0]["targets"]
        names = {target["id"]: target["name"] for target in targets}
        json_files = {target["name"]: target["jsonFile"] for target in targets}

        functions = sorted(os.listdir(os.path.join(build, "functions")))
        failures = []
        if "api" not in functions:
            failures.append(f"the build defines no api function: {functions}")
        for function in functions:
            with open(os.path.join(build, "functions", function), encoding="utf-8") as file:
                recorded = dict(line.split("=", 1) for line in file.read().splitlines() if "=" in line)
            recorded = {key: shlex.split(value)[0] for key, value in recorded.items()}
            serve = recorded.get("serve_target")
            if serve != f"{function}_serve" or serve not in json_files:
                failures.append(f"{function}: serve_target {serve!r} is not a target of the build")
                continue
            dependencies = {names[d["id"]] for d in reply(build, json_files[serve]).get("dependencies", [])}
            expected = {recorded["dev_bootstrap"], f"{function}_route_table", "cppstack-local"}
            if dependencies != expected:
                failures.append(f"{serve} depends on {sorted(dependencies)}, not {sorted(expected)}")
    for failure in failures:
        print("FAIL:", failure, file=sys.stderr)
    if failures:
        return 1
    print(f"PASS: {len(functions)} functions, each <name>_serve builds its dev bootstrap, route table and the emulator")
    return 0


if __name__ == "__main__":
    sys.exit(main())
