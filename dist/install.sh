#!/bin/sh
# `make install`: lays down upstream's installed file set (user-surface
# §1.1) from the release build, under DESTDIR if set, and writes the
# manifest `make uninstall` works from: $MANIFEST lists the installed files
# (absolute, without DESTDIR, as upstream's install_manifest.txt) and
# $MANIFEST.dirs the directories this install created.
set -eu
cd "$(dirname "$0")/.."
. dist/layout.sh
D=${DESTDIR:-}

if ! [ -f "$PATHS_STAMP" ] || [ "$(cat "$PATHS_STAMP")" != "$(paths_stamp)" ]; then
    echo "$BUILD holds no release build for these install paths; run make first" >&2
    exit 1
fi

IPCPS="local broadcast unicast eth-llc eth-dix udp4 udp6"
TOOLS="oping oecho ocbr obc operf ovpn"
HEADERS="cdefs.h cep.h dev.h errno.h fccntl.h fqueue.h ipcp.h irm.h name.h proto.h qos.h version.h"
MAN_PAGES="flow_accept.3 flow_alloc.3 flow_dealloc.3 flow_read.3 flow_write.3
    fccntl.3 fqueue.3 fqueue_create.3 fqueue_destroy.3 fqueue_next.3 fevent.3
    fset.3 fset_create.3 fset_destroy.3 fset_zero.3 fset_add.3 fset_del.3
    fset_has.3 ouroboros-glossary.7 ouroboros-tutorial.7 ouroboros.8 irmd.8
    irm.8"

STAGE=$(mktemp -d "${CARGO_TARGET_DIR:-target}/install-stage.XXXXXX")
FILES=$STAGE/manifest
DIRS=$STAGE/dirs
: > "$FILES"
: > "$DIRS"

# The manifest is written at the end, also when the install fails half
# way (then keeping what an earlier install into the same DESTDIR listed),
# so that `make uninstall` can remove what it got to.
SAME_DESTDIR=
if [ -f "$MANIFEST.dirs" ] && [ "$(head -n 1 "$MANIFEST.dirs")" = "# DESTDIR=$D" ]; then
    SAME_DESTDIR=1
fi
finish() {
    status=$?
    if [ -s "$FILES" ]; then
        mkdir -p "$(dirname "$MANIFEST")"
        if [ "$status" != 0 ] && [ -n "$SAME_DESTDIR" ] && [ -f "$MANIFEST" ]; then
            cat "$MANIFEST" >> "$FILES"
        fi
        awk '!seen[$0]++' "$FILES" > "$MANIFEST"
        {
            echo "# DESTDIR=$D"
            sort -u "$DIRS"
        } > "$MANIFEST.dirs"
    fi
    rm -rf "$STAGE"
}
trap finish EXIT

# Directories created by an earlier install into the same DESTDIR stay
# ours (they exist now, so this run would not see it create them).
if [ -n "$SAME_DESTDIR" ]; then
    tail -n +2 "$MANIFEST.dirs" > "$DIRS"
fi

# --- helpers ------------------------------------------------------------

make_dir() { # absolute directory, without DESTDIR
    if [ "$1" = / ]; then
        mkdir -p "$D/"
        return
    fi
    [ -d "$D$1" ] && return
    make_dir "$(dirname "$1")"
    mkdir -m 755 "$D$1"
    echo "$1" >> "$DIRS"
}

install_file() { # source, destination (absolute, without DESTDIR), mode
    make_dir "$(dirname "$2")"
    echo "Installing: $D$2"
    rm -f "$D$2"
    cp "$1" "$D$2"
    chmod "$3" "$D$2"
    echo "$2" >> "$FILES"
}

install_link() { # target, link (absolute, without DESTDIR)
    make_dir "$(dirname "$2")"
    echo "Installing: $D$2 -> $1"
    rm -f "$D$2"
    ln -s "$1" "$D$2"
    echo "$2" >> "$FILES"
}

# Replaces @NAME@ with the value of the shell variable NAME.
subst() { # template, output, NAME...
    in=$1 out=$2
    shift 2
    cp "$in" "$out"
    for name in "$@"; do
        eval "value=\$$name"
        # escape what sed's replacement treats specially
        value=$(printf '%s' "$value" | sed -e 's/[\\|&]/\\&/g')
        sed -i "s|@$name@|$value|g" "$out"
    done
    if grep -q '@[A-Z_]*@' "$out"; then
        echo "unsubstituted variable in $out:" >&2
        grep '@[A-Z_]*@' "$out" >&2
        exit 1
    fi
}

# RUNPATH of every installed library and program, as upstream: PREFIX/LIBDIR
# unless the toolchain links from that directory anyway.
implicit_link_dirs() {
    {
        ${CC:-cc} -print-search-dirs 2>/dev/null | sed -n 's/^libraries: =//p' | tr ':' '\n'
        echo /lib
        echo /usr/lib
    } | while read -r dir; do
        [ -n "$dir" ] && realpath -m "$dir"
    done
}
RUNPATH=$FULL_LIBDIR
if implicit_link_dirs | grep -qxF "$(realpath -m "$FULL_LIBDIR")"; then
    RUNPATH=
fi
if ! command -v patchelf >/dev/null 2>&1; then
    echo "patchelf is needed to set the installed programs' RUNPATH (apt-get install patchelf)" >&2
    exit 1
fi

set_runpath() { # installed ELF file (with DESTDIR)
    if [ -n "$RUNPATH" ]; then
        patchelf --set-rpath "$RUNPATH" "$1"
    elif [ -n "$(patchelf --print-rpath "$1")" ]; then
        patchelf --remove-rpath "$1"
    fi
}

# --- libraries ----------------------------------------------------------

for lib in common dev irm; do
    src=$BUILD/libouroboros_$lib.so
    name=libouroboros-$lib.so
    [ -f "$src" ] || { echo "$src missing: run make first" >&2; exit 1; }
    install_file "$src" "$FULL_LIBDIR/$name.$VERSION" 644
    set_runpath "$D$FULL_LIBDIR/$name.$VERSION"
    install_link "$name.$VERSION" "$FULL_LIBDIR/$name.$SOVERSION"
    install_link "$name.$SOVERSION" "$FULL_LIBDIR/$name"
done

# --- programs: daemons and irm in sbin, applications in bin --------------

install_program() { # name, directory
    install_file "$BUILD/$1" "$2/$1" 755
    set_runpath "$D$2/$1"
}

for prog in irmd irm; do
    [ -f "$BUILD/$prog" ] || { echo "$BUILD/$prog missing: run make first" >&2; exit 1; }
done
install_program irmd "$FULL_SBINDIR"
for type in $IPCPS; do
    # the IPCP types this tree implements
    if [ -f "$BUILD/ipcpd-$type" ]; then
        install_program "ipcpd-$type" "$FULL_SBINDIR"
    fi
done
install_program irm "$FULL_SBINDIR"
for tool in $TOOLS; do
    if [ -f "$BUILD/$tool" ]; then
        install_program "$tool" "$FULL_BINDIR"
    fi
done

# --- headers --------------------------------------------------------------

for h in $HEADERS; do
    install_file "include/ouroboros/$h" "$FULL_INCLUDEDIR/ouroboros/$h" 644
done

# --- man pages, gzip'd --------------------------------------------------

for page in $MAN_PAGES; do
    gzip -9 -n -c "man/$page" > "$STAGE/$page.gz"
    install_file "$STAGE/$page.gz" "$FULL_MANDIR/man${page##*.}/$page.gz" 644
done

# --- pkg-config -----------------------------------------------------------

# libdir and includedir relative to the prefix when they are inside it
case $LIBDIR in
/*) PC_LIBDIR=$LIBDIR ;;
*) PC_LIBDIR='${exec_prefix}/'$LIBDIR ;;
esac
case $INCLUDEDIR in
/*) PC_INCLUDEDIR=$INCLUDEDIR ;;
*) PC_INCLUDEDIR='${prefix}/'$INCLUDEDIR ;;
esac
for pc in ouroboros-dev ouroboros-irm; do
    subst "pkgconfig/$pc.pc.in" "$STAGE/$pc.pc" PREFIX PC_LIBDIR PC_INCLUDEDIR VERSION
    install_file "$STAGE/$pc.pc" "$FULL_LIBDIR/pkgconfig/$pc.pc" 644
done

# --- CMake package ------------------------------------------------------

CMAKE_DIR=$FULL_LIBDIR/cmake/Ouroboros
# The package finds the prefix from its own place, so that it can be moved
# (as CMake's own export files): as many levels up as CMAKE_DIR is below
# PREFIX; a LIBDIR outside PREFIX gives the absolute prefix.
case $CMAKE_DIR/ in
"$PREFIX"/*)
    rel=${CMAKE_DIR#"$PREFIX"}
    rel=${rel#/}
    up=$(echo "$rel" | tr '/' '\n' | grep -c .)
    PREFIX_FROM_CMAKE_DIR=$(i=0; while [ $i -lt "$up" ]; do printf '../'; i=$((i + 1)); done)
    PREFIX_FROM_CMAKE_DIR='${CMAKE_CURRENT_LIST_DIR}/'${PREFIX_FROM_CMAKE_DIR%/}
    ;;
*) PREFIX_FROM_CMAKE_DIR=$PREFIX ;;
esac
in_prefix() { # absolute directory -> path for the CMake files
    case $1/ in
    "$PREFIX"/*) p=${1#"$PREFIX"}; echo "\${_IMPORT_PREFIX}/${p#/}" ;;
    *) echo "$1" ;;
    esac
}
CMAKE_LIBDIR=$(in_prefix "$FULL_LIBDIR")
CMAKE_INCLUDEDIR=$(in_prefix "$FULL_INCLUDEDIR")
SIZEOF_VOID_P=$(($(getconf LONG_BIT) / 8))
subst cmake/OuroborosConfig.cmake.in "$STAGE/OuroborosConfig.cmake" PREFIX_FROM_CMAKE_DIR
subst cmake/OuroborosConfigVersion.cmake.in "$STAGE/OuroborosConfigVersion.cmake" \
    VERSION SIZEOF_VOID_P
subst cmake/OuroborosTargets.cmake.in "$STAGE/OuroborosTargets.cmake" \
    PREFIX_FROM_CMAKE_DIR CMAKE_INCLUDEDIR
subst cmake/OuroborosTargets-release.cmake.in "$STAGE/OuroborosTargets-release.cmake" \
    CMAKE_LIBDIR VERSION SOVERSION
for f in OuroborosTargets.cmake OuroborosTargets-release.cmake \
    OuroborosConfig.cmake OuroborosConfigVersion.cmake; do
    install_file "$STAGE/$f" "$CMAKE_DIR/$f" 644
done

# --- systemd unit (outside PREFIX) ----------------------------------------

if [ -n "$UNITDIR" ]; then
    subst dist/ouroboros.service.in "$STAGE/ouroboros.service" FULL_SBINDIR CONFIG_DIR
    install_file "$STAGE/ouroboros.service" "$UNITDIR/ouroboros.service" 644
fi

# --- configuration templates (TOML support is always built) -------------

SRV_CRT_DIR=$CONFIG_DIR/security/server
CLI_CRT_DIR=$CONFIG_DIR/security/client
subst dist/irmd.conf.example.in "$STAGE/irmd.conf.example" FULL_BINDIR SRV_CRT_DIR CLI_CRT_DIR
subst dist/enc.conf.example.in "$STAGE/enc.conf.example" CONFIG_DIR
install_file "$STAGE/irmd.conf.example" "$CONFIG_DIR/irmd.conf.example" 644
install_file "$STAGE/enc.conf.example" "$CONFIG_DIR/enc.conf.example" 644
# an empty configuration, never over an existing one; it stays in the
# manifest while it is the one an install created (uninstall keeps it once
# it has content)
CONF=$CONFIG_DIR/irmd.conf
if ! [ -e "$D$CONF" ]; then
    : > "$STAGE/irmd.conf"
    install_file "$STAGE/irmd.conf" "$CONF" 644
elif ! [ -s "$D$CONF" ] && [ -n "$SAME_DESTDIR" ] && [ -f "$MANIFEST" ] \
    && grep -qxF "$CONF" "$MANIFEST"; then
    echo "$CONF" >> "$FILES"
fi

# The loader's cache, for a real install by root (not into a staging
# DESTDIR): upstream leaves this to the packager or the user.
if [ -z "$D" ] && [ "$(id -u)" = 0 ] && command -v "${LDCONFIG:-ldconfig}" >/dev/null 2>&1; then
    "${LDCONFIG:-ldconfig}"
fi
