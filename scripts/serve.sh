#!/usr/bin/env bash
# Builds the web app (installing what it needs, once) and serves the repository root on
# http://127.0.0.1:8000 — index.html at the root loads www/ by relative URLs, like any static host.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build-web.sh
PORT="${PORT:-8000}"
echo
echo "idscope: http://127.0.0.1:${PORT}/   (Ctrl-C to stop)"
exec python3 -m http.server "$PORT" --bind 127.0.0.1
