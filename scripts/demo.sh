#!/bin/sh
# Runs a private Ouroboros system with the binaries in $1: its own mount,
# pid and network namespaces (private /dev/shm, /var/run, /tmp), so the
# host is not changed. Everything is torn down at the end.
set -eu
BIN=$(cd "${1:-target/debug}" && pwd)

if [ "${2:-}" != "--inside" ]; then
    exec unshare -m -n -p -f --kill-child --mount-proc sh "$0" "$BIN" --inside
fi

mount -t tmpfs none /dev/shm
mount -t tmpfs none /var/run
mount -t tmpfs none /tmp
ip link set lo up

step() {
    echo
    echo "\$ $*"
    "$@"
}

"$BIN/irmd" --stdout > /tmp/irmd.log 2>&1 &
IRMD=$!
while [ ! -S /var/run/ouroboros/irm.sock ]; do sleep 0.05; done

step "$BIN/irm" ipcp create type local name loc
step "$BIN/irm" ipcp bootstrap name loc layer lo
step "$BIN/irm" name create n1
step "$BIN/irm" name reg n1 layer lo
step "$BIN/irm" bind program /bin/cat name n1
step "$BIN/irm" ipcp list
step "$BIN/irm" name list
step "$BIN/irm" name unreg n1 layer lo
step "$BIN/irm" unbind program cat name n1
step "$BIN/irm" name destroy n1

# A ping through the layer, once the tree has oping: a server bound to
# the name oping.demo, five pings from a client.
if [ -x "$BIN/oping" ]; then
    step "$BIN/irm" name reg oping.demo layer lo
    step "$BIN/irm" bind program "$BIN/oping" name oping.demo
    echo
    echo "\$ $BIN/oping -l &"
    "$BIN/oping" -l > /tmp/oping-server.log 2>&1 &
    SERVER=$!
    # until the IRMd has seen the server announce itself (at most 10 s)
    n=0
    while ! grep -q "(oping)\." /tmp/irmd.log && [ $n -lt 200 ]; do
        sleep 0.05
        n=$((n + 1))
    done
    # The client runs as another user (nobody), so the two ends use
    # different packet pools and the flow goes through the local IPCP
    # (two processes of one user would get a direct flow).
    if command -v setpriv > /dev/null; then
        step setpriv --reuid=65534 --regid=65534 --clear-groups \
            "$BIN/oping" -n oping.demo -c 5 -i 200
    else
        step "$BIN/oping" -n oping.demo -c 5 -i 200
    fi
    kill -TERM "$SERVER"
    wait "$SERVER" || true
    echo
    echo "== oping server output =="
    cat /tmp/oping-server.log
    step "$BIN/irm" unbind program oping name oping.demo
    step "$BIN/irm" name unreg oping.demo layer lo
    step "$BIN/irm" name destroy oping.demo
fi

step "$BIN/irm" ipcp destroy name loc
step "$BIN/irm" ipcp list

kill -TERM "$IRMD"
wait "$IRMD" || true
echo
echo "== irmd log =="
cat /tmp/irmd.log
