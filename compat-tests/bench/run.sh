#!/usr/bin/env bash
# ouroboros-rs data-plane benchmark (not a test: cargo test never runs it).
#
# In a private system (mount, pid and network namespaces, as the tests'
# harness makes them; needs root) it measures, for direct IPC and for the
# local layer (ipcpd-local; the client then runs as uid 65534 so that the
# two ends use different pools):
#   rtt64_med_us, rtt64_p99_us  ping-pong round trip of a 64 B packet
#   pps64                       one-way packets/s at 64 B
#   mbps1400                    one-way MB/s at 1400 B (and pps1400)
#   allocs_per_s                flow_alloc + flow_dealloc per second
# and, as the machine's reference, a two-process ping-pong through shared
# memory with a process-shared condvar and with a bare futex.
#
# Usage: compat-tests/bench/run.sh [options]
#   --ours DIR         our build: irmd, irm, ipcpd-local, libouroboros_*.so
#                      (default: target/release if it has irmd, else
#                      target/debug)
#   --no-ours          skip our system
#   --upstream PREFIX  an upstream 0.23.0 install (default $UPSTREAM_PREFIX);
#                      both systems run in the same invocation and the table
#                      shows ours/upstream ratios
#   --no-upstream      skip upstream
#   --rounds N         ping-pong rounds (default 10000)
#   --packets N        packets per one-way run (default 100000)
#   --allocs N         flow allocations (default 200)
#
# Every measurement runs the same C programs (bench/*.c), built against
# include/ and run with the chosen libouroboros-dev on LD_LIBRARY_PATH.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
ws=$(cd "$here/../.." && pwd)
self="$here/$(basename "$0")"

rounds=10000
packets=100000
allocs=200
ours=""
no_ours=0
upstream=${UPSTREAM_PREFIX:-}

# --- inside the private system --------------------------------------------
# run.sh --inner NAME IRMD IRM LIB BIN ROUNDS PACKETS ALLOCS
inner() {
        local name=$1 irmd=$2 irm=$3 lib=$4 bin=$5
        rounds=$6 packets=$7 allocs=$8
        mount -t tmpfs none /dev/shm
        mount -t tmpfs none /var/run
        mount -t tmpfs none /tmp
        ip link set lo up
        export LD_LIBRARY_PATH=$lib
        "$irmd" --stdout > "$bin/irmd.log" 2>&1 &
        local ipid=$! i
        for i in $(seq 200); do
                [ -S /var/run/ouroboros/irm.sock ] && break
                sleep 0.1
        done
        sleep 0.2
        "$irm" bind program "$bin/bench_server" name bench
        "$irm" ipcp bootstrap type local name bench-lo layer bench-local
        "$irm" name reg bench layer bench-local
        # an unprivileged upstream client mounts a FUSE RIB: it needs to
        # read /dev/fuse (in this namespace only) and CAP_SYS_ADMIN
        if [ -c /dev/fuse ]; then
                local dev
                dev=$(stat -c '%t %T' /dev/fuse)
                mknod /run/bench-fuse c $((16#${dev% *})) $((16#${dev#* }))
                chmod 666 /run/bench-fuse
                mount --bind /run/bench-fuse /dev/fuse
        fi
        local mode priv
        for mode in direct local; do
                priv=()
                if [ $mode = local ]; then
                        priv=(setpriv --reuid=65534 --regid=65534
                              --clear-groups --inh-caps=+sys_admin
                              --ambient-caps=+sys_admin)
                fi
                measure() { # server args... -- client args...
                        local sargs=() log="$bin/server.log"
                        while [ "$1" != -- ]; do sargs+=("$1"); shift; done
                        shift
                        timeout -s KILL 130 "$bin/bench_server" "${sargs[@]}" \
                                > "$log" 2>&1 &
                        local spid=$! j
                        for j in $(seq 100); do
                                grep -q 'server: ready' "$log" && break
                                sleep 0.1
                        done
                        timeout -s KILL 120 "${priv[@]}" "$bin/bench_client" "$@" \
                                | sed "s/^RESULT /RESULT $name $mode /" \
                                || echo "FAILED $name $mode $*"
                        wait $spid || echo "FAILED $name $mode server ${sargs[*]}"
                }
                measure echo -- pingpong bench "$rounds" 64
                measure sink "$packets" -- flood bench "$packets" 64
                measure sink "$packets" -- flood bench "$packets" 1400
                measure accept "$allocs" -- allocs bench "$allocs"
        done
        kill $ipid 2> /dev/null || true
        wait $ipid || true
}

if [ "${1:-}" = --inner ]; then
        shift
        inner "$@"
        exit 0
fi

while [ $# -gt 0 ]; do
        case $1 in
        --ours) ours=$2; shift 2 ;;
        --no-ours) no_ours=1; shift ;;
        --upstream) upstream=$2; shift 2 ;;
        --no-upstream) upstream=""; shift ;;
        --rounds) rounds=$2; shift 2 ;;
        --packets) packets=$2; shift 2 ;;
        --allocs) allocs=$2; shift 2 ;;
        *) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2 ;;
        esac
done

[ "$(id -u)" = 0 ] || { echo "run.sh needs root (namespaces)"; exit 1; }

work="$ws/target/bench/run-$$"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT
results="$work/results"
: > "$results"

# build NAME LIBDIR: the programs, linked against LIBDIR
build() {
        local out="$work/$1"
        mkdir -p "$out"
        for p in server client; do
                cc -O2 -Wall -Wextra -Werror -I"$ws/include" "$here/$p.c" \
                        -L"$2" -louroboros-dev -o "$out/bench_$p"
        done
}

# system NAME IRMD IRM LIBDIR
system() {
        build "$1" "$4"
        echo "== $1: $2" >&2
        unshare -m -n -p -f --kill-child --mount-proc \
                "$self" --inner "$1" "$2" "$3" "$4" "$work/$1" \
                "$rounds" "$packets" "$allocs" | tee -a "$results" >&2
}

if [ $no_ours = 0 ]; then
        if [ -z "$ours" ]; then
                ours="$ws/target/debug"
                [ -x "$ws/target/release/irmd" ] && ours="$ws/target/release"
        fi
        if [ -x "$ours/irmd" ] && [ -f "$ours/libouroboros_dev.so" ]; then
                lib="$work/ours-lib"
                mkdir -p "$lib"
                for l in dev irm common; do
                        [ -f "$ours/libouroboros_$l.so" ] || continue
                        for s in .so .so.0.23 .so.0.23.0; do
                                ln -sf "$ours/libouroboros_$l.so" \
                                        "$lib/libouroboros-$l$s"
                        done
                done
                system ours "$ours/irmd" "$ours/irm" "$lib"
        else
                echo "ours: no irmd and libouroboros_dev.so in $ours: skipped" >&2
                no_ours=1
        fi
fi

if [ -n "$upstream" ]; then
        system upstream "$upstream/sbin/irmd" "$upstream/sbin/irm" \
                "$upstream/lib"
fi

cc -O2 -Wall -Wextra -Werror "$here/shm_pingpong.c" -o "$work/shm_pingpong" \
        -lpthread
"$work/shm_pingpong" 20000 | sed 's/^RESULT /RESULT machine shm /' \
        >> "$results"

# metric table: one row per (mode, metric), ours / upstream / ratio
awk '
$1 == "RESULT" { key = $3 " " $4; v[$2, key] = $5
                 if (!(key in seen)) { seen[key] = 1; order[n++] = key } }
END {
        printf "%-8s %-16s %14s %14s %10s\n", "path", "metric", "ours",
               "upstream", "ours/up"
        for (i = 0; i < n; i++) {
                k = order[i]; split(k, p, " ")
                if (p[1] == "shm") {
                        printf "%-8s %-16s %14s\n", "machine", p[2],
                               v["machine", k]
                        continue
                }
                o = (("ours", k) in v) ? v["ours", k] : "-"
                u = (("upstream", k) in v) ? v["upstream", k] : "-"
                r = "-"
                if (o != "-" && u != "-" && u + 0 != 0)
                        r = sprintf("%.2f", o / u)
                printf "%-8s %-16s %14s %14s %10s\n", p[1], p[2], o, u, r
        }
        print "ratio = ours / upstream: below 1 is better for *_us, above 1 for rates"
}' "$results"
grep FAILED "$results" && exit 1
exit 0
