#!/usr/bin/env python3
"""Every auth mode under `make run` with nothing to set up: start-api as scripts/run.sh starts it
(--local-auth-dir, --iam-credentials-env, --print-calls), then the printed curl lines, the token
command, API keys of .env, IAM credentials from the environment (never on the command line)
and a route that wants a key and a token at once.

Usage: local_auth_test.py CPPSTACK_LOCAL FUNCTION
FUNCTION echoes the proxy event it receives for paths under /echo.

The answers are API Gateway's (docs.aws.amazon.com/apigateway/latest/developerguide/
supported-gateway-response-types.html): a missing or unknown API key is API_KEY, 403
{"message":"Forbidden"} ("API Gateway reads the key and compares it against the keys in the
usage plan ... Otherwise ... the caller receives a 403 Forbidden response",
api-gateway-api-key-source.html); a missing or invalid Cognito token is UNAUTHORIZED, 401
{"message":"Unauthorized"}. A method may require an API key and an authorizer together ("You
can use API keys together with Lambda authorizers, IAM roles, or Amazon Cognito",
api-gateway-api-usage-plans.html; AWS::ApiGateway::Method has ApiKeyRequired beside
AuthorizationType).
"""
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import unittest

EMULATOR = sys.argv[1] if len(sys.argv) > 1 else ""
FUNCTION = sys.argv[2] if len(sys.argv) > 2 else ""
REGION = "eu-west-1"
ENV_ACCESS_KEY = "AKIAENVIRONMENT00001"
ENV_SECRET = "environment-secret-never-on-a-command-line"
PARTNER_KEY = "partnerkey0123456789ab"

ROUTES = {"formatVersion": 1, "routes": [
    {"method": "GET", "path": "/echo/open", "handler": "echo", "auth": "none"},
    {"method": "GET", "path": "/env", "handler": "env", "auth": "none"},
    {"method": "GET", "path": "/echo/user", "handler": "echo", "auth": "cognito"},
    {"method": "GET", "path": "/echo/notes/{id}", "handler": "echo", "auth": "cognito",
     "authorizationScopes": ["notes/read"]},
    {"method": "POST", "path": "/echo/signed", "handler": "echo", "auth": "iam"},
    {"method": "GET", "path": "/echo/keyed", "handler": "echo", "auth": "apiKey"},
    {"method": "GET", "path": "/echo/both", "handler": "echo", "auth": "cognito",
     "apiKeyRequired": True},
]}


def curl(base, path, headers=()):
    command = ["curl", "-s", "-o", "-", "-w", "\n%{http_code}", base + path]
    for header in headers:
        command += ["-H", header]
    output = subprocess.run(command, check=True, capture_output=True, text=True, timeout=30).stdout
    body, _, status = output.rpartition("\n")
    return int(status), body


class MakeRunAuth(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.directory = tempfile.TemporaryDirectory()
        cls.auth_dir = os.path.join(cls.directory.name, "local-auth")
        routes = os.path.join(cls.directory.name, "routes.json")
        with open(routes, "w") as file:
            json.dump(ROUTES, file)
        cls.env_file = os.path.join(cls.directory.name, "env")
        with open(cls.env_file, "w") as file:
            file.write("API_USAGE_PLANS=basic:quota=1000/DAY,partner\n"
                       f"API_KEYS=web:basic,partner-a:partner:{PARTNER_KEY}\n")
        environment = dict(os.environ, AWS_ACCESS_KEY_ID=ENV_ACCESS_KEY,
                           AWS_SECRET_ACCESS_KEY=ENV_SECRET)
        cls.stderr = tempfile.TemporaryFile()
        cls.process = subprocess.Popen(
            [EMULATOR, "start-api", "--bootstrap", FUNCTION, "--routes", routes, "--port", "0",
             "--env-file", cls.env_file, "--region", REGION, "--local-auth-dir", cls.auth_dir,
             "--iam-credentials-env", "--print-calls"],
            stdout=subprocess.PIPE, stderr=cls.stderr, stdin=subprocess.DEVNULL, text=True,
            env=environment)
        line = cls.process.stdout.readline()
        if not line.startswith("listening on "):
            cls.stderr.seek(0)
            raise RuntimeError("emulator did not start: " + line + cls.stderr.read().decode())
        cls.base = "http://" + line.split()[-1]
        cls.calls = {}
        assert cls.process.stdout.readline().startswith("protected routes")
        for _ in range(5):
            route = cls.process.stdout.readline().strip()
            cls.calls[route] = cls.process.stdout.readline().strip()

    @classmethod
    def tearDownClass(cls):
        cls.process.send_signal(signal.SIGTERM)
        assert cls.process.wait(timeout=15) == 0
        cls.process.stdout.close()
        cls.stderr.close()
        cls.directory.cleanup()

    def token(self, *arguments):
        return subprocess.run(
            [EMULATOR, "token", "--local-auth-dir", self.auth_dir, "--env-file", self.env_file,
             "--region", REGION, *arguments],
            check=True, capture_output=True, text=True, timeout=60).stdout.strip()

    def test_each_printed_curl_line_calls_its_route(self):
        self.assertEqual(sorted(self.calls), [
            "GET /echo/both (cognito + apiKey):", "GET /echo/keyed (apiKey):",
            "GET /echo/notes/{id} (cognito):", "GET /echo/user (cognito):",
            "POST /echo/signed (iam):"])
        for route, line in self.calls.items():
            with self.subTest(route):
                self.assertTrue(line.startswith("curl ") or line.startswith("(set -a;"), line)
                result = subprocess.run(["bash", "-c", line], capture_output=True, text=True,
                                        timeout=60)
                self.assertIn("HTTP/1.1 200 OK", result.stdout, line + "\n" + result.stderr)

    def test_tokens_of_the_token_command_carry_the_chosen_claims(self):
        token = self.token("--username", "bob", "--group", "admins", "--group", "ops",
                           "--claim", "custom:tier=gold")
        status, body = curl(self.base, "/prod/echo/user", [f"Authorization: {token}"])
        self.assertEqual(status, 200, body)
        claims = json.loads(body)["requestContext"]["authorizer"]["claims"]
        self.assertEqual(claims["cognito:username"], "bob")
        self.assertEqual(claims["cognito:groups"], "admins,ops")
        self.assertEqual(claims["custom:tier"], "gold")
        self.assertEqual(claims["iss"],
                         f"https://cognito-idp.{REGION}.amazonaws.com/{REGION}_cppstackLocal")
        access = self.token("--access", "--scope", "notes/read")
        status, body = curl(self.base, "/prod/echo/notes/7", [f"Authorization: Bearer {access}"])
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(body)["requestContext"]["authorizer"]["claims"]["scope"],
                         "notes/read")

    def test_the_function_knows_the_local_app_client_as_it_knows_the_stacks_own(self):
        # The stack gives the function COGNITO_APP_CLIENT_IDS of the pool it creates; locally
        # the local issuer's client, the aud of its ID tokens.
        status, body = curl(self.base, "/prod/env")
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(body)["COGNITO_APP_CLIENT_IDS"], "cppstacklocalclient")
        status, body = curl(self.base, "/prod/echo/user", [f"Authorization: {self.token()}"])
        self.assertEqual(json.loads(body)["requestContext"]["authorizer"]["claims"]["aud"],
                         "cppstacklocalclient")

    def test_refused_tokens_are_401(self):
        # An expired token gets Cognito's recorded message (amplify-js#6060), a wrong scope the
        # plain Unauthorized.
        cases = {"expired": ("/prod/echo/user", self.token("--expired"),
                             "The incoming token has expired"),
                 "access token without the scope": (
                     "/prod/echo/notes/7", self.token("--access", "--scope", "other/x"),
                     "Unauthorized")}
        for name, (path, token, message) in cases.items():
            with self.subTest(name):
                status, body = curl(self.base, path, [f"Authorization: {token}"])
                self.assertEqual((status, json.loads(body)), (401, {"message": message}))

    def test_api_keys_of_env_pass_and_any_other_key_is_403_forbidden(self):
        status, body = curl(self.base, "/prod/echo/keyed", [f"x-api-key: {PARTNER_KEY}"])
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(body)["requestContext"]["identity"]["apiKey"], PARTNER_KEY)
        with open(os.path.join(self.auth_dir, "api-keys", "web")) as file:
            generated = file.read().strip()
        self.assertEqual(curl(self.base, "/prod/echo/keyed", [f"x-api-key: {generated}"])[0], 200)
        for headers in ([], ["x-api-key: madeupkey0123456789abcd"]):
            with self.subTest(headers):
                status, body = curl(self.base, "/prod/echo/keyed", headers)
                self.assertEqual((status, json.loads(body)), (403, {"message": "Forbidden"}))

    def test_a_route_may_want_a_key_and_a_token_at_once(self):
        token = self.token()
        status, body = curl(self.base, "/prod/echo/both",
                            [f"Authorization: {token}", f"x-api-key: {PARTNER_KEY}"])
        self.assertEqual(status, 200, body)
        event = json.loads(body)
        self.assertEqual(event["requestContext"]["identity"]["apiKey"], PARTNER_KEY)
        self.assertIn("claims", event["requestContext"]["authorizer"])
        status, body = curl(self.base, "/prod/echo/both", [f"Authorization: {token}"])
        self.assertEqual((status, json.loads(body)), (403, {"message": "Forbidden"}))
        status, body = curl(self.base, "/prod/echo/both", [f"x-api-key: {PARTNER_KEY}"])
        self.assertEqual((status, json.loads(body)), (401, {"message": "Unauthorized"}))

    def test_iam_credentials_of_the_environment_sign_and_never_show_in_ps(self):
        status = subprocess.run(
            ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST",
             "--aws-sigv4", f"aws:amz:{REGION}:execute-api",
             "--user", f"{ENV_ACCESS_KEY}:{ENV_SECRET}", self.base + "/prod/echo/signed"],
            check=True, capture_output=True, text=True, timeout=30).stdout
        self.assertEqual(status, "200")
        with open(f"/proc/{self.process.pid}/cmdline", "rb") as file:
            arguments = file.read().decode()
        self.assertNotIn(ENV_SECRET, arguments)
        listing = subprocess.run(["ps", "-ww", "-o", "args=", "-p", str(self.process.pid)],
                                 check=True, capture_output=True, text=True, timeout=30).stdout
        self.assertIn("start-api", listing)
        self.assertNotIn(ENV_SECRET, listing)
        with open(os.path.join(self.auth_dir, "iam", "credentials")) as file:
            generated_secret = re.search(r"aws_secret_access_key = (\S+)", file.read()).group(1)
        self.assertNotIn(generated_secret, listing)

    def test_a_secret_on_the_command_line_is_refused(self):
        result = subprocess.run(
            [EMULATOR, "start-api", "--bootstrap", FUNCTION, "--port", "0",
             "--iam-credentials", "AKIDEXAMPLE:a-secret"],
            capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("visible to every user of the machine (ps)", result.stderr)


class SessionCredentials(unittest.TestCase):
    """Temporary credentials (an SSO or role session) from the environment or a credentials
    file sign with their session token: X-Amz-Security-Token must carry it, signed ("If you are
    using temporary security credentials, you must include X-Amz-Security-Token",
    docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html)."""

    SESSION_KEY = "ASIAENVIRONMENTSESSN"
    SESSION_SECRET = "session-secret-of-a-role"
    SESSION_TOKEN = "IQoJb3JpZ2luX2VjEJr//////////wEaCWV1LXdlc3QtMSJHMEUCIQ+session="
    FILE_KEY = "ASIAFILESESSION00001"
    FILE_TOKEN = "FwoGZXIvYXdzEBYaDfile+token/value=="

    @classmethod
    def setUpClass(cls):
        cls.directory = tempfile.TemporaryDirectory()
        routes = os.path.join(cls.directory.name, "routes.json")
        with open(routes, "w") as file:
            json.dump({"formatVersion": 1, "routes": [
                route for route in ROUTES["routes"] if route["auth"] in ("none", "iam")]}, file)
        credentials = os.path.join(cls.directory.name, "credentials")
        with open(credentials, "w") as file:
            file.write(f"[sso-developer]\naws_access_key_id = {cls.FILE_KEY}\n"
                       f"aws_secret_access_key = file-session-secret\n"
                       f"aws_session_token = {cls.FILE_TOKEN}\n")
        environment = dict(os.environ, AWS_ACCESS_KEY_ID=cls.SESSION_KEY,
                           AWS_SECRET_ACCESS_KEY=cls.SESSION_SECRET,
                           AWS_SESSION_TOKEN=cls.SESSION_TOKEN)
        cls.stderr = tempfile.TemporaryFile()
        cls.process = subprocess.Popen(
            [EMULATOR, "start-api", "--bootstrap", FUNCTION, "--routes", routes, "--port", "0",
             "--region", REGION, "--iam-credentials-env", "--iam-credentials-file", credentials],
            stdout=subprocess.PIPE, stderr=cls.stderr, stdin=subprocess.DEVNULL, text=True,
            env=environment)
        line = cls.process.stdout.readline()
        if not line.startswith("listening on "):
            cls.stderr.seek(0)
            raise RuntimeError("emulator did not start: " + line + cls.stderr.read().decode())
        cls.base = "http://" + line.split()[-1]

    @classmethod
    def tearDownClass(cls):
        cls.process.send_signal(signal.SIGTERM)
        cls.process.wait(timeout=30)
        cls.directory.cleanup()

    def signed_post(self, key, secret, token):
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials
        import urllib.error
        import urllib.request
        request = AWSRequest(method="POST", url=self.base + "/prod/echo/signed", data=b"{}")
        SigV4Auth(Credentials(key, secret, token), "execute-api", REGION).add_auth(request)
        prepared = urllib.request.Request(request.url, data=b"{}", method="POST",
                                          headers=dict(request.headers.items()))
        try:
            with urllib.request.urlopen(prepared, timeout=30) as answer:
                return answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def test_a_session_of_the_environment_signs_with_its_token(self):
        status, event = self.signed_post(self.SESSION_KEY, self.SESSION_SECRET, self.SESSION_TOKEN)
        self.assertEqual(status, 200, event)
        self.assertEqual(event["requestContext"]["identity"]["accessKey"], self.SESSION_KEY)

    def test_a_session_of_a_credentials_file_signs_with_its_token(self):
        status, event = self.signed_post(self.FILE_KEY, "file-session-secret", self.FILE_TOKEN)
        self.assertEqual(status, 200, event)

    def test_a_session_key_without_its_token_is_refused(self):
        status, body = self.signed_post(self.SESSION_KEY, self.SESSION_SECRET, None)
        self.assertEqual(status, 403, body)
        status, body = self.signed_post(self.FILE_KEY, "file-session-secret", "another-token")
        self.assertEqual(status, 403, body)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0]], verbosity=2)
