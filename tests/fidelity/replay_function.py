#!/usr/bin/env python3
"""A custom-runtime function for the fidelity replay (tests/fidelity/replay_test.py).

It behaves like the functions the recorded tests deployed, speaking the Lambda Runtime API
directly (standard library only):

- a proxy event (it has `httpMethod`):
  - REPLAY_PROXY=echo: answers 200 with the event itself as the JSON body, so the replay can
    compare the event field by field;
  - REPLAY_PROXY=response-from-body: answers the request body, parsed as JSON, as its whole
    response (base64-decoded first when `isBase64Encoded`); a body that is not JSON (or none)
    is an error of the function, as the recorded function's `json.loads` raised;
- any other payload: `{"replay": ...}` picks what to do (`echo`, `none`, `raise`, `exit`,
  `sleep`, `request-id`, `context`, `introspection`, `post-error`, `write-file`, `read-file`,
  `set-number`, `read-number`, `counter`, `print`, `environment-variable`, `big-response`,
  `hold`), see
  `handle_payload`.

REPLAY_INIT=raise fails the initialisation through /init/error; REPLAY_INIT=exit:N exits with
status N before asking for the first invocation.
"""

import base64
import http.client
import json
import os
import sys
import time


NUMBER = 0  # state of the process, which a new execution environment starts afresh
COUNTER = 0


class RuntimeApi:
    def __init__(self, address):
        host, _, port = address.rpartition(":")
        self.host = host
        self.port = int(port)
        self.connection = None

    def call(self, method, path, body=None, headers=None):
        for attempt in range(2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.host, self.port)
            try:
                self.connection.request(method, "/2018-06-01/runtime/" + path, body=body,
                                        headers=headers or {})
                response = self.connection.getresponse()
                return response, response.read()
            except (ConnectionError, http.client.HTTPException):
                self.connection = None
                if attempt == 1:
                    raise
        raise RuntimeError("unreachable")

    def respond(self, request_id, payload):
        self.call("POST", "invocation/" + request_id + "/response", payload)

    def fail(self, request_id, error_type, message, stack):
        error = {"errorMessage": message, "errorType": error_type, "requestId": request_id,
                 "stackTrace": stack}
        self.call("POST", "invocation/" + request_id + "/error", json.dumps(error),
                  {"Lambda-Runtime-Function-Error-Type": "Unhandled"})


class FunctionError(Exception):
    def __init__(self, error_type, message):
        super().__init__(message)
        self.error_type = error_type
        self.message = message


class PostedError(Exception):
    """An error document posted to /error exactly as given (a runtime's own shape)."""

    def __init__(self, document):
        super().__init__(json.dumps(document))
        self.document = document


def handle_proxy(event):
    mode = os.environ.get("REPLAY_PROXY", "echo")
    if mode == "echo":
        return json.dumps({"statusCode": 200, "body": json.dumps(event), "isBase64Encoded": False})
    body = event.get("body")
    if body is None:
        raise FunctionError("TypeError", "the JSON object must be str, bytes or bytearray, "
                            "not NoneType")
    if event.get("isBase64Encoded"):
        body = base64.b64decode(body).decode("utf-8", "replace")
    try:
        return json.dumps(json.loads(body))
    except ValueError as error:
        raise FunctionError("JSONDecodeError", str(error))


def handle_payload(payload, request_id, headers):
    action = payload.get("replay") if isinstance(payload, dict) else None
    if action == "none":
        return "null"
    if action == "raise":
        raise FunctionError("Exception", payload.get("message", "Handler fails"))
    if action == "exit":
        sys.stdout.flush()
        os._exit(int(payload.get("status", 0)))
    if action == "sleep":
        time.sleep(float(payload.get("seconds", 0)))
        return json.dumps({"slept": payload.get("seconds", 0)})
    if action == "post-error":
        raise PostedError(payload["document"])
    if action == "introspection":
        return json.dumps({
            "ctx": {
                "aws_request_id": request_id,
                "deadline": int(headers.get("Lambda-Runtime-Deadline-Ms", "0")),
                "function_name": os.environ.get("AWS_LAMBDA_FUNCTION_NAME"),
                "function_version": os.environ.get("AWS_LAMBDA_FUNCTION_VERSION"),
                "invoked_function_arn": headers.get("Lambda-Runtime-Invoked-Function-Arn"),
                "log_group_name": os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME"),
                "log_stream_name": os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME"),
                "memory_limit_in_mb": int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "0")),
            },
            "environment": dict(os.environ),
        })
    if action == "write-file":
        with open(os.environ["REPLAY_STORE"], "w") as store:
            store.write(payload["content"])
        return "null"
    if action == "read-file":
        with open(os.environ["REPLAY_STORE"]) as store:
            return json.dumps({"content": store.read()})
    if action == "set-number":
        global NUMBER
        NUMBER = payload["number"]
        return "null"
    if action == "read-number":
        return json.dumps({"number": NUMBER})
    if action == "hold":
        # Busy until the replay lets go: it creates `started`, then waits for `release` (at most
        # `seconds`), so the replay knows for sure that this instance is taken.
        open(payload["started"], "w").close()
        deadline = time.monotonic() + float(payload.get("seconds", 10))
        while not os.path.exists(payload["release"]) and time.monotonic() < deadline:
            time.sleep(0.01)
        return "null"
    if action == "counter":
        global COUNTER
        COUNTER += 1
        return json.dumps({"counter": COUNTER - 1})
    if action == "print":
        print(json.dumps(payload), flush=True)
        return json.dumps(payload)
    if action == "environment-variable":
        return json.dumps({payload["name"]: os.environ.get(payload["name"])})
    if action == "big-response":
        return json.dumps({"data": "x" * int(payload["bytes"])})
    if action == "request-id":
        return json.dumps(request_id)
    if action == "context":
        client_context = headers.get("Lambda-Runtime-Client-Context")
        return json.dumps({
            "functionName": os.environ.get("AWS_LAMBDA_FUNCTION_NAME"),
            "functionVersion": os.environ.get("AWS_LAMBDA_FUNCTION_VERSION"),
            "memoryLimitInMB": os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"),
            "logGroupName": os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME"),
            "invokedFunctionArn": headers.get("Lambda-Runtime-Invoked-Function-Arn"),
            "awsRequestId": request_id,
            "clientContext": json.loads(client_context) if client_context else None,
        })
    return json.dumps(payload)


def main():
    api = RuntimeApi(os.environ["AWS_LAMBDA_RUNTIME_API"])
    init = os.environ.get("REPLAY_INIT", "")
    if init == "raise":
        api.call("POST", "init/error",
                 json.dumps({"errorMessage": "Runtime startup fails", "errorType": "Exception",
                             "requestId": "", "stackTrace": []}),
                 {"Lambda-Runtime-Function-Error-Type": "Unhandled"})
        sys.exit(1)
    if init.startswith("exit:"):
        os._exit(int(init[5:]))
    while True:
        response, body = api.call("GET", "invocation/next")
        if response.status != 200:
            print("unexpected /next status", response.status, file=sys.stderr)
            sys.exit(1)
        request_id = response.getheader("Lambda-Runtime-Aws-Request-Id")
        headers = {name: value for name, value in response.getheaders()}
        try:
            payload = json.loads(body) if body else None
            if isinstance(payload, dict) and "httpMethod" in payload:
                answer = handle_proxy(payload)
            else:
                answer = handle_payload(payload, request_id, headers)
            api.respond(request_id, answer)
        except PostedError as error:
            api.call("POST", "invocation/" + request_id + "/error", json.dumps(error.document),
                     {"Lambda-Runtime-Function-Error-Type": "Unhandled"})
        except FunctionError as error:
            api.fail(request_id, error.error_type, error.message,
                     ["  File \"replay_function.py\", in handler\n"])


if __name__ == "__main__":
    main()
