#!/bin/sh
# The system packages the browser tests drive: Debian's Chromium and the DejaVu fonts they measure
# with. Installed with apt-get where missing (as root); anywhere else it says what is missing, and
# those tests are skipped with the reason.
set -u
missing=""
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || missing="chromium"
fc-list 2>/dev/null | grep -q "DejaVu Sans" || missing="$missing fonts-dejavu-core fontconfig"
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
