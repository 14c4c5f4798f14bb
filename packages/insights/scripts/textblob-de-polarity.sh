#!/bin/sh
# The textblob-de baseline for the German polarity benchmark: the real Python package
# (textblob-de 0.4.3, MIT; its lexicon is Klenner et al. 2010's German Polarity Lexicon in
# pattern's format, Apache-2.0), installed from PyPI with pip into a cache outside the
# repository and run as the package runs it: TextBlobDE(text).sentiment.polarity, i.e.
# PatternAnalyzer over the raw text. textblob 0.18 dropped the module textblob-de imports, so
# textblob is pinned below it.
#
# Reads one JSON string (a review text) per line on stdin, prints one polarity per line.
set -eu
cache="${STARLING_RESEARCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/starling}"
dir="$cache/textblob-de-0.4.3"
if [ ! -f "$dir/textblob_de/data/de-sentiment.xml" ]; then
  mkdir -p "$cache"
  tmp=$(mktemp -d "$cache/textblob-de.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  python3 -m pip install --quiet --disable-pip-version-check --no-warn-script-location --target "$tmp" textblob-de==0.4.3 textblob==0.17.1 >&2
  rm -rf "$dir"
  mv "$tmp" "$dir"
  trap - EXIT
fi
PYTHONPATH="$dir" exec python3 -c '
import json, sys
from textblob_de.sentiments import PatternAnalyzer
analyzer = PatternAnalyzer()
for line in sys.stdin:
    print(analyzer.analyze(json.loads(line)).polarity)
'
