#!/bin/sh
# The release build `make` and `make install` use: every library, daemon
# and tool, with the install's paths compiled in (the configuration
# directory, and the sbin directory where irmd looks for ipcpd-* when they
# are not next to it). See dist/layout.sh for the variables.
set -eu
cd "$(dirname "$0")/.."
. dist/layout.sh

CARGO=${CARGO:-cargo}
if command -v "$CARGO" >/dev/null 2>&1; then
    OUROBOROS_CONFIG_DIR=$CONFIG_DIR OUROBOROS_SBIN_DIR=$FULL_SBINDIR \
        "$CARGO" build --release --workspace
    # written whole, then renamed: installs may read it concurrently
    paths_stamp > "$PATHS_STAMP.$$"
    mv -f "$PATHS_STAMP.$$" "$PATHS_STAMP"
elif [ -f "$PATHS_STAMP" ] && [ "$(cat "$PATHS_STAMP")" = "$(paths_stamp)" ]; then
    # e.g. `sudo make install` with cargo only in the user's PATH
    echo "$CARGO not found: using the existing release build in $BUILD"
else
    echo "$CARGO not found, and $BUILD holds no release build for these install paths:" >&2
    paths_stamp >&2
    echo "run \`make\` (with the same variables) as the user who builds first" >&2
    exit 1
fi
