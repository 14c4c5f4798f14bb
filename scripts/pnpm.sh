#!/bin/sh
# Runs the pnpm pinned in package.json's "packageManager" through npx.
# Why not corepack: its download of pnpm fails signature verification against
# the registry mirror this project is built on ("No compatible signature found
# in package metadata"), and a global install is one more step a new machine lacks.
set -e
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
version=$(node -p "require('$root/package.json').packageManager.split('@')[1]")
exec npx --yes "pnpm@$version" "$@"
