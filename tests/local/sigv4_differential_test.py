#!/usr/bin/env python3
"""A differential fuzzer of start-api's SigV4 check against botocore's signer.

Usage: sigv4_differential_test.py CPPSTACK_LOCAL FUNCTION
FUNCTION echoes the proxy event it receives for paths under /echo.

Requests are generated from a fixed seed: methods, paths, query strings made of every reserved
character raw and percent-encoded, duplicate and empty keys, empty pieces, extra headers and
bodies. Each is signed by botocore (SigV4Auth, service execute-api; for some body-less requests
SigV4QueryAuth, a presigned URL) in one of the two ways botocore signs:
- a URL it is given with the query in it (botocore's _canonical_query_string_url: the pieces as
  sent, not re-encoded);
- parameters it is given (`params`: each key and value URI-encoded; the URL gets them
  form-encoded).
Two properties are checked for every case:
1. the request botocore signed is accepted (200), and the function receives the method, path,
   query parameters (form-decoded and split at '&' and ';', as API Gateway does: "The semicolon
   character (;) ... results in the data being split", Amazon API Gateway important notes) and
   body that were sent;
2. every change to the request on the wire, with the signature kept, is refused (403), unless
   the function receives exactly what it received for the signed request.
What SigV4 itself leaves open is compared as SigV4 defines it, on AWS as here
(docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html): the order of query
parameters (the canonical query string is sorted) and runs of spaces inside a header value
(the canonical header value trims them); unsigned headers may be added.

SIGV4_FUZZ_CASES (default 300) and SIGV4_FUZZ_SEED (default 20260107) choose the run; a longer
run: SIGV4_FUZZ_CASES=20000 python3 sigv4_differential_test.py ...
"""
import http.client
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import unittest
import urllib.parse

EMULATOR = sys.argv[1] if len(sys.argv) > 1 else ""
FUNCTION = sys.argv[2] if len(sys.argv) > 2 else ""
CASES = int(os.environ.get("SIGV4_FUZZ_CASES", "300"))
SEED = int(os.environ.get("SIGV4_FUZZ_SEED", "20260107"))

REGION = "us-east-1"
ACCESS_KEY = "AKIDDIFFERENTIAL1"
SECRET_KEY = "differential-secret-key"
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
ROUTES = {"formatVersion": 1, "routes": [
    {"method": "ANY", "path": "/echo/{proxy+}", "handler": "echo", "auth": "iam"},
]}

# Query text: every reserved character of RFC 3986 raw (where a query may hold it) and
# percent-encoded, '+' and its encodings, spaces, UTF-8, and invalid percent-encoding.
QUERY_ATOMS = ["a", "b", "Z", "0", "9", "-", "_", ".", "~", "!", "$", "'", "(", ")", "*", ",",
               ":", "@", "/", "?", "+", "%2B", "%2b", "%20", "%3B", "%3b", "%3D", "%26", "%25",
               "%7E", "%7e", "%41", "%2F", "%3F", "%23", "%C3%A9", "%E2%82%AC", "%zz", "%", "%4",
               "[", "]", "|", "^", "`", "{", "}", "\"", "<", ">", "\\"]
# Path segments: unreserved, sub-delims, ':' and '@' raw; other bytes percent-encoded.
PATH_ATOMS = ["a", "b", "x", "1", "-", "_", ".", "~", "!", "$", "&", "'", "(", ")", "*", "+",
              ",", ";", "=", ":", "@", "%20", "%2F", "%7E", "%41", "%25", "%C3%A9", "%3F"]
HEADER_VALUE_CHARS = "abcXYZ019 -_.,;:=/+*!?()'\"&%~"


def word(rng, atoms, low, high):
    return "".join(rng.choice(atoms) for _ in range(rng.randint(low, high)))


def segment(rng):
    text = word(rng, PATH_ATOMS, 1, 4)
    # botocore removes dot segments before signing (normalize_url_path); the gateway passes
    # them on, so they are not a request botocore can sign for it.
    return "x" + text if text in (".", "..") else text


def query_piece(rng):
    shape = rng.random()
    key = word(rng, QUERY_ATOMS, 0 if shape < 0.1 else 1, 3)
    if shape < 0.2:
        return key  # a key without '='
    return key + "=" + word(rng, QUERY_ATOMS, 0, 4)


def raw_query(rng):
    pieces = [query_piece(rng) for _ in range(rng.randint(1, 5))]
    if rng.random() < 0.3:
        pieces.append(rng.choice(pieces))  # a duplicate
    separators = [rng.choice(["&", "&", "&", ";"]) for _ in pieces]
    text = pieces[0]
    for separator, piece in zip(separators, pieces[1:]):
        text += separator + piece
    if rng.random() < 0.1:
        text += "&"  # an empty piece
    return text


def parameters(rng):
    """Decoded parameters for botocore's `params`: any text, duplicates, empty keys and values."""
    alphabet = "ab Z09-_.~!$'()*,:@/?+&=;%#[]|" + "\u00e9\u20ac"
    result = []
    for _ in range(rng.randint(1, 5)):
        key = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 3)))
        value = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 4)))
        result.append((key or "k", value))
    if rng.random() < 0.3:
        result.append(rng.choice(result))
    return result


def generate(rng):
    method = rng.choice(METHODS)
    path = "/prod/echo/" + "/".join(segment(rng) for _ in range(rng.randint(1, 3)))
    case = {"method": method, "path": path, "query": None, "params": None, "presigned": False}
    form = rng.random()
    if form < 0.5:
        case["query"] = raw_query(rng)
    elif form < 0.85:
        case["params"] = parameters(rng)
    headers = {}
    for index in range(rng.randint(0, 3)):
        value = "".join(rng.choice(HEADER_VALUE_CHARS) for _ in range(rng.randint(1, 12))).strip()
        headers[f"X-Fuzz-{index}"] = value or "v"
    if method in ("POST", "PUT", "PATCH") and rng.random() < 0.8:
        body = bytes(rng.choice(b'{}[]":,ab 019\n\t\\') for _ in range(rng.randint(0, 64)))
        headers["Content-Type"] = "application/json"
    else:
        body = b""
    case["headers"] = headers
    case["body"] = body
    if not body and rng.random() < 0.15:
        # A presigned URL (SigV4QueryAuth): the X-Amz-* parameters in the query.
        case["presigned"] = True
        case["params"] = None
        case["headers"] = {name: value for name, value in headers.items() if name != "Content-Type"}
    return case


class Wire:
    """A request as sent: method, target, ordered header lines, body."""

    def __init__(self, method, target, headers, body):
        self.method, self.target, self.headers, self.body = method, target, list(headers), body

    def copy(self):
        return Wire(self.method, self.target, self.headers, self.body)


def sign(case, base):
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    url = base + case["path"] + ("?" + case["query"] if case["query"] is not None else "")
    from botocore.auth import SigV4QueryAuth
    request = AWSRequest(method=case["method"], url=url, data=case["body"],
                         headers=dict(case["headers"]), params=case["params"] or {})
    signer = SigV4QueryAuth if case["presigned"] else SigV4Auth
    signer(Credentials(ACCESS_KEY, SECRET_KEY), "execute-api", REGION).add_auth(request)
    prepared = request.prepare()
    split = urllib.parse.urlsplit(prepared.url)
    target = split.path + ("?" + split.query if split.query or prepared.url.endswith("?") else "")
    headers = [("Host", split.netloc)] + [(name, value) for name, value in prepared.headers.items()
                                          if name.lower() != "content-length"]
    return Wire(case["method"], target, headers, case["body"])


def send(connection_holder, address, wire):
    """(status, event or None); one keep-alive connection, reopened when the server closes it."""
    for attempt in range(2):
        if connection_holder[0] is None:
            connection_holder[0] = http.client.HTTPConnection(*address, timeout=30)
        connection = connection_holder[0]
        try:
            connection.putrequest(wire.method, wire.target, skip_host=True,
                                  skip_accept_encoding=True)
            for name, value in wire.headers:
                connection.putheader(name, value)
            connection.putheader("Content-Length", str(len(wire.body)))
            connection.endheaders(wire.body)
            response = connection.getresponse()
            payload = response.read()
            if response.getheader("Connection", "").lower() == "close":
                connection.close()
                connection_holder[0] = None
            event = json.loads(payload) if response.status == 200 else None
            return response.status, event, payload
        except (http.client.HTTPException, ConnectionError):
            connection.close()
            connection_holder[0] = None
            if attempt == 1:
                raise
    raise AssertionError("unreachable")


def header_names_signed(wire):
    authorization = dict((name.lower(), value) for name, value in wire.headers).get("authorization")
    if authorization is None:  # presigned: X-Amz-SignedHeaders in the query
        query = urllib.parse.parse_qs(wire.target.partition("?")[2], keep_blank_values=True)
        return query["X-Amz-SignedHeaders"][0].split(";")
    signed = authorization.split("SignedHeaders=")[1].split(",")[0]
    return signed.split(";")


def view(event, signed_names):
    """What the function receives, as SigV4 covers it (see the module's docstring)."""
    multi_query = event.get("multiValueQueryStringParameters") or {}
    headers = {}
    for name, values in (event.get("multiValueHeaders") or {}).items():
        if name.lower() in signed_names:
            headers[name.lower()] = [" ".join(value.split()) for value in values]
    return {
        "method": event["httpMethod"],
        "path": event["path"],
        "query": sorted((key, value) for key, values in multi_query.items() for value in values),
        "body": event.get("body"),
        "base64": event.get("isBase64Encoded"),
        "headers": headers,
    }


def expected_query(wire):
    """The parameters API Gateway gives the function, decoded independently of the emulator."""
    query = wire.target.partition("?")[2]
    pairs = []
    for piece in query.replace(";", "&").split("&"):
        if not piece:
            continue
        key, _, value = piece.partition("=")
        pairs.append((unquote_form(key), unquote_form(value)))
    return sorted(pairs)


def unquote_form(text):
    """'+' is a space, then %XX (contracts.md section 1); text holding a '%' that starts no
    valid escape stays as it is, as the gateway's form decoding documents."""
    spaced = text.replace("+", " ")
    for index, character in enumerate(spaced):
        if character == "%" and not all(c in "0123456789abcdefABCDEF"
                                         for c in spaced[index + 1:index + 3].ljust(2, "g")):
            return spaced
    return urllib.parse.unquote(spaced, errors="replace")


def signed_as_sent_ambiguously(query):
    """botocore writes a piece of a URL's query without '=' as if it had one ("a=1&" as
    "a=1&="; "x;" as "x;="). Where the name's last ';'-separated part is empty, the function
    receives an empty name from one of the two only, so the signature would be one of both
    queries: the gateway refuses it (docs/local.md, IAM). An empty query is signed as none."""
    for piece in query.split("&") if query else []:
        name, equals, value = piece.partition("=")
        if not value and (not name or name.endswith(";")):
            return True
    return False


def replace_once(rng, text, old, new):
    positions = [index for index in range(len(text)) if text.startswith(old, index)]
    if not positions:
        return None
    at = rng.choice(positions)
    return text[:at] + new + text[at + len(old):]


def mutations(rng, wire):
    """Changes to the wire request that keep its signature: (name, mutated wire)."""
    path, _, query = wire.target.partition("?")
    has_query = "?" in wire.target
    result = []

    def with_target(name, new_path, new_query, keep_question=has_query):
        mutated = wire.copy()
        mutated.target = new_path + ("?" + new_query if keep_question or new_query else "")
        result.append((name, mutated))

    other = rng.choice([method for method in METHODS if method != wire.method])
    mutated = wire.copy()
    mutated.method = other
    result.append(("method " + other, mutated))
    with_target("path extended", path + rng.choice(["a", "/a", "%41", "~", "/"]), query)
    for old, new in [("~", "%7E"), ("%7E", "~"), ("a", "%61"), ("%2F", "/"), ("%20", "+"),
                     ("+", "%2B"), ("b", "c")]:
        changed = replace_once(rng, path, old, new)
        if changed is not None:
            with_target(f"path {old!r}->{new!r}", changed, query)
    for old, new in [("&", ";"), (";", "&"), ("+", "%2B"), ("%2B", "+"), ("%20", "+"),
                     ("+", "%20"), ("%3B", ";"), (";", "%3B"), ("%3D", "="), ("=", "%3D"),
                     ("%26", "&"), ("&", "%26"), ("%7E", "~"), ("~", "%7E"), ("%7E", "%7e"),
                     ("a", "b"), ("=", ""), ("&", "&&"), ("%25", "%"), ("%C3%A9", "%C3%A8")]:
        changed = replace_once(rng, query, old, new)
        if changed is not None:
            with_target(f"query {old!r}->{new!r}", path, changed)
    for extra in ["&", "&=", "&a", "&a=1", ";a=1", "=", "&&x"]:
        with_target(f"query +{extra!r}", path, query + extra, True)
    if query:
        pieces = query.split("&")
        with_target("query first piece dropped", path, "&".join(pieces[1:]), True)
        with_target("query first piece repeated", path, "&".join(pieces + pieces[:1]))
        with_target("query dropped", path, "", False)
    mutated = wire.copy()
    mutated.body = wire.body + b" "
    result.append(("body extended", mutated))
    if wire.body:
        mutated = wire.copy()
        mutated.body = wire.body[:-1]
        result.append(("body shortened", mutated))
    signed = header_names_signed(wire)
    for name, value in wire.headers:
        lowered = name.lower()
        if lowered not in signed or lowered == "x-amz-date":
            continue
        mutated = wire.copy()
        mutated.headers = [(n, v + "x" if n == name else v) for n, v in wire.headers]
        result.append((f"header {lowered} changed", mutated))
        mutated = wire.copy()
        mutated.headers = [(n, v) for n, v in wire.headers if n != name]
        result.append((f"header {lowered} removed", mutated))
        mutated = wire.copy()
        mutated.headers = wire.headers + [(name, value)]
        result.append((f"header {lowered} repeated", mutated))
    return result


class SigV4Differential(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.directory = tempfile.TemporaryDirectory()
        routes = os.path.join(cls.directory.name, "routes.json")
        with open(routes, "w") as file:
            json.dump(ROUTES, file)
        # The secret reaches the emulator in a file, never on its command line (ps shows it).
        credentials = os.path.join(cls.directory.name, "credentials")
        with open(credentials, "w") as file:
            file.write(f"[fuzzer]\naws_access_key_id = {ACCESS_KEY}\n"
                       f"aws_secret_access_key = {SECRET_KEY}\n")
        cls.stderr = tempfile.TemporaryFile()
        cls.process = subprocess.Popen(
            [EMULATOR, "start-api", "--bootstrap", FUNCTION, "--routes", routes, "--port", "0",
             "--region", REGION, "--no-access-log", "--iam-credentials-file", credentials],
            stdout=subprocess.PIPE, stderr=cls.stderr, stdin=subprocess.DEVNULL, text=True)
        line = cls.process.stdout.readline()
        if not line.startswith("listening on "):
            cls.stderr.seek(0)
            raise RuntimeError("emulator did not start: " + line + cls.stderr.read().decode())
        host, port = line.split()[-1].rsplit(":", 1)
        cls.address = (host, int(port))
        cls.base = f"http://{host}:{port}"
        cls.connection = [None]

    @classmethod
    def tearDownClass(cls):
        if cls.connection[0] is not None:
            cls.connection[0].close()
        cls.process.send_signal(signal.SIGTERM)
        code = cls.process.wait(timeout=30)
        cls.process.stdout.close()
        cls.stderr.close()
        cls.directory.cleanup()
        assert code == 0, code

    def test_botocore_signed_requests_are_accepted_and_changes_refused(self):
        rng = random.Random(SEED)
        refused_changes = 0
        ambiguous = 0
        for number in range(CASES):
            case = generate(rng)
            wire = sign(case, self.base)
            status, event, payload = send(self.connection, self.address, wire)
            if (case["query"] is not None and not case["presigned"]
                    and signed_as_sent_ambiguously(case["query"])):
                self.assertEqual(status, 403, f"case {number}: {wire.target}")
                ambiguous += 1
                continue
            self.assertEqual(status, 200, f"case {number}: {case}\n{wire.target}\n{payload[:600]}")
            signed = header_names_signed(wire)
            original = view(event, signed)
            self.assertEqual(original["method"], wire.method, f"case {number}")
            self.assertEqual(original["query"], expected_query(wire), f"case {number}: {wire.target}")
            for name, mutated in mutations(rng, wire):
                status, event, payload = send(self.connection, self.address, mutated)
                if status == 200:
                    self.assertEqual(
                        view(event, signed), original,
                        f"case {number}: a change was accepted ({name}):\n"
                        f"signed {wire.method} {wire.target}\nsent   {mutated.method} "
                        f"{mutated.target}")
                else:
                    self.assertIn(status, (400, 403, 404, 413), f"case {number} {name}: {payload[:300]}")
                    refused_changes += 1
        # The generator reaches what it is meant to: most changes are real changes.
        self.assertGreater(refused_changes, CASES * 5)
        self.assertLess(ambiguous, CASES // 4)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
