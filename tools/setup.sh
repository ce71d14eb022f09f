#!/usr/bin/env bash
# One-time setup on a fresh clone (Debian/Ubuntu with Node >= 20.19 and npm):
# system packages (as root, when missing), pnpm, workspace dependencies, native addon.
set -euo pipefail
cd "$(dirname "$0")/.."

# Native addons build offline against the local Node headers.
if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node_api.h ]; then
  export npm_config_nodedir=/usr
fi

# liburing-dev: the io_uring addon; libzmq3-dev: the C column of the benchmarks;
# python3-zmq: a second libzmq interop peer. All optional: the project builds without them.
want=(liburing-dev libzmq3-dev python3-zmq)
missing=()
for p in "${want[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "setup: not root or no apt-get; skipping ${missing[*]} (the io_uring transport and C benchmarks will be unavailable)"
  fi
fi

PNPM_VERSION=$(node -p "require('./package.json').packageManager.split('@')[1]")
if ! command -v pnpm >/dev/null || [ "$(pnpm --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
  echo "setup: installing pnpm $PNPM_VERSION"
  npm install -g "pnpm@$PNPM_VERSION" >/dev/null 2>&1 \
    || { COREPACK_ENABLE_DOWNLOAD_PROMPT=0 corepack enable && corepack prepare "pnpm@$PNPM_VERSION" --activate; }
fi

pnpm install --frozen-lockfile

# Bun and Deno for `pnpm test:runtimes`, from the npm registry at pinned versions, into the
# gitignored tools/runtimes/.cache. Not fatal here: under CI test:runtimes then fails
# with the reason; locally it skips them.
node tools/runtimes/run.mjs --install \
  || echo "setup: could not install Bun/Deno; pnpm test:runtimes will fail under CI and skip them elsewhere"
