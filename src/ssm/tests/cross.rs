//! Two processes sharing a pool, rbuffs and flow sets; recovery after a
//! process dies holding locks and blocks.

use super::safety_net;
use crate::ssm::testns::{self, ns_test};
use crate::ssm::{FlowEvent, FlowSet, Pool, Rbuff, FLOW_PKT};
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use std::io::{Read, Write};

const ROUNDS: usize = 200;
const FLOW: i32 = 1;
/// Stand-in pids naming the objects of the two sides.
const PARENT: i32 = 200;
const CHILD: i32 = 100;

/// Waits for a FLOW_PKT on fqueue 0 of `set`, then takes one entry.
fn next_packet(set: &FlowSet, rx: &Rbuff) -> Option<usize> {
    loop {
        if let Ok(off) = rx.read() {
            return Some(off);
        }
        let events = set.wait(0, safety_net()).ok()?;
        if !events.contains(&FlowEvent {
            flow_id: FLOW,
            event: FLOW_PKT,
        }) {
            return None;
        }
    }
}

/// The echo side: answers every packet with a fresh block holding the
/// bytes plus one, and frees the one it got. Returns an exit status.
fn echo() -> i32 {
    let (Ok(pool), Ok(rx), Ok(tx), Ok(own), Ok(peer)) = (
        Pool::open(1000),
        Rbuff::open(CHILD, FLOW),
        Rbuff::open(PARENT, FLOW),
        FlowSet::open(CHILD),
        FlowSet::open(PARENT),
    ) else {
        return 2;
    };
    for _ in 0..ROUNDS {
        let Some(off) = next_packet(&own, &rx) else {
            return 3;
        };
        let Some(data) = pool.get(off).map(|b| b.to_vec()) else {
            return 4;
        };
        let Ok(reply) = pool.alloc_b(data.len(), safety_net()) else {
            return 5;
        };
        let bumped: Vec<u8> = data.iter().map(|b| b.wrapping_add(1)).collect();
        if reply.write(0, &bumped).is_err() || pool.remove(off).is_err() {
            return 6;
        }
        if tx.write_b(reply.off(), safety_net()).is_err() {
            return 7;
        }
        peer.notify(FLOW, FLOW_PKT);
    }
    0
}

ns_test! {
    fn packets_cross_processes() {
        let pool = Pool::create(1000, 1000).expect("pool");
        let base = pool.free_blocks();
        let to_child = Rbuff::create(CHILD, FLOW).expect("rbuff");
        let from_child = Rbuff::create(PARENT, FLOW).expect("rbuff");
        let child_set = FlowSet::create(CHILD).expect("set");
        let own = FlowSet::create(PARENT).expect("set");
        child_set.add(0, FLOW).unwrap();
        own.add(0, FLOW).unwrap();
        let child = testns::fork(echo);
        for i in 0..ROUNDS {
            let len = 1 + i * 97 % 5000;
            let b = pool.alloc_b(len, safety_net()).expect("alloc");
            b.write(0, &vec![i as u8; len]).unwrap();
            to_child.write_b(b.off(), safety_net()).expect("write");
            child_set.notify(FLOW, FLOW_PKT);
            let off = next_packet(&own, &from_child).expect("reply");
            let reply = pool.get(off).expect("allocated block");
            assert_ne!(reply.allocator_pid(), std::process::id() as i32);
            assert_eq!(reply.to_vec(), vec![(i as u8).wrapping_add(1); len]);
            pool.remove(off).expect("remove");
        }
        assert_eq!(testns::wait(child), 0, "echo side failed");
        assert_eq!(pool.free_blocks(), base, "no block leaked");
        pool.destroy();
    }
}

/// Forks a child that runs `prepare` (an exit status if it fails, else
/// what it holds: kept mapped until the kill, the kernel must find the
/// robust mutexes it locked), waits until it is ready, kills it with
/// SIGKILL and reaps it; returns its pid.
fn killed_when_ready<T>(prepare: impl FnOnce() -> Result<T, i32>) -> i32 {
    let (ready_rx, ready_tx) = nix::unistd::pipe().expect("pipe");
    let (mut ready_rx, ready_tx) = (std::fs::File::from(ready_rx), std::fs::File::from(ready_tx));
    let child = testns::fork(move || {
        let mut ready_tx = ready_tx;
        let _held = match prepare() {
            Ok(h) => h,
            Err(code) => return code,
        };
        let _ = ready_tx.write_all(b"!");
        loop {
            std::thread::sleep(std::time::Duration::from_secs(1));
        }
    });
    let mut byte = [0u8];
    ready_rx.read_exact(&mut byte).expect("child ready");
    kill(Pid::from_raw(child), Signal::SIGKILL).expect("kill");
    assert_eq!(testns::wait(child), 128 + Signal::SIGKILL as i32);
    child
}

ns_test! {
    fn recovery_after_kill_9() {
        let pool = Pool::create(1000, 1000).expect("pool");
        let base = pool.free_blocks();
        let rb = Rbuff::create(1, FLOW).expect("rbuff");
        let probe = Rbuff::create(1, FLOW + 1).expect("rbuff");
        let set = FlowSet::create(1).expect("set");
        let child = killed_when_ready(|| {
            let (Ok(pool), Ok(rb), Ok(probe), Ok(set)) = (
                Pool::open(1000),
                Rbuff::open(1, FLOW),
                Rbuff::open(1, FLOW + 1),
                FlowSet::open(1),
            ) else {
                return Err(2);
            };
            for len in [10, 500, 1000, 3000, 100_000] {
                if pool.alloc(len).is_err() {
                    return Err(3);
                }
            }
            pool.lock_shard_forever(1, 0);
            rb.lock_forever();
            probe.lock_forever();
            set.lock_forever();
            Ok((pool, rb, probe, set))
        });

        assert_eq!(probe.probe_lock(), Ok(true), "EOWNERDEAD seen and repaired");
        assert_eq!(probe.probe_lock(), Ok(false));
        for i in 1..=3 {
            rb.write(i).expect("rbuff lock recovered");
            assert_eq!(rb.read(), Ok(i));
        }
        set.add(0, 3).expect("flow set lock recovered");
        set.notify(3, FLOW_PKT);
        assert_eq!(set.wait(0, None).map(|v| v.len()), Ok(1));
        assert_eq!(pool.free_blocks(), base - 5, "the dead child's blocks");
        for _ in 0..2 {
            let off = pool.alloc(100).expect("shard lock recovered").off();
            pool.remove(off).unwrap();
        }
        pool.reclaim_orphans(child).expect("reclaim");
        assert_eq!(pool.free_blocks(), base, "all blocks back");
        // Everything is allocatable again.
        let mut offs = Vec::new();
        while let Ok(b) = pool.alloc(60_000) {
            offs.push(b.off());
        }
        assert_eq!(offs.len(), 8, "all 64 KiB blocks");
        offs.into_iter().for_each(|o| pool.remove(o).unwrap());
        pool.destroy();
    }
}

ns_test! {
    fn a_reader_killed_holding_a_block_loses_none() {
        let pool = Pool::create(1000, 1000).expect("pool");
        let base = pool.free_blocks();
        let rb = Rbuff::create(1, FLOW).expect("rbuff");
        // three blocks the parent allocated: one the child takes and
        // claims, one it takes without (as an upstream reader would), one
        // the parent still holds too (as an upstream FRCT sender does):
        // that one the child cannot claim
        let mut shared = 0;
        for len in [100, 3000, 200] {
            let b = pool.alloc(len).expect("alloc");
            rb.write(b.off()).expect("write");
            if len == 200 {
                b.wait_ack();
                shared = b.off();
            }
        }
        let child = killed_when_ready(|| {
            let (Ok(pool), Ok(rb)) = (Pool::open(1000), Rbuff::open(1, FLOW)) else {
                return Err(2);
            };
            let claim = |off| pool.claim(off);
            let (Ok(_claimed), Ok(_held), Ok(shared)) = (
                rb.read_claimed(&claim),
                rb.read(),
                rb.read_b_claimed(None, &claim),
            ) else {
                return Err(3);
            };
            if pool.remove(shared).is_err() {
                return Err(4);
            }
            Ok((pool, rb))
        });
        pool.reclaim_orphans(child).expect("reclaim");
        assert_eq!(pool.free_blocks(), base - 2, "the claimed block is back");
        pool.remove(shared).expect("the sender's reference");
        // the unclaimed one is still the allocator's
        pool.reclaim_orphans(std::process::id() as i32).expect("reclaim");
        assert_eq!(pool.free_blocks(), base, "all blocks back");
        pool.destroy();
    }
}
