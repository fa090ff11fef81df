#!/bin/sh
# The system packages the tests drive: Debian's Chromium and the DejaVu fonts the browser tests
# measure with, openssl and gpg for the signing tests, PostgreSQL for the SQL source's. Installed with apt-get where missing (as root); anywhere else it says what is missing, and
# those tests are skipped with the reason.
set -u
missing=""
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || missing="chromium"
fc-list 2>/dev/null | grep -q "DejaVu Sans" || missing="$missing fonts-dejavu-core fontconfig"
# the signing tests verify with the openssl and gpg command lines
command -v openssl >/dev/null 2>&1 || missing="$missing openssl"
command -v gpg >/dev/null 2>&1 || missing="$missing gnupg"
# [[sources.sql]]'s tests start a real PostgreSQL server of their own
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$missing postgresql"
[ -z "$missing" ] && exit 0
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q --no-install-recommends $missing >/dev/null 2>&1 \
        || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q --no-install-recommends $missing >/dev/null; } \
        || echo "could not install$missing: the browser tests will be skipped"
else
    echo "missing:$missing (install them to run the browser tests; they will be skipped)"
fi
exit 0
