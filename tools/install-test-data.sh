#!/usr/bin/env bash
# Installs the npm packages that tests and demos read, into ~/.cache/clipbench/npm (never the repository).
set -euo pipefail
prefix="${CLIPBENCH_NPM:-$HOME/.cache/clipbench/npm}"
mkdir -p "$prefix"
if [ ! -f "$prefix/node_modules/emoji-datasource-google/emoji.json" ] \
   || [ ! -f "$prefix/node_modules/nsfwjs/dist/models/inception_v3/model.min.js" ]; then
  npm install --prefix "$prefix" --no-save --no-audit --no-fund emoji-datasource-google@16.0.0 nsfwjs@4.4.0 >/dev/null
fi
echo "test data: $prefix/node_modules"
