"""The deployable package: a fully static, stripped bootstrap that runs anywhere, zipped
with bootstrap at the root and mode 0755, within the size budget."""

import http.server
import json
import os
import queue
import stat
import subprocess
import tempfile
import threading
import unittest
import zipfile

BOOTSTRAP = os.environ["CPPSTACK_BOOTSTRAP"]
FUNCTION_ZIP = os.environ["CPPSTACK_FUNCTION_ZIP"]
MAX_ZIP_BYTES = 1024 * 1024


class RuntimeApi:
    """A minimal Lambda Runtime API on loopback: hands out queued events and records posts."""

    def __init__(self, events):
        self.events = queue.Queue()
        for event in events:
            self.events.put(event)
        self.posts = queue.Queue()
        api = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                if self.path != "/2018-06-01/runtime/invocation/next":
                    self.send_error(404)
                    return
                try:
                    request_id, body = api.events.get(timeout=30)
                except queue.Empty:
                    self.send_error(500)
                    return
                payload = body.encode()
                self.send_response(200)
                self.send_header("Lambda-Runtime-Aws-Request-Id", request_id)
                self.send_header("Lambda-Runtime-Deadline-Ms", "9999999999999")
                self.send_header("Lambda-Runtime-Invoked-Function-Arn",
                                 "arn:aws:lambda:us-east-1:123456789012:function:test")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length).decode()
                api.posts.put((self.path, dict(self.headers), body))
                reply = b'{"status":"OK"}'
                self.send_response(202)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.address = "127.0.0.1:%d" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def proxy_event(path):
    return json.dumps({
        "resource": path, "path": path, "httpMethod": "GET",
        "headers": None, "multiValueHeaders": None,
        "queryStringParameters": None, "multiValueQueryStringParameters": None,
        "pathParameters": None, "stageVariables": None,
        "requestContext": {"stage": "prod", "requestId": "api-1", "path": "/prod" + path},
        "body": None, "isBase64Encoded": False,
    })


def run_bootstrap(api, extra_environment=None):
    """Runs the copied bootstrap from an empty directory with a bare environment."""
    workdir = tempfile.mkdtemp()
    binary = os.path.join(workdir, "bootstrap")
    with open(BOOTSTRAP, "rb") as source, open(binary, "wb") as target:
        target.write(source.read())
    os.chmod(binary, 0o755)
    empty = tempfile.mkdtemp()
    environment = {"AWS_LAMBDA_RUNTIME_API": api.address}
    environment.update(extra_environment or {})
    return subprocess.Popen([binary], cwd=empty, env=environment,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


class StaticBinary(unittest.TestCase):
    def readelf(self, *flags):
        return subprocess.run(["readelf", *flags, BOOTSTRAP], check=True,
                              capture_output=True, text=True).stdout

    def test_has_no_interpreter_and_needs_no_shared_library(self):
        self.assertNotIn("INTERP", self.readelf("--program-headers"))
        self.assertNotIn("(NEEDED)", self.readelf("--dynamic"))

    def test_is_stripped(self):
        self.assertNotIn(".symtab", self.readelf("--section-headers"))

    def test_carries_no_openssl(self):
        # OpenSSL is linked into the local emulator only (JWT and SigV4 checks); a static
        # libcrypto in bootstrap would show its version string.
        with open(BOOTSTRAP, "rb") as binary:
            content = binary.read()
        self.assertNotIn(b"OpenSSL 3", content)
        self.assertNotIn(b"libcrypto", content)


class FunctionZip(unittest.TestCase):
    def test_holds_only_bootstrap_at_the_root_with_mode_0755(self):
        with zipfile.ZipFile(FUNCTION_ZIP) as archive:
            entries = archive.infolist()
            self.assertEqual([entry.filename for entry in entries], ["bootstrap"])
            mode = entries[0].external_attr >> 16
            self.assertTrue(stat.S_ISREG(mode))
            self.assertEqual(stat.S_IMODE(mode), 0o755)
            with open(BOOTSTRAP, "rb") as binary:
                self.assertEqual(archive.read("bootstrap"), binary.read())

    def test_is_within_the_size_budget(self):
        self.assertLessEqual(os.path.getsize(FUNCTION_ZIP), MAX_ZIP_BYTES)


class RunsAnywhere(unittest.TestCase):
    def test_answers_from_an_empty_directory_with_only_the_runtime_api_set(self):
        api = RuntimeApi([("req-1", proxy_event("/v1/health")),
                          ("req-2", "this is not json"),
                          ("req-3", proxy_event("/v1/metadata"))])
        process = run_bootstrap(api)
        try:
            path, _, body = api.posts.get(timeout=20)
            self.assertEqual(path, "/2018-06-01/runtime/invocation/req-1/response")
            response = json.loads(body)
            self.assertEqual(response["statusCode"], 200)
            self.assertEqual(json.loads(response["body"])["status"], "pass")

            path, headers, body = api.posts.get(timeout=20)
            self.assertEqual(path, "/2018-06-01/runtime/invocation/req-2/error")
            self.assertIn("errorMessage", json.loads(body))
            self.assertEqual(headers.get("Lambda-Runtime-Function-Error-Type"),
                             "Function.UnhandledException")

            path, _, body = api.posts.get(timeout=20)
            self.assertEqual(path, "/2018-06-01/runtime/invocation/req-3/response")
            metadata = json.loads(json.loads(body)["body"])
            self.assertEqual(metadata["stage"], "prod")
            self.assertNotIn("requestId", metadata, "per-request facts are in the access line")
            self.assertIsNone(process.poll(), "bootstrap must keep serving")
            process.kill()
            _, stderr = process.communicate(timeout=20)
            access = [json.loads(line) for line in stderr.decode().splitlines()
                      if line.startswith("{") and '"function_request_id":"req-3"' in line
                      and '"http_method"' in line]
            self.assertEqual(len(access), 1, stderr.decode())
            self.assertEqual(access[0]["message"], "GET /v1/metadata 200")
            self.assertFalse(access[0]["cold_start"])
        finally:
            process.kill()
            process.wait()
            api.close()

    def test_bad_configuration_is_an_init_error_and_a_non_zero_exit(self):
        api = RuntimeApi([])
        process = run_bootstrap(api, {"APPLICATION": "not valid!"})
        try:
            path, headers, body = api.posts.get(timeout=20)
            self.assertEqual(path, "/2018-06-01/runtime/init/error")
            self.assertIn("APPLICATION", json.loads(body)["errorMessage"])
            self.assertTrue(headers.get("Lambda-Runtime-Function-Error-Type", "").startswith("Runtime."))
            self.assertNotEqual(process.wait(timeout=20), 0)
        finally:
            if process.poll() is None:
                process.kill()
            api.close()


if __name__ == "__main__":
    unittest.main()
