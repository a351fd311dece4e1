#!/bin/sh
# Installs what the build and the tests need beyond the Rust toolchain:
# a C compiler for the compat-tests, libclang for the bindgen layout test,
# util-linux and iproute2 for the private test systems; for `make install`
# and its test (compat-tests/tests/install.rs) patchelf (RUNPATH of the
# installed files), gzip (man pages), binutils (readelf), cmake and
# pkg-config (building C programs against the install), groff-base and man-db
# (rendering the man pages). Only missing Debian packages are installed
# (as root, or through sudo).
set -eu

PKGS="gcc libc6-dev libclang-dev pkg-config iproute2 util-linux mount
    make patchelf gzip binutils cmake groff-base man-db"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

if [ -z "$missing" ]; then
    exit 0
fi

SUDO=""
if [ "$(id -u)" != 0 ]; then
    SUDO="sudo"
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
