#!/usr/bin/env python3
"""start-api's gateway checks driven by real clients: curl, a JWT signed with an RSA key made
by openssl at test time, and a SigV4 signature made by botocore.

Usage: gateway_auth_test.py CPPSTACK_LOCAL FUNCTION
FUNCTION echoes the proxy event it receives for paths under /echo.

The expected answers are API Gateway's:
- Cognito authorizer: 401 {"message":"Unauthorized"} (gateway response UNAUTHORIZED,
  docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html);
  claims are strings, exp/iat written like "Tue Apr 04 18:39:39 UTC 2023"
  (repost.aws/questions/QUFJRBaEJRSmmqarNrvCWoQA shows such an event). A method without OAuth
  scopes takes ID tokens only ("If you do not configure any authorization scopes, API Gateway
  treats the supplied token as an identity token", apigateway-enable-cognito-user-pool.html;
  an access token there got {"message":"Unauthorized"} in aws-amplify/amplify-android#935); a
  method with scopes takes access tokens holding any one of them ("The method invocation is
  authorized if any method scopes matches a claimed scope in the access token", CloudFormation's
  AWS::ApiGateway::Method AuthorizationScopes). aud is not compared with the pool's app clients:
  API Gateway does that only through a token validation expression, which the stack sets none
  of (same page).
- IAM: 403 "Missing Authentication Token" without a signature; "The request signature we
  calculated does not match ..." with the canonical string (recorded in mhart/aws4#33 and
  aws/aws-sdk-js#2372); "Signature expired: ... (... - 5 min.)" (mhart/aws4#118); the
  IncompleteSignatureException text for a non-SigV4 Authorization header.
- Cognito expiry: 401 {"message":"The incoming token has expired"} (aws-amplify/amplify-js#6060);
  nbf (RFC 7519 section 4.1.5); NumericDates with fractions and huge values (RFC 7519 section 2).
- Order of checks: "How API Gateway resource policies affect authorization workflow" (API
  Gateway developer guide): Cognito and IAM authenticate before the resource policy; the
  deny names an IAM caller by ARN. IAM identity policies: IAM's policy evaluation logic.
- Resource policy: 403 {"Message":"User: anonymous is not authorized to perform:
  execute-api:Invoke on resource: arn:aws:execute-api:REGION:********NNNN:API/STAGE/GET/..."}
  (ASFHyP3/hyp3#2283, serverless/serverless#5071: the account masked but for 4 digits).
- Quota: 429 {"message":"Limit Exceeded"}, x-amzn-ErrorType LimitExceededException
  (massif-press/compcon#2237).
- CORS preflight: the CDK's mock OPTIONS method (aws-cdk-lib Resource.addCorsPreflight): 204,
  first origin or the request's when it is another allowed one, Vary: Origin.
"""
import base64
import datetime
import http.server
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest
from unittest import mock

EMULATOR = sys.argv[1] if len(sys.argv) > 1 else ""
FUNCTION = sys.argv[2] if len(sys.argv) > 2 else ""

REGION = "us-east-1"
POOL_ID = "us-east-1_TestPool1"
ISSUER = f"https://cognito-idp.{REGION}.amazonaws.com/{POOL_ID}"
CLIENT_ID = "client-a"
ACCESS_KEY = "AKIDLOCALGATEWAY1"
SECRET_KEY = "local-gateway-secret-key"
ORIGINS = ["https://app.example", "https://admin.example"]
QUOTA_KEYS = ["quotakey1x0123456789ab", "quotakey2x0123456789ab"]

ROUTES = {"formatVersion": 1, "routes": [
    {"method": "GET", "path": "/echo/open", "handler": "echo", "auth": "none"},
    {"method": "GET", "path": "/echo/user", "handler": "echo", "auth": "cognito"},
    {"method": "GET", "path": "/echo/notes", "handler": "echo", "auth": "cognito",
     "authorizationScopes": ["notes/read", "notes/admin"]},
    {"method": "POST", "path": "/echo/signed", "handler": "echo", "auth": "iam"},
    {"method": "GET", "path": "/echo/keyed", "handler": "echo", "auth": "apiKey"},
]}


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class RsaKey:
    """An RSA key made by the openssl command line, and JWTs signed with it."""

    def __init__(self, directory, name, kid):
        self.path = os.path.join(directory, name + ".pem")
        self.kid = kid
        subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt",
                        "rsa_keygen_bits:2048", "-out", self.path], check=True,
                       capture_output=True, timeout=60)
        modulus = subprocess.run(["openssl", "rsa", "-in", self.path, "-noout", "-modulus"],
                                 check=True, capture_output=True, text=True, timeout=60)
        self.modulus = bytes.fromhex(modulus.stdout.strip().split("=", 1)[1])

    def jwk(self):
        return {"kty": "RSA", "alg": "RS256", "use": "sig", "kid": self.kid,
                "n": b64url(self.modulus), "e": b64url((65537).to_bytes(3, "big"))}

    def token(self, claims, kid=None):
        header = b64url(json.dumps({"kid": kid or self.kid, "alg": "RS256"}).encode())
        payload = b64url(json.dumps(claims).encode())
        signed = f"{header}.{payload}".encode()
        signature = subprocess.run(["openssl", "dgst", "-sha256", "-sign", self.path],
                                   input=signed, check=True, capture_output=True, timeout=60)
        return f"{header}.{payload}.{b64url(signature.stdout)}"


def id_claims(**overrides):
    now = int(time.time())
    claims = {"sub": "5f1b2c3d-0000-4000-8000-000000000001", "cognito:groups": ["admins", "ops"],
              "email_verified": True, "iss": ISSUER, "cognito:username": "alice",
              "aud": CLIENT_ID, "token_use": "id", "auth_time": now, "exp": now + 3600,
              "iat": now, "email": "alice@example.com"}
    claims.update(overrides)
    return claims


def access_claims(scope, **overrides):
    """An access token's claims; scope None: no scope claim at all."""
    claims = id_claims(token_use="access", client_id=CLIENT_ID, scope=scope, **overrides)
    del claims["aud"]  # an access token names its app client in client_id
    if scope is None:
        del claims["scope"]
    return claims


class JwksServer:
    """The user pool's JWKS on a loopback URL, as --cognito-jwks accepts it; `serve` rotates
    the keys, `reads` counts the GETs."""

    def __init__(self, document):
        self.lock = threading.Lock()
        self.reads = 0
        self.delay = 0.0  # seconds before each answer
        self.serve(document)
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                with server.lock:
                    server.reads += 1
                    body = server.body
                    delay = server.delay
                time.sleep(delay)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/.well-known/jwks.json"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def serve(self, document):
        with self.lock:
            self.body = json.dumps(document).encode()

    def read_count(self):
        with self.lock:
            return self.reads

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class Emulator:
    def __init__(self, directory, env_lines, jwks, extra_args=()):
        routes = os.path.join(directory, "routes.json")
        with open(routes, "w") as file:
            json.dump(ROUTES, file)
        env_file = os.path.join(directory, f"env-{id(self)}")
        with open(env_file, "w") as file:
            file.write("\n".join(env_lines) + "\n")
        # The secret reaches the emulator in a file, never on its command line (ps shows it).
        credentials = os.path.join(directory, "credentials")
        with open(credentials, "w") as file:
            file.write(f"[ci-deployer]\naws_access_key_id = {ACCESS_KEY}\n"
                       f"aws_secret_access_key = {SECRET_KEY}\n")
        self.stderr = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [EMULATOR, "start-api", "--bootstrap", FUNCTION, "--routes", routes, "--port", "0",
             "--env-file", env_file, "--region", REGION, "--cognito-jwks", jwks,
             "--iam-credentials-file", credentials, *extra_args],
            stdout=subprocess.PIPE, stderr=self.stderr, stdin=subprocess.DEVNULL, text=True)
        line = self.process.stdout.readline()
        if not line.startswith("listening on "):
            self.stderr.seek(0)
            raise RuntimeError("emulator did not start: " + line + self.stderr.read().decode())
        self.base = "http://" + line.split()[-1]

    def curl(self, method, path, headers=(), body=None):
        """One request with curl: (status, headers with lower-case names, body text)."""
        with tempfile.NamedTemporaryFile() as header_file, tempfile.NamedTemporaryFile() as body_file:
            command = ["curl", "-s", "-X", method, "-D", header_file.name, "-o", body_file.name,
                       "-w", "%{http_code}", self.base + path]
            for header in headers:
                command += ["-H", header]
            if body is not None:
                command += ["--data-binary", body]
            status = subprocess.run(command, check=True, capture_output=True, text=True,
                                    timeout=30).stdout
            with open(header_file.name, newline="") as written:
                raw_headers = written.read().splitlines()[1:]
            parsed = {}
            for line in raw_headers:
                if ":" in line:
                    name, value = line.split(":", 1)
                    parsed[name.strip().lower()] = value.strip()
            with open(body_file.name) as written:
                return int(status), parsed, written.read()

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=15)
        self.process.stdout.close()
        self.stderr.close()
        return code


def signing_clock(when):
    """Makes botocore's SigV4 signer sign at `when`. Newer botocore reads the time through
    botocore.auth.get_current_datetime; Debian bookworm's (1.29) calls datetime.datetime.utcnow()."""
    import botocore.auth
    if hasattr(botocore.auth, "get_current_datetime"):
        return mock.patch("botocore.auth.get_current_datetime", return_value=when)
    clock = mock.MagicMock(wraps=datetime)
    clock.datetime.utcnow.return_value = when
    return mock.patch("botocore.auth.datetime", clock)


def signed_post(emulator, access_key, secret, when=None, body=b'{"n":1}'):
    """POST /prod/echo/signed?b=2&a=1 signed by botocore, sent with curl."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    request = AWSRequest(method="POST", url=emulator.base + "/prod/echo/signed?b=2&a=1",
                         data=body, headers={"Content-Type": "application/json"})
    signer = SigV4Auth(Credentials(access_key, secret), "execute-api", REGION)
    if when is None:
        signer.add_auth(request)
    else:
        with signing_clock(when):
            signer.add_auth(request)
    headers = [f"{name}: {value}" for name, value in request.headers.items()]
    return emulator.curl("POST", "/prod/echo/signed?b=2&a=1", headers, body)


class GatewayChecks(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.directory = tempfile.TemporaryDirectory()
        cls.key = RsaKey(cls.directory.name, "pool", "pool-key-1")
        cls.other_key = RsaKey(cls.directory.name, "other", "pool-key-1")
        jwks = {"keys": [cls.key.jwk()]}
        cls.jwks_server = JwksServer(jwks)
        jwks_file = os.path.join(cls.directory.name, "jwks.json")
        with open(jwks_file, "w") as file:
            json.dump(jwks, file)
        common = [f"COGNITO_USER_POOL_ID={POOL_ID}", f"COGNITO_APP_CLIENT_IDS={CLIENT_ID}",
                  "CORS_ALLOW_ORIGINS=" + ",".join(ORIGINS), "CORS_ALLOW_CREDENTIALS=true",
                  "API_QUOTA_LIMIT=3", "API_QUOTA_PERIOD=DAY",
                  f"API_KEYS=one:default:{QUOTA_KEYS[0]},two:default:{QUOTA_KEYS[1]}"]
        cls.api = Emulator(cls.directory.name,
                           common + ["API_ALLOWED_SOURCE_IPS=127.0.0.1/32, ::1"],
                           cls.jwks_server.url)
        cls.denied = Emulator(cls.directory.name,
                              common + ["API_ALLOWED_SOURCE_IPS=192.0.2.0/24"], jwks_file)

    @classmethod
    def tearDownClass(cls):
        assert cls.api.stop() == 0
        assert cls.denied.stop() == 0
        cls.jwks_server.stop()
        cls.directory.cleanup()

    def assert_gateway_error(self, answer, status, message, error_type, key="message"):
        code, headers, body = answer
        self.assertEqual(code, status, body)
        self.assertEqual(json.loads(body), {key: message})
        self.assertEqual(headers.get("x-amzn-errortype"), error_type)

    # Cognito -----------------------------------------------------------------------------

    def test_cognito_id_token_reaches_the_function_with_string_claims(self):
        token = self.key.token(id_claims())
        code, _, body = self.api.curl("GET", "/prod/echo/user", [f"Authorization: {token}"])
        self.assertEqual(code, 200, body)
        claims = json.loads(body)["requestContext"]["authorizer"]["claims"]
        self.assertTrue(all(isinstance(value, str) for value in claims.values()), claims)
        self.assertEqual(claims["cognito:username"], "alice")
        self.assertEqual(claims["email_verified"], "true")
        self.assertEqual(claims["cognito:groups"], "admins,ops")
        self.assertEqual(claims["token_use"], "id")
        self.assertRegex(claims["exp"], r"^[A-Z][a-z]{2} [A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d UTC \d{4}$")
        self.assertRegex(claims["auth_time"], r"^\d+$")

    def test_cognito_id_token_of_any_app_client_of_the_pool(self):
        code, _, body = self.api.curl("GET", "/prod/echo/user",
                                      [f"Authorization: {self.key.token(id_claims(aud='client-b'))}"])
        self.assertEqual(code, 200, body)

    def test_scoped_route_takes_an_access_token_with_one_of_its_scopes(self):
        token = self.key.token(access_claims("openid notes/admin"))
        code, _, body = self.api.curl("GET", "/prod/echo/notes", [f"Authorization: Bearer {token}"])
        self.assertEqual(code, 200, body)
        claims = json.loads(body)["requestContext"]["authorizer"]["claims"]
        self.assertEqual(claims["client_id"], CLIENT_ID)
        self.assertEqual(claims["scope"], "openid notes/admin")

    def test_token_type_and_scope_refusals_are_401_unauthorized(self):
        cases = {
            "access token on a route without scopes": (
                "/prod/echo/user", access_claims("aws.cognito.signin.user.admin")),
            "ID token on a route with scopes": ("/prod/echo/notes", id_claims(scope="notes/read")),
            "access token without any of the scopes": (
                "/prod/echo/notes", access_claims("notes/write aws.cognito.signin.user.admin")),
            "access token without a scope claim": ("/prod/echo/notes", access_claims(None)),
        }
        for name, (path, claims) in cases.items():
            with self.subTest(name):
                self.assert_gateway_error(
                    self.api.curl("GET", path, [f"Authorization: {self.key.token(claims)}"]), 401,
                    "Unauthorized", "UnauthorizedException")

    def test_cognito_refuses_missing_and_invalid_tokens_with_401(self):
        cases = {
            "missing": [],
            "not a jwt": ["Authorization: not-a-token"],
            "other issuer": [f"Authorization: {self.key.token(id_claims(iss=ISSUER + 'x'))}"],
            "wrong token_use": [f"Authorization: {self.key.token(id_claims(token_use='refresh'))}"],
            "signed by another key": [f"Authorization: {self.other_key.token(id_claims())}"],
            "unknown kid": [f"Authorization: {self.key.token(id_claims(), kid='nope')}"],
        }
        for name, headers in cases.items():
            with self.subTest(name):
                self.assert_gateway_error(self.api.curl("GET", "/prod/echo/user", headers), 401,
                                          "Unauthorized", "UnauthorizedException")

    def test_an_expired_token_gets_the_expired_message(self):
        # 401 {"message":"The incoming token has expired"}, recorded in
        # aws-amplify/amplify-js#6060; the UNAUTHORIZED response's error type.
        token = self.key.token(id_claims(exp=int(time.time()) - 5))
        self.assert_gateway_error(self.api.curl("GET", "/prod/echo/user", [f"Authorization: {token}"]),
                                  401, "The incoming token has expired", "UnauthorizedException")

    def test_a_token_before_its_nbf_is_refused(self):
        # "The JWT MUST NOT be accepted for processing" before nbf (RFC 7519 section 4.1.5).
        token = self.key.token(id_claims(nbf=int(time.time()) + 600))
        self.assert_gateway_error(self.api.curl("GET", "/prod/echo/user", [f"Authorization: {token}"]),
                                  401, "Unauthorized", "UnauthorizedException")

    def test_numeric_dates_that_are_not_integers_are_read_as_numbers(self):
        # exp, iat and nbf are NumericDates, "non-integer values can be represented" (RFC 7519
        # section 2): no 502, and the access line is written.
        now = time.time()
        for name, claims in {
            "fractions": id_claims(exp=now + 3600.5, iat=now - 0.25, nbf=now - 10.75),
            "huge": id_claims(exp=1e300, iat=2 ** 63),
            "past int64": id_claims(exp=2 ** 64 + 1, iat=1e300),
        }.items():
            with self.subTest(name):
                code, _, body = self.api.curl("GET", "/prod/echo/user",
                                              [f"Authorization: {self.key.token(claims)}"])
                self.assertEqual(code, 200, body)
        self.api.stderr.seek(0)
        log = self.api.stderr.read().decode(errors="replace")
        self.assertGreaterEqual(log.count("GET /prod/echo/user 200"), 3, log[-2000:])

    def test_jwks_from_a_file_works_too(self):
        # The second emulator reads the JWKS from a file; its allowlist refuses loopback, so the
        # refusal proves the request got that far only for the resource policy.
        code, _, _ = self.denied.curl("GET", "/prod/echo/user",
                                      [f"Authorization: {self.key.token(id_claims())}"])
        self.assertEqual(code, 403)

    # IAM ---------------------------------------------------------------------------------

    def signed(self, secret=SECRET_KEY, access_key=ACCESS_KEY, when=None, body=b'{"n":1}',
               emulator=None):
        return signed_post(emulator or self.api, access_key, secret, when, body)

    def test_iam_signature_from_botocore_is_accepted_and_fills_identity(self):
        code, _, body = self.signed()
        self.assertEqual(code, 200, body)
        event = json.loads(body)
        identity = event["requestContext"]["identity"]
        self.assertEqual(identity["accessKey"], ACCESS_KEY)
        self.assertEqual(identity["accountId"], "123456789012")
        self.assertEqual(identity["userArn"], "arn:aws:iam::123456789012:user/ci-deployer")
        self.assertRegex(identity["caller"], r"^AIDA[A-Z2-7]{17}$")
        self.assertEqual(identity["user"], identity["caller"])
        self.assertEqual(event["body"], '{"n":1}')

    def test_iam_refusals_are_api_gateways_403s(self):
        self.assert_gateway_error(self.api.curl("POST", "/prod/echo/signed"), 403,
                                  "Missing Authentication Token", "MissingAuthenticationTokenException")
        code, headers, body = self.signed(secret="wrong-secret")
        self.assertEqual(code, 403)
        self.assertEqual(headers["x-amzn-errortype"], "InvalidSignatureException")
        message = json.loads(body)["message"]
        self.assertTrue(message.startswith(
            "The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method. Consult the service "
            "documentation for details.\n\nThe Canonical String for this request should have "
            "been\n'POST\n/prod/echo/signed\na=1&b=2\n"), message)
        self.assertIn("\n\nThe String-to-Sign should have been\n'AWS4-HMAC-SHA256\n", message)
        self.assert_gateway_error(self.signed(access_key="AKIDUNKNOWN"), 403,
                                  "The security token included in the request is invalid.",
                                  "UnrecognizedClientException")
        code, _, body = self.signed(
            when=datetime.datetime.utcnow() - datetime.timedelta(minutes=10))
        self.assertEqual(code, 403)
        self.assertRegex(json.loads(body)["message"],
                         r"^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z "
                         r"\(\d{8}T\d{6}Z - 5 min\.\)$")
        code, headers, body = self.api.curl("POST", "/prod/echo/signed",
                                            ["Authorization: Bearer abc"])
        self.assertEqual(code, 403)
        self.assertEqual(headers["x-amzn-errortype"], "IncompleteSignatureException")
        self.assertEqual(json.loads(body)["message"],
                         "Authorization header requires 'Credential' parameter. Authorization "
                         "header requires 'Signature' parameter. Authorization header requires "
                         "'SignedHeaders' parameter. Authorization header requires existence of "
                         "either a 'X-Amz-Date' or a 'Date' header. Authorization=Bearer abc")
        code, _, _ = self.signed(body=b'{"n":1}')
        self.assertEqual(code, 200)

    def test_host_must_be_signed(self):
        # "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization." (answers
        # recorded in aws/aws-sdk-php#2469 and NetSPI/AWSSigner#3): checked before the
        # signature, so any signature shows it.
        stamp = datetime.datetime.utcnow().strftime("%Y%m%dT%H%M%SZ")
        authorization = (f"AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/{stamp[:8]}/{REGION}/"
                         f"execute-api/aws4_request, SignedHeaders=x-amz-date, Signature={'0' * 64}")
        self.assert_gateway_error(
            self.api.curl("POST", "/prod/echo/signed",
                          [f"Authorization: {authorization}", f"X-Amz-Date: {stamp}"]),
            403, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
            "IncompleteSignatureException")

    # Order of checks ---------------------------------------------------------------------
    # "How API Gateway resource policies affect authorization workflow" (API Gateway developer
    # guide): with Amazon Cognito or IAM authentication the caller is authenticated first, and
    # a caller who fails gets that authorizer's answer; the resource policy is evaluated after,
    # for the authenticated caller. Each pair below fails both checks at once. `denied`'s
    # resource policy refuses loopback.

    def test_cognito_answers_before_the_resource_policy(self):
        self.assert_gateway_error(self.denied.curl("GET", "/prod/echo/user"), 401,
                                  "Unauthorized", "UnauthorizedException")
        expired = self.key.token(id_claims(exp=int(time.time()) - 5))
        self.assert_gateway_error(
            self.denied.curl("GET", "/prod/echo/user", [f"Authorization: {expired}"]), 401,
            "The incoming token has expired", "UnauthorizedException")

    def test_iam_answers_before_the_resource_policy(self):
        self.assert_gateway_error(self.denied.curl("POST", "/prod/echo/signed"), 403,
                                  "Missing Authentication Token",
                                  "MissingAuthenticationTokenException")
        code, headers, _ = self.signed(secret="wrong-secret", emulator=self.denied)
        self.assertEqual((code, headers["x-amzn-errortype"]), (403, "InvalidSignatureException"))

    def test_the_resource_policy_names_the_signed_caller(self):
        # The deny names the IAM caller by its ARN; a Cognito caller has no IAM identity and
        # stays anonymous (message form: ASFHyP3/hyp3#2283, aws-amplify/amplify-js#11265).
        resource = "arn:aws:execute-api:us-east-1:********9012:1234567890/prod/"
        self.assert_gateway_error(
            self.signed(emulator=self.denied), 403,
            "User: arn:aws:iam::123456789012:user/ci-deployer is not authorized to perform: "
            f"execute-api:Invoke on resource: {resource}POST/echo/signed with an explicit deny",
            "AccessDeniedException", key="Message")
        self.assert_gateway_error(
            self.denied.curl("GET", "/prod/echo/user",
                             [f"Authorization: {self.key.token(id_claims())}"]), 403,
            "User: anonymous is not authorized to perform: execute-api:Invoke on resource: "
            f"{resource}GET/echo/user with an explicit deny", "AccessDeniedException",
            key="Message")

    def test_the_resource_policy_answers_before_the_api_key(self):
        # A method without an authorizer: the resource policy alone decides whether the caller
        # reaches the method ("API Gateway resource policy only", same page); the key is a
        # setting of the method, checked after. With the policy passed, the missing key is
        # 403 Forbidden (supported-gateway-response-types.html, API_KEY/INVALID_API_KEY).
        self.assert_gateway_error(
            self.denied.curl("GET", "/prod/echo/keyed"), 403,
            "User: anonymous is not authorized to perform: execute-api:Invoke on resource: "
            "arn:aws:execute-api:us-east-1:********9012:1234567890/prod/GET/echo/keyed with an "
            "explicit deny", "AccessDeniedException", key="Message")
        self.assert_gateway_error(self.api.curl("GET", "/prod/echo/keyed"), 403, "Forbidden",
                                  "ForbiddenException")

    # Resource policy, quota, CORS --------------------------------------------------------

    def test_gateway_errors_carry_the_cors_headers_of_the_gateway_responses(self):
        # With several origins the CDK app's DEFAULT_4XX/5XX responses map the request's Origin.
        code, headers, _ = self.api.curl("GET", "/prod/echo/user", ["Origin: https://admin.example"])
        self.assertEqual(code, 401)
        self.assertEqual(headers["access-control-allow-origin"], "https://admin.example")
        self.assertEqual(headers["vary"], "Origin")
        self.assertEqual(headers["access-control-allow-credentials"], "true")
        self.assertNotIn("x-cppstack-gateway-error", headers)
        code, headers, _ = self.api.curl("GET", "/prod/nothing", ["Origin: https://app.example"])
        self.assertEqual(code, 403)
        self.assertEqual(headers["access-control-allow-origin"], "https://app.example")
        code, headers, _ = self.api.curl("GET", "/prod/nothing")
        self.assertNotIn("access-control-allow-origin", headers)
        # The function's own answers are left to the function.
        code, headers, _ = self.api.curl("GET", "/prod/echo/open", ["Origin: https://app.example"])
        self.assertEqual(code, 200)
        self.assertNotIn("x-cppstack-gateway-error", headers)

    def test_source_ip_outside_the_allowlist_is_denied_by_the_resource_policy(self):
        self.assert_gateway_error(
            self.denied.curl("GET", "/prod/echo/open"), 403,
            "User: anonymous is not authorized to perform: execute-api:Invoke on resource: "
            "arn:aws:execute-api:us-east-1:********9012:1234567890/prod/GET/echo/open with an "
            "explicit deny", "AccessDeniedException", key="Message")
        code, _, _ = self.api.curl("GET", "/prod/echo/open")
        self.assertEqual(code, 200)

    def test_usage_plan_quota_per_api_key(self):
        for _ in range(3):
            code, _, body = self.api.curl("GET", "/prod/echo/keyed",
                                          [f"x-api-key: {QUOTA_KEYS[0]}"])
            self.assertEqual(code, 200, body)
        self.assert_gateway_error(
            self.api.curl("GET", "/prod/echo/keyed", [f"x-api-key: {QUOTA_KEYS[0]}"]),
            429, "Limit Exceeded", "LimitExceededException")
        code, _, _ = self.api.curl("GET", "/prod/echo/keyed", [f"x-api-key: {QUOTA_KEYS[1]}"])
        self.assertEqual(code, 200)

    def test_a_key_that_is_no_key_of_a_usage_plan_is_403_forbidden(self):
        # The API_KEY gateway response: 403 {"message":"Forbidden"} when the key is missing or
        # is not a key of the API's usage plans (supported-gateway-response-types.html;
        # "API key required but missing or wrong", contracts.md).
        for headers in ([], ["x-api-key: anynonemptyvalue0000abcd"]):
            with self.subTest(headers):
                self.assert_gateway_error(self.api.curl("GET", "/prod/echo/keyed", headers), 403,
                                          "Forbidden", "ForbiddenException")

    def test_cors_preflight_on_every_resource_as_the_cdk_mock_method_answers(self):
        for path in ["/prod/echo/user", "/prod/echo/signed", "/prod/echo/open"]:
            with self.subTest(path):
                code, headers, body = self.api.curl(
                    "OPTIONS", path, ["Origin: https://admin.example",
                                      "Access-Control-Request-Method: GET"])
                self.assertEqual(code, 204, body)
                self.assertEqual(body, "")
                self.assertEqual(headers["access-control-allow-origin"], "https://admin.example")
                self.assertEqual(headers["vary"], "Origin")
                # .env.example's defaults, which the CDK app deploys too.
                self.assertEqual(headers["access-control-allow-methods"],
                                 "GET,HEAD,OPTIONS,POST,PUT,PATCH,DELETE")
                self.assertEqual(headers["access-control-allow-headers"],
                                 "Content-Type,Authorization,X-Api-Key,X-Amz-Date,"
                                 "X-Amz-Security-Token")
                self.assertEqual(headers["access-control-allow-credentials"], "true")
                self.assertEqual(headers["access-control-max-age"], "600")
        _, headers, _ = self.api.curl("OPTIONS", "/prod/echo/open", ["Origin: https://evil.example"])
        self.assertEqual(headers["access-control-allow-origin"], ORIGINS[0])
        self.assert_gateway_error(self.api.curl("OPTIONS", "/prod/nothing/here"), 403,
                                  "Missing Authentication Token",
                                  "MissingAuthenticationTokenException")


IAM_POLICY = {"formatVersion": 1, "principals": {
    "user/ci-deployer": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "execute-api:Invoke",
         "Resource": "arn:aws:execute-api:*:*:*/prod/POST/echo/signed"}]},
    "user/blocked": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": "execute-api:Invoke", "Resource": "*/POST/echo/*"}]},
}}


class IamIdentityPolicies(unittest.TestCase):
    """--iam-policy: which users and roles may call which IAM routes, evaluated as IAM does
    (an explicit Deny wins, otherwise an Allow is needed: IAM User Guide, "Policy evaluation
    logic"); a denied caller gets API Gateway's AccessDeniedException naming it, "with an
    explicit deny" only for an explicit one (implicit: ASFHyP3/hyp3#2283)."""

    @classmethod
    def setUpClass(cls):
        cls.directory = tempfile.TemporaryDirectory()
        policy = os.path.join(cls.directory.name, "iam-policy.json")
        with open(policy, "w") as file:
            json.dump(IAM_POLICY, file)
        jwks = os.path.join(cls.directory.name, "jwks.json")
        with open(jwks, "w") as file:
            json.dump({"keys": [RsaKey(cls.directory.name, "pool", "k").jwk()]}, file)
        others = os.path.join(cls.directory.name, "other-credentials")
        with open(others, "w") as file:
            file.write("[other]\naws_access_key_id = AKIDOTHERUSER\n"
                       "aws_secret_access_key = other-secret\n"
                       "[blocked]\naws_access_key_id = AKIDBLOCKED\n"
                       "aws_secret_access_key = blocked-secret\n")
        cls.api = Emulator(cls.directory.name, [f"COGNITO_USER_POOL_ID={POOL_ID}"], jwks,
                           ["--iam-policy", policy, "--iam-credentials-file", others])

    @classmethod
    def tearDownClass(cls):
        assert cls.api.stop() == 0
        cls.directory.cleanup()

    def test_an_allowed_caller_reaches_the_function(self):
        code, _, body = signed_post(self.api, ACCESS_KEY, SECRET_KEY)
        self.assertEqual(code, 200, body)

    def test_callers_the_policies_do_not_allow_are_denied_by_name(self):
        resource = ("arn:aws:execute-api:us-east-1:********9012:1234567890/prod/POST/echo/signed")
        code, headers, body = signed_post(self.api, "AKIDOTHERUSER", "other-secret")
        self.assertEqual((code, headers["x-amzn-errortype"]), (403, "AccessDeniedException"))
        self.assertEqual(json.loads(body), {"Message": (
            "User: arn:aws:iam::123456789012:user/other is not authorized to perform: "
            f"execute-api:Invoke on resource: {resource}")})
        code, _, body = signed_post(self.api, "AKIDBLOCKED", "blocked-secret")
        self.assertEqual(code, 403)
        self.assertEqual(json.loads(body), {"Message": (
            "User: arn:aws:iam::123456789012:user/blocked is not authorized to perform: "
            f"execute-api:Invoke on resource: {resource} with an explicit deny")})


ROTATION_REFETCH_SECONDS = 3
# A pool in another region than the gateway's, given by ARN as COGNITO_USER_POOL_ID may be:
# the issuer is built from the pool's region and id, not from the ARN or the gateway's region.
ARN_POOL_ID = "eu-west-1_Rotate1"
ARN_POOL = f"arn:aws:cognito-idp:eu-west-1:210987654321:userpool/{ARN_POOL_ID}"
ARN_ISSUER = f"https://cognito-idp.eu-west-1.amazonaws.com/{ARN_POOL_ID}"


class KeyRotation(unittest.TestCase):
    """A JWKS URL whose keys rotate: a token with an unknown kid makes the gateway read the URL
    again, at most once per --cognito-jwks-refetch-seconds."""

    @classmethod
    def setUpClass(cls):
        cls.directory = tempfile.TemporaryDirectory()
        cls.old_key = RsaKey(cls.directory.name, "old", "rotation-old")
        cls.new_key = RsaKey(cls.directory.name, "new", "rotation-new")
        cls.jwks_server = JwksServer({"keys": [cls.old_key.jwk()]})
        cls.api = Emulator(cls.directory.name, [f"COGNITO_USER_POOL_ID={ARN_POOL}"],
                           cls.jwks_server.url,
                           ["--cognito-jwks-refetch-seconds", str(ROTATION_REFETCH_SECONDS)])

    @classmethod
    def tearDownClass(cls):
        assert cls.api.stop() == 0
        cls.jwks_server.stop()
        cls.directory.cleanup()

    def status(self, token):
        code, _, body = self.api.curl("GET", "/prod/echo/user", [f"Authorization: {token}"])
        return code, body

    def test_a_pool_given_by_arn_issues_tokens_under_its_own_region(self):
        key = self.old_key
        code, body = self.status(key.token(id_claims(iss=ARN_ISSUER)))
        if code == 401:  # the rotation test ran first: the old key is gone
            key = self.new_key
            code, body = self.status(key.token(id_claims(iss=ARN_ISSUER)))
        self.assertEqual(code, 200, body)
        # Signed by a known key, but issued under the gateway's region or the ARN itself.
        wrong = f"https://cognito-idp.{REGION}.amazonaws.com/{ARN_POOL_ID}"
        self.assertEqual(self.status(key.token(id_claims(iss=wrong)))[0], 401)
        self.assertEqual(self.status(key.token(id_claims(iss=ARN_POOL)))[0], 401)

    def test_rotated_keys_are_read_again_at_most_once_per_interval(self):
        # Tokens are signed first, so that the requests below follow each other closely.
        new_token = self.new_key.token(id_claims(iss=ARN_ISSUER))
        unknown_kid = self.new_key.token(id_claims(iss=ARN_ISSUER), kid="x")
        # A token not presented before: one accepted earlier stays accepted for the result
        # cache's TTL (AuthorizerResultTtlInSeconds), whatever happened to its key.
        old_token = self.old_key.token(id_claims(iss=ARN_ISSUER, email="other@example.com"))
        self.jwks_server.serve({"keys": [self.new_key.jwk()]})
        time.sleep(ROTATION_REFETCH_SECONDS + 0.2)  # past the interval since any earlier read
        reads = self.jwks_server.read_count()
        code, body = self.status(new_token)
        self.assertEqual(code, 200, body)
        self.assertEqual(self.jwks_server.read_count(), reads + 1)
        # Within the interval unknown kids are refused without another read, however many.
        for token in [unknown_kid, unknown_kid, old_token]:
            self.assertEqual(self.status(token)[0], 401)
        self.assertEqual(self.jwks_server.read_count(), reads + 1)
        # The new key keeps working from the keys in memory.
        self.assertEqual(self.status(new_token)[0], 200)


class SlowJwks(unittest.TestCase):
    """A JWKS URL that answers slowly or never: a token with an unknown kid waits for the read
    it starts, but on no I/O thread, so every other client is served meanwhile."""

    def setUp(self):
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        self.directory = directory.name
        self.old_key = RsaKey(self.directory, "old", "slow-old")
        self.new_key = RsaKey(self.directory, "new", "slow-new")
        self.jwks_server = JwksServer({"keys": [self.old_key.jwk()]})
        self.addCleanup(self.jwks_server.stop)
        self.api = Emulator(self.directory, [f"COGNITO_USER_POOL_ID={POOL_ID}"],
                            self.jwks_server.url, ["--cognito-jwks-refetch-seconds", "1"])
        self.addCleanup(lambda: self.assertEqual(self.api.stop(), 0))

    def in_background(self, token):
        """Sends a request on its own thread; the result is ready once the thread ends."""
        result = {}

        def send():
            result["code"] = self.api.curl("GET", "/prod/echo/user", [f"Authorization: {token}"])[0]

        thread = threading.Thread(target=send)
        thread.start()
        return thread, result

    def test_a_slow_read_serves_the_request_that_started_it(self):
        api, jwks_server = self.api, self.jwks_server
        new_token = self.new_key.token(id_claims())
        jwks_server.serve({"keys": [self.new_key.jwk()]})
        jwks_server.delay = 2.0
        time.sleep(1.2)  # past the interval since the read at start
        reads = jwks_server.read_count()
        code, _, body = api.curl("GET", "/prod/echo/user", [f"Authorization: {new_token}"])
        self.assertEqual(code, 200, body)
        self.assertEqual(jwks_server.read_count(), reads + 1)

    def test_a_read_that_never_ends_holds_no_other_client(self):
        # With --cognito-jwks-refetch-seconds 0 too: a flood of unknown kids waits for reads,
        # each on the read's own thread, while tokens of known keys are answered.
        api, jwks_server = self.api, self.jwks_server
        jwks_server.delay = 60.0  # longer than the read's 5 s deadline
        time.sleep(1.2)
        reads = jwks_server.read_count()
        forged = RsaKey(self.directory, "forged", "hung-forged").token(id_claims())
        waiting = [self.in_background(forged) for _ in range(10)]
        while jwks_server.read_count() == reads:  # the read has reached the JWKS server
            time.sleep(0.05)
        # Answered while the read hangs: the I/O threads are free.
        code, _, body = api.curl("GET", "/prod/echo/user",
                                 [f"Authorization: {self.old_key.token(id_claims())}"])
        self.assertEqual(code, 200, body)
        self.assertTrue(any(thread.is_alive() for thread, _ in waiting))
        # The hung read is cut off after 5 s; the waiting requests then get their 401, after
        # that one read only.
        for thread, result in waiting:
            thread.join(timeout=30)
            self.assertEqual(result.get("code"), 401)
        self.assertEqual(jwks_server.read_count(), reads + 1)
        # A read can start again and succeed.
        jwks_server.delay = 0.0
        jwks_server.serve({"keys": [self.new_key.jwk()]})
        time.sleep(1.2)
        code, _, body = api.curl("GET", "/prod/echo/user",
                                 [f"Authorization: {self.new_key.token(id_claims())}"])
        self.assertEqual(code, 200, body)

    def test_a_reload_of_the_routes_does_not_read_the_keys_again(self):
        # The keys live across reloads of routes.json: a rewrite while the JWKS server hangs is
        # served at once, from the keys in memory, without a read.
        api, jwks_server = self.api, self.jwks_server
        jwks_server.delay = 60.0
        reads = jwks_server.read_count()
        table = dict(ROUTES)
        table["routes"] = ROUTES["routes"] + [
            {"method": "GET", "path": "/echo/reloaded", "handler": "echo", "auth": "cognito"}]
        routes = os.path.join(self.directory, "routes.json")
        # The emulator watches routes.json from the line that names it on.
        for _ in range(200):
            api.stderr.seek(0)
            if b"routes from " in api.stderr.read():
                break
            time.sleep(0.05)
        with open(routes + ".next", "w") as file:
            json.dump(table, file)
        os.replace(routes + ".next", routes)
        token = self.old_key.token(id_claims())
        for _ in range(200):
            code, _, body = api.curl("GET", "/prod/echo/reloaded", [f"Authorization: {token}"])
            if code != 403:  # 403 Missing Authentication Token until the reload
                break
            time.sleep(0.05)
        api.stderr.seek(0)
        log = api.stderr.read().decode(errors="replace")
        self.assertEqual(code, 200, [line for line in log.splitlines() if "GET /prod" not in line])
        self.assertEqual(jwks_server.read_count(), reads)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
