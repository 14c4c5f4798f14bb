#!/bin/sh
# Runs the pnpm pinned in package.json's "packageManager".
# Why not corepack: its download of pnpm fails signature verification against
# the registry mirror this project is built on ("No compatible signature found
# in package metadata"), and a global install is one more step a new machine lacks.
# npx fetches it once; after that its copy in npx's cache is run directly:
# going through npx costs about 2.7 s of CPU more on every call (npx's own
# start and a registry look-up), and every CLI command and test run starts here.
set -e
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
version=$(node -p "require('$root/package.json').packageManager.split('@')[1]")
for pkg in "${npm_config_cache:-$HOME/.npm}"/_npx/*/node_modules/pnpm; do
  if [ -f "$pkg/bin/pnpm.cjs" ] && [ "$(node -p "require('$pkg/package.json').version")" = "$version" ]; then
    exec node "$pkg/bin/pnpm.cjs" "$@"
  fi
done
exec npx --yes "pnpm@$version" "$@"
