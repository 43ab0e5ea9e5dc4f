#!/bin/bash
# Fails its initialisation the way the Runtime API asks: POST /runtime/init/error, then exit.
curl -sS -o /dev/null -X POST \
  "http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/init/error" \
  -H "Lambda-Runtime-Function-Error-Type: Runtime.ConfigError" \
  --data-binary '{"errorMessage":"missing configuration","errorType":"ConfigError","stackTrace":[]}'
exit 1
