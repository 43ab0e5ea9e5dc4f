#!/usr/bin/env python3
"""`make run`'s serving path with declared resources: scripts/serve-local.sh starts dynalite and
s3rver with the tables and buckets of routes.json, points the function at them, keeps their data
across restarts, and `make reset-local` deletes it. Checked with boto3 against the started
servers, and in the function's own environment (/proc/PID/environ).

Usage: local_services_test.py CPPSTACK_LOCAL BOOTSTRAP ROUTES_JSON NOTES_BOOTSTRAP NOTES_ROUTES_JSON
ROUTES_JSON is an exported route table without resources; the test adds a table and a bucket.
NOTES_ROUTES_JSON is the notes example's export, whose resources are declared in C++.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import unittest
import urllib.error
import urllib.request

import boto3
from botocore.config import Config

EMULATOR, BOOTSTRAP, ROUTES, NOTES_BOOTSTRAP, NOTES_ROUTES = (
    os.path.abspath(argument) for argument in (sys.argv[1:6] + [""] * 5)[:5])
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SERVE = os.path.join(ROOT, "scripts", "serve-local.sh")
# Generous bound for a loaded machine: a start that takes longer is a failure, not a measurement.
START_TIMEOUT_SECONDS = 120

RECORDS_TABLE = {
    "name": "records",
    "partitionKey": {"name": "owner", "type": "S"},
    "sortKey": {"name": "at", "type": "N"},
    "globalIndexes": [{"name": "by-kind", "partitionKey": {"name": "kind", "type": "S"},
                       "sortKey": None, "projection": "KEYS_ONLY"}],
    "localIndexes": [],
    "timeToLiveAttribute": None,
}
UPLOADS_BUCKET = {"name": "uploads"}


def descendants(pid):
    """Every process below pid, from /proc (children first found through their parent id)."""
    parents = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            parents.setdefault(int(fields[1]), []).append(int(entry))
        except (OSError, IndexError):
            continue
    found, pending = [], [pid]
    while pending:
        for child in parents.get(pending.pop(), []):
            found.append(child)
            pending.append(child)
    return found


def processes_naming(text):
    """Live processes whose command line contains text (a test's own temporary folder)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                arguments = cmdline.read().decode(errors="replace")
            with open(f"/proc/{entry}/stat") as stat:
                state = stat.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if text in arguments and state != "Z":
            found.append(int(entry))
    return found


def environment_of(pid):
    with open(f"/proc/{pid}/environ", "rb") as environ:
        entries = environ.read().split(b"\0")
    return dict(entry.decode().split("=", 1) for entry in entries if b"=" in entry)


class Served:
    """serve-local.sh running with the given routes and data folder, until stop()."""

    def __init__(self, routes_file, data_dir, work_dir, bootstrap, **ports):
        environment = dict(os.environ, LOCAL_DATA_DIR=data_dir,
                           LOCAL_DYNAMODB_PORT=str(ports.get("dynamodb", 0)),
                           LOCAL_S3_PORT=str(ports.get("s3", 0)))
        self.stderr = tempfile.TemporaryFile()
        # Its own session: a failure here never signals the test runner.
        self.process = subprocess.Popen(
            ["bash", SERVE, EMULATOR, bootstrap, routes_file, "0", "off"], cwd=work_dir,
            env=environment, stdout=subprocess.PIPE, stderr=self.stderr, stdin=subprocess.DEVNULL,
            text=True, start_new_session=True)
        self.output = []
        self.port = None
        for line in self.process.stdout:
            self.output.append(line)
            if line.startswith("listening on "):
                self.port = int(line.rsplit(":", 1)[1])
                break
        # `listening on` is printed once the emulator handles SIGTERM: stop() may follow at once.

    def errors(self):
        self.stderr.seek(0)
        return self.stderr.read().decode(errors="replace")

    def get(self, path):
        """The status of a GET through the emulator, errors included."""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=60) as answer:
                return answer.status
        except urllib.error.HTTPError as error:
            error.close()
            return error.code

    def stop(self):
        """SIGTERM, as Ctrl-C or a supervisor would; returns the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            status = self.process.wait(timeout=START_TIMEOUT_SECONDS)
        finally:
            if self.process.poll() is None:
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.stdout.close()
        return status

    def close(self):
        self.stderr.close()


class LocalServicesTest(unittest.TestCase):
    def setUp(self):
        self.work = tempfile.mkdtemp(prefix="cppstack-services-")
        self.data = os.path.join(self.work, ".local")
        with open(ROUTES) as exported:
            table = json.load(exported)
        self.assertNotIn("tables", table, "the base route table must declare nothing")
        self.plain_routes = os.path.join(self.work, "plain-routes.json")
        with open(self.plain_routes, "w") as plain:
            json.dump(table, plain)
        table["tables"] = [RECORDS_TABLE]
        table["buckets"] = [UPLOADS_BUCKET]
        self.routes = os.path.join(self.work, "routes.json")
        with open(self.routes, "w") as declared:
            json.dump(table, declared)
        self.served = []

    def tearDown(self):
        for served in self.served:
            if served.process.poll() is None:
                served.stop()
            served.close()
        shutil.rmtree(self.work, ignore_errors=True)

    def serve(self, routes=None, bootstrap=None, **ports):
        served = Served(routes or self.routes, self.data, self.work, bootstrap or BOOTSTRAP, **ports)
        self.served.append(served)
        return served

    def clients(self):
        with open(os.path.join(self.data, "services.env")) as env_file:
            environment = dict(line.rstrip("\n").split("=", 1) for line in env_file if "=" in line)
        session = boto3.session.Session(aws_access_key_id=environment["AWS_ACCESS_KEY_ID"],
                                        aws_secret_access_key=environment["AWS_SECRET_ACCESS_KEY"],
                                        region_name="us-east-1")
        # s3rver: path-style addresses, payloads sent whole (no streaming checksum trailers).
        try:
            s3_config = Config(s3={"addressing_style": "path"},
                               request_checksum_calculation="when_required",
                               response_checksum_validation="when_required")
        except TypeError:  # botocore before 1.36 (Debian's) sends no checksum trailers at all
            s3_config = Config(s3={"addressing_style": "path"})
        dynamodb = session.client("dynamodb", endpoint_url=environment["AWS_ENDPOINT_URL_DYNAMODB"])
        s3 = session.client("s3", endpoint_url=environment["AWS_ENDPOINT_URL_S3"], config=s3_config)
        return environment, dynamodb, s3

    def assert_started(self, served):
        self.assertIsNotNone(served.port, "".join(served.output) + served.errors())

    def test_declared_resources_exist_survive_a_restart_and_reset_clears_them(self):
        served = self.serve()
        self.assert_started(served)
        environment, dynamodb, s3 = self.clients()

        table = dynamodb.describe_table(TableName="local-records")["Table"]
        self.assertEqual(table["KeySchema"], [{"AttributeName": "owner", "KeyType": "HASH"},
                                              {"AttributeName": "at", "KeyType": "RANGE"}])
        self.assertEqual([index["IndexName"] for index in table["GlobalSecondaryIndexes"]],
                         ["by-kind"])
        self.assertEqual(table["BillingModeSummary"]["BillingMode"], "PAY_PER_REQUEST")
        s3.head_bucket(Bucket="local-uploads")

        # The function runs with the endpoints, credentials and physical names.
        self.assertEqual(served.get("/prod/v1/health"), 200)
        functions = [pid for pid in descendants(served.process.pid)
                     if os.path.realpath(f"/proc/{pid}/exe") == os.path.realpath(BOOTSTRAP)]
        self.assertTrue(functions, "no function process below the emulator")
        function_environment = environment_of(functions[0])
        for name in ("AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_S3", "AWS_ACCESS_KEY_ID",
                     "AWS_SECRET_ACCESS_KEY"):
            self.assertEqual(function_environment.get(name), environment[name], name)
        self.assertEqual(function_environment.get("TABLE_RECORDS"), "local-records")
        self.assertEqual(function_environment.get("BUCKET_UPLOADS"), "local-uploads")
        self.assertTrue(function_environment.get("AWS_REGION"))

        dynamodb.put_item(TableName="local-records",
                          Item={"owner": {"S": "ada"}, "at": {"N": "1"}, "kind": {"S": "note"}})
        s3.put_object(Bucket="local-uploads", Key="notes/1.txt", Body=b"kept")
        self.assertTrue(processes_naming(self.data), "the local servers run with the data folder")
        self.assertEqual(served.stop(), 0, served.errors())
        # The servers and the emulator end with the script.
        self.assertEqual(processes_naming(self.work), [])

        restarted = self.serve()
        self.assert_started(restarted)
        _, dynamodb, s3 = self.clients()
        item = dynamodb.get_item(TableName="local-records",
                                 Key={"owner": {"S": "ada"}, "at": {"N": "1"}})
        self.assertEqual(item["Item"]["kind"], {"S": "note"})
        self.assertEqual(s3.get_object(Bucket="local-uploads", Key="notes/1.txt")["Body"].read(),
                         b"kept")
        self.assertEqual(restarted.stop(), 0, restarted.errors())

        reset = subprocess.run(["make", "-s", "-C", ROOT, "reset-local", f"LOCAL_DATA_DIR={self.data}"],
                               capture_output=True, text=True, timeout=START_TIMEOUT_SECONDS)
        self.assertEqual(reset.returncode, 0, reset.stderr)
        self.assertIn("deleted the local DynamoDB and S3 data", reset.stdout)

        after_reset = self.serve()
        self.assert_started(after_reset)
        _, dynamodb, s3 = self.clients()
        self.assertEqual(dynamodb.scan(TableName="local-records")["Count"], 0)
        self.assertEqual(s3.list_objects_v2(Bucket="local-uploads")["KeyCount"], 0)
        after_reset.stop()

    def test_the_notes_example_gets_the_table_and_bucket_its_cpp_declares(self):
        served = self.serve(routes=NOTES_ROUTES, bootstrap=NOTES_BOOTSTRAP)
        self.assert_started(served)
        environment, dynamodb, s3 = self.clients()
        self.assertEqual(environment["TABLE_NOTES"], "local-notes")
        self.assertEqual(environment["BUCKET_NOTE_ATTACHMENTS"], "local-note-attachments")
        table = dynamodb.describe_table(TableName="local-notes")["Table"]
        self.assertEqual(table["KeySchema"], [{"AttributeName": "id", "KeyType": "HASH"}])
        self.assertEqual(table["AttributeDefinitions"], [{"AttributeName": "id", "AttributeType": "S"}])
        s3.head_bucket(Bucket="local-note-attachments")
        self.assertEqual(served.stop(), 0, served.errors())

    def test_cors_origins_of_the_env_file_may_upload_to_the_local_buckets(self):
        with open(os.path.join(self.work, ".env"), "w") as env_file:
            env_file.write("CORS_ALLOW_ORIGINS=https://app.example.com\n")
        served = self.serve()
        self.assert_started(served)
        environment, _, _ = self.clients()

        def preflight(origin):
            request = urllib.request.Request(
                f"{environment['AWS_ENDPOINT_URL_S3']}/local-uploads/photo.png", method="OPTIONS",
                headers={"Origin": origin, "Access-Control-Request-Method": "PUT",
                         "Access-Control-Request-Headers": "content-type"})
            try:
                with urllib.request.urlopen(request, timeout=60) as answer:
                    return answer.status, answer.headers.get("Access-Control-Allow-Origin")
            except urllib.error.HTTPError as error:
                return error.code, error.headers.get("Access-Control-Allow-Origin")

        # s3rver answers an allowed preflight with "*" where S3 echoes the origin
        # (docs/aws-services.md); which origins are allowed is the same.
        status, allowed_origin = preflight("https://app.example.com")
        self.assertEqual(status, 200)
        self.assertIn(allowed_origin, ("*", "https://app.example.com"))
        self.assertEqual(preflight("https://elsewhere.example.com")[0], 403)
        served.stop()

    def test_a_port_in_use_is_a_clear_error_and_nothing_is_served(self):
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]
            for service, variable, ports in (("DynamoDB (dynalite)", "LOCAL_DYNAMODB_PORT", {"dynamodb": port}),
                                             ("S3 (s3rver)", "LOCAL_S3_PORT", {"s3": port})):
                served = self.serve(**ports)
                self.assertIsNone(served.port)
                self.assertEqual(served.stop(), 1)
                errors = served.errors()
                self.assertIn(f"port {port} of the local {service} is in use on 127.0.0.1", errors)
                self.assertIn(f"{variable}=", errors)
                self.assertIn("nothing is served", errors)
                self.assertEqual(processes_naming(self.work), [])

    def test_a_server_that_fails_to_start_is_a_clear_error(self):
        # A LevelDB store whose manifest is missing: dynalite cannot open it.
        store = os.path.join(self.data, "dynamodb")
        os.makedirs(store)
        with open(os.path.join(store, "CURRENT"), "w") as current:
            current.write("MANIFEST-000404\n")
        served = self.serve()
        self.assertIsNone(served.port)
        self.assertEqual(served.stop(), 1)
        errors = served.errors()
        self.assertIn("the local DynamoDB (dynalite) failed to open its data in", errors)
        self.assertIn("nothing is served", errors)

    def test_a_table_declared_with_other_keys_than_the_local_one_names_the_reset(self):
        served = self.serve()
        self.assert_started(served)
        self.assertEqual(served.stop(), 0, served.errors())
        with open(self.routes) as declared:
            table = json.load(declared)
        table["tables"][0]["sortKey"] = {"name": "at", "type": "S"}
        with open(self.routes, "w") as declared:
            json.dump(table, declared)
        changed = self.serve()
        self.assertIsNone(changed.port)
        self.assertEqual(changed.stop(), 1)
        self.assertIn("the local table local-records exists with other keys or indexes", changed.errors())
        self.assertIn("make reset-local", changed.errors())

    def test_a_route_table_without_resources_starts_no_server(self):
        served = self.serve(routes=self.plain_routes)
        self.assert_started(served)
        self.assertEqual(served.get("/prod/v1/health"), 200)
        self.assertFalse(os.path.exists(self.data))
        names = [os.path.basename(os.path.realpath(f"/proc/{pid}/exe"))
                 for pid in descendants(served.process.pid)]
        self.assertNotIn("node", names)
        served.stop()


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
