"""The client's SigV4 signer agrees with botocore's on the same requests.

botocore (python3-boto3 on Debian, installed by scripts/install-deps.sh) signs each request
at a fixed time; the C++ signer (sigv4_tool) signs the same method, path, query, headers and
body, and the Authorization headers (or presigned query strings) must be equal.
Usage: python3 botocore_agreement_test.py PATH_TO_SIGV4_TOOL
"""
import datetime
import json
import subprocess
import sys
import unittest
from unittest import mock
from urllib.parse import parse_qsl, urlsplit

import botocore.auth
from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

TOOL = None
FIXED = datetime.datetime(2026, 12, 7, 1, 2, 3)
AMZ_DATE = "20261207T010203Z"
KEYS = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
TEMPORARY = Credentials("ASIAEXAMPLE", "c2VjcmV0/with+plus", "FwoGZXIvYXdzEJr//////////token+/=")


def at_fixed_time():
    """botocore reads the clock through get_current_datetime (newer) or datetime (older)."""
    if hasattr(botocore.auth, "get_current_datetime"):
        return mock.patch("botocore.auth.get_current_datetime", return_value=FIXED)
    clock = mock.MagicMock()
    clock.datetime.utcnow.return_value = FIXED
    return mock.patch("botocore.auth.datetime", clock)


def run_tool(request):
    result = subprocess.run([TOOL], input=json.dumps(request), capture_output=True, text=True,
                            check=True)
    return json.loads(result.stdout)


def signed_header_names(authorization):
    return authorization.split("SignedHeaders=")[1].split(",")[0].split(";")


class BotocoreAgreement(unittest.TestCase):
    def sign_both(self, auth, credentials, method, url, headers=None, body=b"", s3=False):
        request = AWSRequest(method=method, url=url, headers=headers or {}, data=body)
        with at_fixed_time():
            auth.add_auth(request)
        expected = request.headers["Authorization"]
        parts = urlsplit(url)
        names = signed_header_names(expected)
        sent = {name.lower(): value for name, value in request.headers.items()}
        sent["host"] = parts.netloc
        ours = run_tool({
            "method": method, "path": parts.path, "query": parts.query,
            "headers": [[name, sent[name]] for name in names],
            "body": body.decode(), "region": auth._region_name, "service": auth._service_name,
            "amz_date": AMZ_DATE, "s3": s3, "access_key": credentials.access_key,
            "secret_key": credentials.secret_key, "token": credentials.token or "",
        })
        self.assertEqual(ours["authorization"], expected)

    def test_dynamodb_post(self):
        body = b'{"TableName":"notes","Key":{"id":{"S":"a b"}}}'
        self.sign_both(SigV4Auth(KEYS, "dynamodb", "eu-west-1"), KEYS, "POST",
                       "https://dynamodb.eu-west-1.amazonaws.com/",
                       {"Content-Type": "application/x-amz-json-1.0",
                        "X-Amz-Target": "DynamoDB_20120810.GetItem"}, body)

    def test_dynamodb_with_a_session_token(self):
        self.sign_both(SigV4Auth(TEMPORARY, "dynamodb", "us-east-1"), TEMPORARY, "POST",
                       "http://127.0.0.1:4567/",
                       {"X-Amz-Target": "DynamoDB_20120810.PutItem"}, b"{}")

    def test_s3_get_of_an_encoded_key(self):
        self.sign_both(S3SigV4Auth(KEYS, "s3", "eu-west-1"), KEYS, "GET",
                       "https://s3.eu-west-1.amazonaws.com/bucket/notes/a%20b/%C3%A9t%C3%A9.txt",
                       s3=True)

    def test_s3_list_with_a_query(self):
        self.sign_both(S3SigV4Auth(TEMPORARY, "s3", "us-west-2"), TEMPORARY, "GET",
                       "http://127.0.0.1:4569/bucket?list-type=2&prefix=a%2Fb&max-keys=2&"
                       "continuation-token=x%2By%3D", s3=True)

    def test_s3_put_with_a_body(self):
        self.sign_both(S3SigV4Auth(KEYS, "s3", "eu-west-1"), KEYS, "PUT",
                       "https://s3.eu-west-1.amazonaws.com/bucket/key",
                       {"Content-Type": "text/plain"}, b"hello", s3=True)

    def presign_both(self, credentials, method, url):
        request = AWSRequest(method=method, url=url)
        with at_fixed_time():
            S3SigV4QueryAuth(credentials, "s3", "eu-west-1", expires=900).add_auth(request)
        expected = dict(parse_qsl(urlsplit(request.url).query, keep_blank_values=True))
        parts = urlsplit(url)
        ours = run_tool({
            "method": method, "path": parts.path, "host": parts.netloc, "region": "eu-west-1",
            "service": "s3", "amz_date": AMZ_DATE, "s3": True, "presign_expires": 900,
            "access_key": credentials.access_key, "secret_key": credentials.secret_key,
            "token": credentials.token or "",
        })
        self.assertEqual(dict(parse_qsl(ours["presigned_query"], keep_blank_values=True)),
                         expected)

    def test_presigned_get(self):
        self.presign_both(KEYS, "GET", "https://bucket.s3.eu-west-1.amazonaws.com/a%20b.png")

    def test_presigned_put_with_a_session_token(self):
        self.presign_both(TEMPORARY, "PUT", "http://127.0.0.1:4569/bucket/notes/7")


if __name__ == "__main__":
    TOOL = sys.argv.pop(1)
    unittest.main(verbosity=2)
