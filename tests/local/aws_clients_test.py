#!/usr/bin/env python3
"""start-lambda driven by the real AWS clients: the AWS CLI and boto3 with an endpoint URL.

Usage: aws_clients_test.py CPPSTACK_LOCAL FUNCTION
Starts `cppstack-local start-lambda` on a free port with FUNCTION (a custom-runtime bootstrap
that echoes payloads and fails on {"fail": true}) and checks every invocation type.
"""
import base64
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import unittest

EMULATOR = sys.argv[1] if len(sys.argv) > 1 else ""
FUNCTION = sys.argv[2] if len(sys.argv) > 2 else ""
FUNCTION_NAME = "fixture"

# Any credentials do: the emulator accepts every signature. Isolate from the user's files.
CLIENT_ENVIRONMENT = dict(
    os.environ,
    AWS_ACCESS_KEY_ID="AKIDLOCALTEST",
    AWS_SECRET_ACCESS_KEY="local-test-secret",
    AWS_DEFAULT_REGION="us-east-1",
    AWS_REGION="us-east-1",
    AWS_CONFIG_FILE=os.devnull,
    AWS_SHARED_CREDENTIALS_FILE=os.devnull,
    AWS_EC2_METADATA_DISABLED="true",
    AWS_PAGER="",
)


def cli_version_2():
    version = subprocess.run(["aws", "--version"], capture_output=True, text=True, timeout=60,
                             env=CLIENT_ENVIRONMENT)
    return (version.stdout + version.stderr).startswith("aws-cli/2")


class Emulator:
    def __init__(self):
        self.stderr = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [EMULATOR, "start-lambda", "--bootstrap", FUNCTION, "--function-name",
             FUNCTION_NAME, "--port", "0", "--region", "us-east-1"],
            stdout=subprocess.PIPE, stderr=self.stderr, stdin=subprocess.DEVNULL, text=True)
        line = self.process.stdout.readline()
        if not line.startswith("listening on "):
            raise RuntimeError("emulator did not start: " + line)
        self.endpoint = "http://" + line.split()[-1]

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=15)
        self.process.stdout.close()
        self.stderr.close()
        return code


class AwsClients(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.emulator = Emulator()
        cls.directory = tempfile.mkdtemp()
        # Version 2 reads blobs as base64 unless told otherwise; version 1 takes them raw.
        cls.payload_format = (["--cli-binary-format", "raw-in-base64-out"]
                              if cli_version_2() else [])

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.directory, ignore_errors=True)
        assert cls.emulator.stop() == 0

    def cli(self, *arguments, payload=None, name=FUNCTION_NAME):
        out_file = os.path.join(self.directory, "out.json")
        command = ["aws", "lambda", "invoke", "--endpoint-url", self.emulator.endpoint,
                   "--function-name", name]
        if payload is not None:
            command += ["--payload", payload] + self.payload_format
        command += list(arguments) + [out_file]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120,
                                env=CLIENT_ENVIRONMENT)
        body = None
        if os.path.exists(out_file):
            with open(out_file) as output:
                body = output.read()
            os.remove(out_file)
        return result, body

    def boto3_client(self):
        import boto3
        from botocore.config import Config
        return boto3.client("lambda", endpoint_url=self.emulator.endpoint, region_name="us-east-1",
                            aws_access_key_id="AKIDLOCALTEST",
                            aws_secret_access_key="local-test-secret",
                            config=Config(retries={"max_attempts": 0}))

    def test_cli_request_response(self):
        result, body = self.cli(payload='{"hello":"cli"}')
        self.assertEqual(result.returncode, 0, result.stderr)
        metadata = json.loads(result.stdout)
        self.assertEqual(metadata["StatusCode"], 200)
        self.assertEqual(metadata["ExecutedVersion"], "$LATEST")
        self.assertNotIn("FunctionError", metadata)
        self.assertEqual(json.loads(body), {"hello": "cli"})

    def test_cli_function_error_and_tail(self):
        result, body = self.cli("--log-type", "Tail", payload='{"fail":true,"log":"cli tail"}')
        self.assertEqual(result.returncode, 0, result.stderr)
        metadata = json.loads(result.stdout)
        self.assertEqual(metadata["StatusCode"], 200)
        self.assertEqual(metadata["FunctionError"], "Unhandled")
        self.assertEqual(json.loads(body)["errorType"], "RequestedFailure")
        log = base64.b64decode(metadata["LogResult"]).decode()
        self.assertIn("cli tail", log)
        self.assertIn("REPORT RequestId:", log)

    def test_cli_unknown_function(self):
        result, _ = self.cli(payload="{}", name="missing")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("ResourceNotFoundException", result.stderr)
        self.assertIn("Function not found", result.stderr)

    def test_cli_event_and_dry_run(self):
        result, _ = self.cli("--invocation-type", "Event", payload='{"log":"cli event"}')
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(json.loads(result.stdout)["StatusCode"], 202)
        result, _ = self.cli("--invocation-type", "DryRun", payload="{}")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(json.loads(result.stdout)["StatusCode"], 204)

    def test_boto3_request_response(self):
        response = self.boto3_client().invoke(FunctionName=FUNCTION_NAME,
                                              Payload=b'{"hello":"boto3"}')
        self.assertEqual(response["StatusCode"], 200)
        self.assertEqual(response["ExecutedVersion"], "$LATEST")
        self.assertEqual(json.loads(response["Payload"].read()), {"hello": "boto3"})

    def test_boto3_arn_error_and_tail(self):
        client = self.boto3_client()
        response = client.invoke(
            FunctionName="arn:aws:lambda:us-east-1:123456789012:function:" + FUNCTION_NAME,
            Payload=b'{"fail":true,"log":"boto3 tail"}', LogType="Tail")
        self.assertEqual(response["StatusCode"], 200)
        self.assertEqual(response["FunctionError"], "Unhandled")
        self.assertEqual(json.loads(response["Payload"].read())["errorMessage"],
                         "requested failure")
        self.assertIn("boto3 tail", base64.b64decode(response["LogResult"]).decode())

    def test_boto3_event_dry_run_and_missing_function(self):
        client = self.boto3_client()
        self.assertEqual(client.invoke(FunctionName=FUNCTION_NAME, InvocationType="Event",
                                       Payload=b"{}")["StatusCode"], 202)
        self.assertEqual(client.invoke(FunctionName=FUNCTION_NAME, InvocationType="DryRun",
                                       Payload=b"{}")["StatusCode"], 204)
        with self.assertRaises(client.exceptions.ResourceNotFoundException) as caught:
            client.invoke(FunctionName="missing", Payload=b"{}")
        self.assertIn("Function not found", str(caught.exception))

    def test_boto3_invalid_payload_and_qualified_name(self):
        # Invoke API reference, Errors: InvalidRequestContentException (400) "The request body
        # could not be parsed as JSON"; recorded CLI/SDK messages begin "Could not parse request
        # body into json". Both invocation types; boto3 maps the error type to its exception.
        client = self.boto3_client()
        for invocation_type in ("RequestResponse", "Event"):
            with self.assertRaises(client.exceptions.InvalidRequestContentException) as caught:
                client.invoke(FunctionName=FUNCTION_NAME, InvocationType=invocation_type,
                              Payload=b"not json")
            self.assertIn("Could not parse request body into json", str(caught.exception))
        # A qualifier on the plain name ("NAME:$LATEST") names the function too.
        response = client.invoke(FunctionName=FUNCTION_NAME + ":$LATEST", Payload=b'{"q":1}')
        self.assertEqual(response["StatusCode"], 200)
        self.assertEqual(json.loads(response["Payload"].read()), {"q": 1})


if __name__ == "__main__":
    if not EMULATOR or not FUNCTION:
        sys.exit(__doc__)
    result = unittest.main(argv=[sys.argv[0], "-v"], exit=False).result
    failed = len(result.failures) + len(result.errors)
    print(f"{result.testsRun - failed} passed, {failed} failed")
    sys.exit(1 if failed or result.testsRun == 0 else 0)
