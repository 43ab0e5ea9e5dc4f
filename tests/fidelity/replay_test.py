#!/usr/bin/env python3
"""Replays the AWS-recorded cases of cases.json against cppstack-local, field by field.

    replay_test.py CPPSTACK_LOCAL REPLAY_FUNCTION CASES_JSON [--only ID_SUBSTRING] [--verbose]

Every case either passes, or is listed in cases.json as a known difference (with its reason,
also in docs/local.md). A listed difference that has a request is replayed too, and must still
differ: when it starts to pass the list is out of date, and the run fails. Runs offline: the
emulator listens on 127.0.0.1 on a free port, the function is replay_function.py.
"""

import base64
import http.client
import ipaddress
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from email.utils import parsedate_to_datetime

import boto3
import botocore.config
import botocore.exceptions

REGION = "us-east-1"
OTHER_REGION = "eu-west-1"
ACCOUNT = "123456789012"  # the emulator's account id (docs/local.md, "Known differences")

SHAPES = {
    "uuid": lambda v: isinstance(v, str) and re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", v) is not None,
    "present": lambda v: v is not None,
    "trace": lambda v: isinstance(v, str) and re.match(
        r"Root=1-[0-9a-f]{8}-[0-9a-f]{24}(;|$)", v) is not None,
    "http-date": lambda v: isinstance(v, str) and _is_http_date(v),
    "ip": lambda v: isinstance(v, str) and _is_ip(v),
    "request-time": lambda v: isinstance(v, str) and re.fullmatch(
        r"\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} \+0000", v) is not None,
    "epoch-ms": lambda v: isinstance(v, int) and v > 10**12,
    "account-id": lambda v: isinstance(v, str) and re.fullmatch(r"\d{12}", v) is not None,
    "list": lambda v: isinstance(v, list),
}


def _is_http_date(text):
    try:
        parsedate_to_datetime(text)
        return text.endswith(" GMT")
    except (TypeError, ValueError):
        return False


def _is_ip(text):
    try:
        ipaddress.ip_address(text)
        return True
    except ValueError:
        return False


def fill(value, extra=None):
    """Replaces the placeholders of cases.json in strings, recursively."""
    names = {"region": REGION, "other_region": OTHER_REGION, "account": ACCOUNT}
    names.update(extra or {})
    if isinstance(value, str):
        for name, replacement in names.items():
            value = value.replace("{" + name + "}", replacement)
        # {a*129}: 129 letters a (the recordings' over-long names and qualifiers)
        return re.sub(r"\{a\*(\d+)\}", lambda match: "a" * int(match.group(1)), value)
    if isinstance(value, list):
        return [fill(item, extra) for item in value]
    if isinstance(value, dict):
        return {key: fill(item, extra) for key, item in value.items()}
    return value


def compare(expected, actual, where, problems):
    """Checks `actual` against the expectation; appends one line per difference."""
    if isinstance(expected, dict) and set(expected) == {"shape"}:
        if not SHAPES[expected["shape"]](actual):
            problems.append(f"{where}: {actual!r} is not a {expected['shape']}")
    elif isinstance(expected, dict) and set(expected) == {"regex"}:
        if not isinstance(actual, str) or re.search(expected["regex"], actual) is None:
            problems.append(f"{where}: {actual!r} does not match /{expected['regex']}/")
    elif isinstance(expected, dict) and set(expected) == {"json"}:
        try:
            parsed = json.loads(actual)
        except (TypeError, ValueError):
            problems.append(f"{where}: {actual!r} is not JSON")
            return
        if parsed != expected["json"]:
            problems.append(f"{where}: JSON {parsed!r}, expected {expected['json']!r}")
    elif isinstance(expected, dict):
        if not isinstance(actual, dict):
            problems.append(f"{where}: {actual!r}, expected an object")
            return
        for key, value in expected.items():
            if key not in actual:
                problems.append(f"{where}.{key}: missing")
            else:
                compare(value, actual[key], f"{where}.{key}", problems)
    elif expected != actual:
        problems.append(f"{where}: {actual!r}, expected {expected!r}")


class Emulator:
    """cppstack-local for one server of cases.json, on a free port."""

    def __init__(self, executable, function, name, server, directory):
        self.name = name
        self.server = server
        self.directory = directory
        arguments = [executable, server["api"], "--bootstrap", function, "--port", "0",
                     "--region", REGION]
        if os.environ.get("CPPSTACK_LOCAL_THREADS"):  # the TSan preset's several I/O threads
            arguments += ["--threads", os.environ["CPPSTACK_LOCAL_THREADS"]]
        if server["api"] == "start-api":
            routes = {"routes": [{"method": method, "path": path, "handler": "replay", "auth": "none"}
                                 for method, path in server["routes"]]}
            routes_file = os.path.join(directory, name + ".routes.json")
            with open(routes_file, "w") as out:
                json.dump(routes, out)
            arguments += ["--routes", routes_file, "--stage", server["stage"], "--no-access-log"]
        else:
            arguments += ["--function-name", server["function_name"]]
        for option in ("timeout", "memory", "handler", "concurrency"):
            if option in server:
                arguments += ["--" + option, str(server[option])]
        for key, value in server.get("function", {}).items():
            arguments += ["--env", f"{key}={fill(value, {'directory': directory})}"]
        self.log_path = os.path.join(directory, name + ".log")
        self.log = open(self.log_path, "w")
        # The working directory has no .env: nothing of the developer's configuration applies.
        self.process = subprocess.Popen(arguments, cwd=directory, stdout=subprocess.PIPE,
                                        stderr=self.log, text=True)
        first = self.process.stdout.readline()
        match = re.match(r"listening on ([0-9.]+):(\d+)", first)
        if match is None:
            self.stop()
            raise RuntimeError(f"{name}: cppstack-local did not start: {first!r}; see {self.log_path}")
        self.port = int(match.group(2))

    def hold_file(self, what):
        return os.path.join(self.directory, f"{self.name}.hold-{what}")

    def stop(self):
        # Lets go of an instance held by hold_instance, so the emulator stops promptly.
        open(self.hold_file("release"), "w").close()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process.stdout.close()
        self.log.close()
        # SIGTERM ends the emulator with status 0; anything else (a sanitizer's report, a crash)
        # fails the run.
        return self.process.returncode


def http_exchange(port, request):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.putrequest(request["method"], request["target"], skip_accept_encoding=True)
        body = request.get("body")
        data = body.encode() if body is not None else None
        names = {name.lower() for name, _ in request["headers"]}
        for name, value in request["headers"]:
            connection.putheader(name, value)
        if data is not None and "transfer-encoding" not in names:
            connection.putheader("Content-Length", str(len(data)))
        connection.endheaders(data)
        response = connection.getresponse()
        payload = response.read()
        headers = defaultdict(list)
        spellings = {}
        for name, value in response.getheaders():
            headers[name.lower()].append(value)
            spellings.setdefault(name.lower(), name)
        return response.status, {k: ", ".join(v) for k, v in headers.items()}, spellings, payload
    finally:
        connection.close()


def check_gateway_case(case, emulator):
    request = fill(case["request"])
    expect = fill(case["expect"])
    status, headers, spellings, payload = http_exchange(emulator.port, request)
    problems = []
    if status != expect["status"]:
        problems.append(f"status {status}, expected {expect['status']}")
    text = payload.decode("utf-8", "replace")
    for name, value in expect.get("headers", {}).items():
        if name.lower() not in headers:
            problems.append(f"header {name}: missing")
        else:
            compare(value, headers[name.lower()], f"header {name}", problems)
    for name in expect.get("absent_headers", []):
        if name.lower() in headers:
            problems.append(f"header {name}: present, expected absent")
    if expect.get("exact_header_names"):
        extra = set(headers) - {name.lower() for name in expect.get("headers", {})}
        if extra:
            problems.append("headers not in the recorded answer: " +
                            ", ".join(sorted(spellings[name] for name in extra)))
    if "body" in expect:
        compare(expect["body"], text, "body", problems)
    if "event" in expect:
        try:
            event = json.loads(text)
        except ValueError:
            problems.append(f"the answer is not the event: {text[:200]!r}")
            return problems
        compare(expect["event"], event, "event", problems)
        for name in expect.get("event_absent_headers", []):
            for field in ("headers", "multiValueHeaders"):
                present = {key.lower() for key in (event.get(field) or {})}
                if name.lower() in present:
                    problems.append(f"event.{field}.{name}: present, expected absent")
    return problems


def lambda_client(port):
    return boto3.client(
        "lambda", endpoint_url=f"http://127.0.0.1:{port}", region_name=REGION,
        aws_access_key_id="replay", aws_secret_access_key="replay",
        config=botocore.config.Config(retries={"max_attempts": 0}, read_timeout=60,
                                      parameter_validation=False))


def hold_instance(client, function_name, emulator):
    """Takes the function's only instance with an Event invocation that holds it until the
    emulator stops (or 30 s), and returns once the function has started: no timing involved."""
    started = emulator.hold_file("started")
    release = emulator.hold_file("release")
    client.invoke(FunctionName=function_name, InvocationType="Event",
                  Payload=json.dumps({"replay": "hold", "started": started, "release": release,
                                      "seconds": 30}).encode())
    for _ in range(3000):
        if os.path.exists(started):
            return
        time.sleep(0.01)
    raise RuntimeError("the holding invocation never started")


def check_invoke_case(case, emulator):
    request = fill(case["request"])
    expect = case["expect"]
    arguments = {"FunctionName": request.get("function_name", emulator.server["function_name"])}
    if "payload_hex" in request:
        arguments["Payload"] = bytes.fromhex(request["payload_hex"])
    else:
        arguments["Payload"] = json.dumps(request.get("payload", {})).encode()
    if "qualifier" in request:
        arguments["Qualifier"] = request["qualifier"]
    if "invocation_type" in request:
        arguments["InvocationType"] = request["invocation_type"]
    if "log_type" in request:
        arguments["LogType"] = request["log_type"]
    if "client_context" in request:
        arguments["ClientContext"] = base64.b64encode(
            json.dumps(request["client_context"]).encode()).decode()
    problems = []
    client = lambda_client(emulator.port)
    try:
        if request.get("instance_busy"):
            hold_instance(client, arguments["FunctionName"], emulator)
        result = client.invoke(**arguments)
    except botocore.exceptions.ClientError as error:
        response = error.response
        status = response["ResponseMetadata"]["HTTPStatusCode"]
        if status != expect["status"]:
            problems.append(f"status {status}, expected {expect['status']}")
        expect = fill(expect)
        if "error_code" in expect:
            compare(expect["error_code"], response["Error"].get("Code"), "Error.Code", problems)
        if "error_message" in expect:
            compare(expect["error_message"], response["Error"].get("Message"), "Error.Message",
                    problems)
        if "error_type_field" in expect:
            compare(expect["error_type_field"], response.get("Type"), "Type", problems)
        if "error_reason" in expect:
            compare(expect["error_reason"], response.get("Reason"), "Reason", problems)
        return problems
    finally:
        client.close()
    status = result["StatusCode"]
    request_id = result["ResponseMetadata"]["HTTPHeaders"].get("x-amzn-requestid", "")
    expect = fill(expect, {"request_id": request_id})
    if status != expect["status"]:
        problems.append(f"status {status}, expected {expect['status']}")
    if "error_code" in expect:
        problems.append(f"answered {status}, expected the error {expect['error_code']}")
        return problems
    payload = result["Payload"].read().decode("utf-8", "replace")
    if "executed_version" in expect:
        compare(expect["executed_version"], result.get("ExecutedVersion"), "ExecutedVersion",
                problems)
    compare(expect.get("function_error"), result.get("FunctionError"), "FunctionError", problems)
    if "payload_text" in expect:
        compare(expect["payload_text"], payload, "Payload", problems)
    if "payload" in expect or "payload_keys" in expect or expect.get("payload_is_request_id"):
        try:
            document = json.loads(payload)
        except ValueError:
            problems.append(f"Payload is not JSON: {payload[:200]!r}")
            return problems
        if "payload" in expect:
            compare(expect["payload"], document, "Payload", problems)
        if "payload_keys" in expect and sorted(document) != sorted(expect["payload_keys"]):
            problems.append(f"Payload keys {sorted(document)}, expected {expect['payload_keys']}")
        if expect.get("payload_is_request_id") and document != request_id:
            problems.append(f"Payload {document!r} is not the request id {request_id!r}")
    if "log_lines" in expect:
        log = base64.b64decode(result.get("LogResult", "")).decode("utf-8", "replace")
        lines = log.splitlines()
        for pattern in expect["log_lines"]:
            regex = pattern.replace("{request_id}", re.escape(request_id))
            if not any(re.search(regex, line) for line in lines):
                problems.append(f"no log line matches /{regex}/ in {lines!r}")
    return problems


def main():
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    executable, function, cases_file = sys.argv[1:4]
    only = sys.argv[sys.argv.index("--only") + 1] if "--only" in sys.argv else None
    verbose = "--verbose" in sys.argv
    with open(cases_file) as source:
        document = json.load(source)
    cases = [case for case in document["cases"] if only is None or only in case["id"]]
    ids = Counter(case["id"] for case in document["cases"])
    duplicated = [case_id for case_id, count in ids.items() if count > 1]
    if duplicated:
        print("duplicate case ids: " + ", ".join(duplicated))
        return 1

    results = {}
    failures = []
    with tempfile.TemporaryDirectory(prefix="fidelity-") as directory:
        # A copy with its execute bit: a source tree unpacked from an archive has none.
        function_copy = os.path.join(directory, "bootstrap")
        shutil.copyfile(function, function_copy)
        os.chmod(function_copy, 0o755)
        function = function_copy
        by_server = defaultdict(list)
        for case in cases:
            if "request" in case:
                by_server[case["server"]].append(case)
            else:
                results[case["id"]] = "listed"
        for name, server_cases in by_server.items():
            emulator = Emulator(executable, function, name, document["servers"][name], directory)
            try:
                for case in server_cases:
                    check = (check_gateway_case if emulator.server["api"] == "start-api"
                             else check_invoke_case)
                    try:
                        problems = check(case, emulator)
                    except Exception as error:  # a failed exchange is a failed case
                        problems = [f"{type(error).__name__}: {error}"]
                    listed = "outcome" in case
                    if not problems and listed:
                        failures.append(case["id"])
                        print(f"FAIL {case['id']}: listed as a difference "
                              f"({case['outcome']['difference']}) but now passes: update the list")
                    elif problems and not listed:
                        failures.append(case["id"])
                        print(f"FAIL {case['id']} ({case['source']['test']}, "
                              f"{case['source']['recording']}):")
                        for problem in problems:
                            print("     " + problem)
                    else:
                        results[case["id"]] = "listed" if listed else "pass"
                        if verbose:
                            print(("DIFF " if listed else "PASS ") + case["id"] +
                                  ("".join("\n     " + p for p in problems) if listed else ""))
            finally:
                status = emulator.stop()
            if status != 0:
                failures.append(f"server {name}")
                with open(emulator.log_path) as log:
                    print(f"FAIL server {name}: cppstack-local exited with status {status}\n" +
                          "".join(log.readlines()[-40:]))
            if failures and verbose:
                with open(emulator.log_path) as log:
                    print(f"--- {name} log (last lines) ---\n" + "".join(log.readlines()[-30:]))

    groups = defaultdict(Counter)
    reasons = Counter()
    for case in cases:
        outcome = "fail" if case["id"] in failures else results.get(case["id"])
        groups[case["group"]][outcome] += 1
        if outcome == "listed":
            reasons[case["outcome"]["difference"]] += 1
    print(f"\n{len(cases)} recorded cases: {sum(1 for v in results.values() if v == 'pass')} "
          f"pass, {sum(reasons.values())} listed as differences "
          f"({', '.join(f'{n} {r}' for r, n in sorted(reasons.items())) or 'none'}), "
          f"{len(failures)} fail")
    for group, counts in sorted(groups.items()):
        print(f"  {group}: " + ", ".join(f"{n} {k}" for k, n in sorted(counts.items())))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
