#!/bin/sh
# `make uninstall`: removes what the last `make install` from this build
# directory installed (the files in $MANIFEST, under DESTDIR), then the
# directories it created ($MANIFEST.dirs) once they are empty. A
# configuration file the install created empty is kept if it has been
# edited since.
set -eu
cd "$(dirname "$0")/.."
. dist/layout.sh
D=${DESTDIR:-}

if ! [ -f "$MANIFEST" ]; then
    echo "Cannot find install manifest: $MANIFEST" >&2
    exit 1
fi

CONF=$CONFIG_DIR/irmd.conf
while IFS= read -r f; do
    [ -n "$f" ] || continue
    if ! [ -e "$D$f" ] && ! [ -L "$D$f" ]; then
        echo "File $D$f does not exist."
        continue
    fi
    if [ "$f" = "$CONF" ] && [ -s "$D$f" ]; then
        echo "Keeping $D$f (edited since it was installed)"
        continue
    fi
    echo "Uninstalling $D$f"
    rm -f "$D$f"
done < "$MANIFEST"

if [ -f "$MANIFEST.dirs" ]; then
    if [ "$(head -n 1 "$MANIFEST.dirs")" = "# DESTDIR=$D" ]; then
        # deepest first; a directory that still holds something stays
        tail -n +2 "$MANIFEST.dirs" | sort -r | while IFS= read -r dir; do
            if [ -d "$D$dir" ] && rmdir "$D$dir" 2>/dev/null; then
                echo "Removed directory $D$dir"
            fi
        done
    else
        echo "Installed with another DESTDIR: leaving the directories it created"
    fi
fi

rm -f "$MANIFEST" "$MANIFEST.dirs"

if [ -z "$D" ] && [ "$(id -u)" = 0 ] && command -v "${LDCONFIG:-ldconfig}" >/dev/null 2>&1; then
    "${LDCONFIG:-ldconfig}"
fi
