#!/usr/bin/env bash
# Installs the npm packages that tests and demos read, into ~/.cache/clipbench/npm (never the repository).
set -euo pipefail
prefix="${CLIPBENCH_NPM:-$HOME/.cache/clipbench/npm}"
mkdir -p "$prefix"
# The UpscalerJS ESRGAN networks (MIT): slim 5 MB and medium 13 MB unpacked; thick (110 MB packed, 78 MB
# unpacked) only with CLIPBENCH_ESRGAN_THICK=1. About 5 s for slim and medium on a warm npm cache.
packages=(emoji-datasource-google@16.0.0 nsfwjs@4.4.0 @upscalerjs/esrgan-slim@1.0.0 @upscalerjs/esrgan-medium@1.0.0)
marker="$prefix/node_modules/@upscalerjs/esrgan-medium/models/x4/model.json"
if [ "${CLIPBENCH_ESRGAN_THICK:-0}" = 1 ]; then
  packages+=(@upscalerjs/esrgan-thick@1.0.0)
  marker="$prefix/node_modules/@upscalerjs/esrgan-thick/models/x4/model.json"
fi
if [ ! -f "$prefix/node_modules/emoji-datasource-google/emoji.json" ] \
   || [ ! -f "$prefix/node_modules/nsfwjs/dist/models/inception_v3/model.min.js" ] \
   || [ ! -f "$prefix/node_modules/@upscalerjs/esrgan-slim/models/x4/model.json" ] \
   || [ ! -f "$marker" ]; then
  # one install of every package: npm install --no-save drops packages it is not told about
  npm install --prefix "$prefix" --no-save --no-audit --no-fund "${packages[@]}" >/dev/null
fi
echo "test data: $prefix/node_modules"
