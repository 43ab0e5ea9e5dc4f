#!/usr/bin/env bash
# clang-tidy over the project's own sources (scripts/tidy.py: one process per source, clean
# results remembered by content). Usage: scripts/tidy.sh BUILD_DIR
exec python3 "$(dirname "$0")/tidy.py" "$@"
