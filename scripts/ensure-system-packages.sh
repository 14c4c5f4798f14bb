#!/bin/sh
# The tests drive a real Chromium (Debian's package: playwright's own browser
# download cannot work offline), start a real Redis (the shared rate-limit
# store), and validate the Google review feed with xmllint (libxml2-utils).
# Install whichever is missing when we can; say what to do otherwise.
set -e
missing=""
[ -x /usr/bin/chromium ] || missing="$missing chromium"
command -v redis-server >/dev/null 2>&1 || missing="$missing redis-server"
command -v xmllint >/dev/null 2>&1 || missing="$missing libxml2-utils"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian packages for the tests:$missing"
  apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
  exit 0
fi
echo "The tests need these Debian packages:$missing. Install them with: sudo apt-get install$missing" >&2
exit 1
