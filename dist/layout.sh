# Install layout, sourced by build.sh, install.sh and uninstall.sh.
#
# Input (environment, empty = default), as upstream's CMake install
# (GNUInstallDirs): PREFIX (default /usr/local), BINDIR, SBINDIR, LIBDIR,
# INCLUDEDIR, MANDIR, SYSCONFDIR (relative to PREFIX, or absolute),
# OUROBOROS_CONFIG_DIR (default SYSCONFDIR/ouroboros), DESTDIR,
# SYSTEMD_INSTALL_FILES (DETECT, FORCE or NO) and SYSTEMD_UNITDIR_OVERRIDE,
# CARGO_TARGET_DIR (default target), MANIFEST.
#
# Output: the absolute directories FULL_BINDIR, FULL_SBINDIR, FULL_LIBDIR,
# FULL_INCLUDEDIR, FULL_MANDIR, FULL_SYSCONFDIR, CONFIG_DIR, UNITDIR (empty:
# no unit), the build directory BUILD, the manifest MANIFEST and the
# relative LIBDIR and INCLUDEDIR the pkg-config files use.

VERSION=0.23.0
SOVERSION=0.23

PREFIX=${PREFIX:-/usr/local}
case $PREFIX in
/) ;;
/*) PREFIX=${PREFIX%/} ;;
*) echo "PREFIX must be an absolute path (got '$PREFIX')" >&2; exit 1 ;;
esac

# GNUInstallDirs' LIBDIR: lib/<multiarch> for /usr on Debian, lib64 on
# 64-bit systems that are neither Debian, Arch nor Alpine, else lib.
default_libdir() {
    if [ -e /etc/debian_version ]; then
        case $PREFIX in
        /usr)
            arch=$(${CC:-cc} -print-multiarch 2>/dev/null || true)
            if [ -n "$arch" ]; then echo "lib/$arch"; return; fi
            ;;
        esac
        echo lib
    elif [ -e /etc/arch-release ] || [ -e /etc/alpine-release ]; then
        echo lib
    elif [ "$(getconf LONG_BIT 2>/dev/null)" = 64 ]; then
        echo lib64
    else
        echo lib
    fi
}

BINDIR=${BINDIR:-bin}
SBINDIR=${SBINDIR:-sbin}
LIBDIR=${LIBDIR:-$(default_libdir)}
INCLUDEDIR=${INCLUDEDIR:-include}
MANDIR=${MANDIR:-share/man}
SYSCONFDIR=${SYSCONFDIR:-etc}

# As GNUInstallDirs: relative directories are under PREFIX, except that
# the prefix / puts them under /usr, and that the configuration directory
# is /etc for the prefixes / and /usr and /etc/opt/<x> for /opt/<x>.
full() {
    case $1 in
    /*) echo "$1" ;;
    usr/*) if [ "$PREFIX" = / ]; then echo "/$1"; else echo "$PREFIX/$1"; fi ;;
    *) if [ "$PREFIX" = / ]; then echo "/usr/$1"; else echo "$PREFIX/$1"; fi ;;
    esac
}

FULL_BINDIR=$(full "$BINDIR")
FULL_SBINDIR=$(full "$SBINDIR")
FULL_LIBDIR=$(full "$LIBDIR")
FULL_INCLUDEDIR=$(full "$INCLUDEDIR")
FULL_MANDIR=$(full "$MANDIR")
case $SYSCONFDIR in
/*) FULL_SYSCONFDIR=$SYSCONFDIR ;;
*)
    case $PREFIX in
    / | /usr) FULL_SYSCONFDIR=/$SYSCONFDIR ;;
    /opt/homebrew/*) FULL_SYSCONFDIR=$PREFIX/$SYSCONFDIR ;;
    /opt/*) FULL_SYSCONFDIR=/$SYSCONFDIR$PREFIX ;;
    *) FULL_SYSCONFDIR=$PREFIX/$SYSCONFDIR ;;
    esac
    ;;
esac
CONFIG_DIR=${OUROBOROS_CONFIG_DIR:-$FULL_SYSCONFDIR/ouroboros}

# The systemd system unit directory (outside PREFIX), as upstream decides
# it: DETECT asks pkg-config for systemd's, FORCE takes the override, NO
# (or anything else) installs no unit.
UNITDIR=
case ${SYSTEMD_INSTALL_FILES:-DETECT} in
DETECT)
    if pkg-config --exists systemd 2>/dev/null; then
        UNITDIR=${SYSTEMD_UNITDIR_OVERRIDE:-$(pkg-config --variable=systemdsystemunitdir systemd)}
    fi
    ;;
FORCE)
    if [ -z "${SYSTEMD_UNITDIR_OVERRIDE:-}" ]; then
        echo "SYSTEMD_INSTALL_FILES=FORCE needs SYSTEMD_UNITDIR_OVERRIDE" >&2
        exit 1
    fi
    UNITDIR=$SYSTEMD_UNITDIR_OVERRIDE
    ;;
esac

BUILD=${CARGO_TARGET_DIR:-target}/release
MANIFEST=${MANIFEST:-${CARGO_TARGET_DIR:-target}/install_manifest.txt}
# what the release build compiled in (build.sh writes it, install.sh
# checks it)
PATHS_STAMP=$BUILD/ouroboros-install-paths

paths_stamp() {
    printf 'OUROBOROS_CONFIG_DIR=%s\nOUROBOROS_SBIN_DIR=%s\n' "$CONFIG_DIR" "$FULL_SBINDIR"
}
