//! Pool allocation, release, lookup, blocks and lifetime in one process.

use super::{exists, file_bytes, poke, safety_net, soon, u32_at};
use crate::errno::Error;
use crate::ssm::testns::{self, ns_test};
use crate::ssm::{Pool, GSPP_NAME, PUP_TOTAL_SIZE};

/// (max payload, object size) of each selectable GSPP class.
const GSPP_FITS: [(usize, usize); 8] = [
    (196, 512),
    (708, 1024),
    (1732, 2048),
    (3780, 4096),
    (16068, 16384),
    (65220, 65536),
    (261828, 262144),
    (1048260, 1048576),
];

/// Allocates `len` bytes, checks the block is of `size`, keeps its offset.
fn take(pool: &Pool, len: usize, size: usize, offs: &mut Vec<usize>) {
    let b = pool.alloc(len).expect("alloc");
    assert_eq!(b.capacity(), size - 28, "class of {len}");
    assert_eq!((b.len(), b.headspace()), (len, 256));
    assert_eq!(b.tailspace(), size - 28 - 256 - len);
    assert_eq!(b.refcount(), 1);
    assert_eq!(b.allocator_pid(), std::process::id() as i32);
    offs.push(b.off());
}

ns_test! {
    fn alloc_picks_the_smallest_class_that_fits() {
        let pool = Pool::create(0, 0).expect("create");
        let base = pool.free_blocks();
        let mut offs = Vec::new();
        for (i, &(max, size)) in GSPP_FITS.iter().enumerate() {
            take(&pool, max, size, &mut offs);
            take(&pool, max - 1, size, &mut offs);
            if let Some(&(_, next)) = GSPP_FITS.get(i + 1) {
                take(&pool, max + 1, next, &mut offs);
            }
        }
        take(&pool, 0, 512, &mut offs);
        assert_eq!(pool.alloc(1048261).err(), Some(Error::MsgSize));
        assert_eq!(pool.alloc_b(usize::MAX, None).err(), Some(Error::MsgSize));
        assert_eq!(pool.max_len(), 1048260);
        assert_eq!(pool.free_blocks(), base - offs.len());
        for off in offs {
            pool.remove(off).expect("remove");
        }
        assert_eq!(pool.free_blocks(), base);
        pool.destroy();

        let pup = Pool::create(1000, 1000).expect("create PUP");
        let mut offs = Vec::new();
        take(&pup, 261828, 262144, &mut offs);
        take(&pup, 3781, 16384, &mut offs);
        assert_eq!(pup.alloc(261829).err(), Some(Error::MsgSize));
        assert_eq!(pup.max_len(), 261828);
        pup.destroy();
    }
}

ns_test! {
    fn exhaustion_and_blocking_alloc() {
        // The PUP has two 256 KiB blocks.
        let pool = Pool::create(1000, 1000).expect("create");
        let base = pool.free_blocks();
        let a = pool.alloc(200_000).expect("first").off();
        let b = pool.alloc(200_000).expect("second").off();
        assert_ne!(a, b);
        assert_eq!(pool.alloc(200_000).err(), Some(Error::Again));
        assert_eq!(pool.alloc_b(200_000, soon()).err(), Some(Error::TimedOut));
        // A deadline in the past still tries once.
        pool.remove(a).expect("remove");
        let past = Some(crate::time::MonoTime(1));
        let a = pool.alloc_b(200_000, past).expect("free block, past deadline").off();
        // A blocked allocation is woken by a release.
        std::thread::scope(|s| {
            let waiter = s.spawn(|| pool.alloc_b(200_000, safety_net()).map(|b| b.off()));
            std::thread::sleep(std::time::Duration::from_millis(10));
            pool.remove(b).expect("remove");
            assert_eq!(waiter.join().unwrap(), Ok(b));
        });
        pool.remove(a).expect("remove");
        pool.remove(b).expect("remove");
        assert_eq!(pool.free_blocks(), base);
        pool.destroy();
    }
}

ns_test! {
    fn refcounts_and_lookup() {
        let pool = Pool::create(1000, 1000).expect("create");
        let base = pool.free_blocks();
        let off = pool.alloc(100).expect("alloc").off();
        let b = pool.get(off).expect("allocated");
        assert_eq!(b.refcount(), 1);
        b.wait_ack();
        assert_eq!(b.refcount(), 2);
        pool.remove(off).expect("drop one");
        assert_eq!(pool.get(off).map(|b| b.refcount()), Some(1), "still held");
        b.wait_ack();
        b.ack();
        assert_eq!(b.refcount(), 1);
        pool.remove(off).expect("drop last");
        assert!(pool.get(off).is_none(), "freed");
        assert_eq!(pool.free_blocks(), base);
        // Bad offsets.
        for bad in [0, off + 1, PUP_TOTAL_SIZE, PUP_TOTAL_SIZE + 28, usize::MAX] {
            assert_eq!(pool.remove(bad), Err(Error::Inval), "remove {bad}");
            assert!(pool.get(bad).is_none());
        }
        // A second handle on the same pool sees the same blocks.
        let other = Pool::open(1000).expect("open");
        let off = pool.alloc(10).expect("alloc").off();
        assert_eq!(other.get(off).map(|b| b.len()), Some(10));
        other.remove(off).expect("remove through the other mapping");
        assert!(pool.get(off).is_none());
        drop(other);
        pool.destroy();
    }
}

ns_test! {
    fn freed_blocks_go_to_the_allocators_shard() {
        let pool = Pool::create(1000, 1000).expect("create");
        let off = pool.alloc(100).expect("alloc").off();
        assert_eq!(off, 32768 + 512 * 95, "the head of shard 0: last block");
        pool.remove(off).expect("remove");
        let shard = std::process::id() as usize % 4;
        let class1 = 1687552 + 104 + 448;
        let h = file_bytes("/ouroboros.pup.1000", class1 as u64, 448);
        assert_eq!(u32_at(&h, 104 * shard + 88) as usize, off, "head of our shard");
        // The local shard is tried first.
        assert_eq!(pool.alloc(100).expect("alloc").off(), off);
        pool.destroy();
    }
}

ns_test! {
    fn block_head_and_tail() {
        let pool = Pool::create(1000, 1000).expect("create");
        let b = pool.alloc(10).expect("alloc");
        b.write(0, b"0123456789").unwrap();
        assert_eq!(b.to_vec(), b"0123456789");
        assert_eq!(b.write(5, b"abcdef"), Err(Error::Inval), "past the end");
        b.head_alloc(4).unwrap();
        b.write(0, b"HDR:").unwrap();
        assert_eq!((b.len(), b.headspace()), (14, 252));
        b.tail_alloc(2).unwrap();
        b.write(14, b"!!").unwrap();
        assert_eq!(b.to_vec(), b"HDR:0123456789!!");
        b.head_release(4).unwrap();
        b.tail_release(2).unwrap();
        assert_eq!(b.to_vec(), b"0123456789");
        let mut small = [0u8; 4];
        assert_eq!(b.read(&mut small), 4);
        assert_eq!(&small, b"0123");
        assert_eq!(b.head_release(11), Err(Error::Inval));
        assert_eq!(b.tail_release(11), Err(Error::Inval));
        assert_eq!(b.head_alloc(257), Err(Error::NoMem));
        // tail + n must stay below the capacity (484 for 512-byte blocks).
        let room = b.tailspace();
        assert_eq!(room, 484 - 266);
        assert_eq!(b.tail_alloc(room), Err(Error::NoMem));
        b.tail_alloc(room - 1).unwrap();
        assert_eq!(b.len(), 10 + room - 1);
        b.truncate(3).unwrap();
        assert_eq!(b.to_vec(), b"012");
        assert_eq!(b.truncate(484), Err(Error::Inval));
        let mut b = b;
        // SAFETY: this test is the only user of the block.
        unsafe { b.bytes_mut().copy_from_slice(b"xyz") };
        // SAFETY: as above.
        assert_eq!(unsafe { b.bytes() }, b"xyz");
        pool.destroy();
    }
}

ns_test! {
    fn destroy_unlinks_only_for_the_creator_or_when_it_died() {
        let pool = Pool::create(0, 0).expect("create");
        // Another live process's destroy only unmaps.
        let child = testns::fork(|| {
            Pool::open(0).map(Pool::destroy).map_or(1, |()| 0)
        });
        assert_eq!(testns::wait(child), 0);
        assert!(exists(GSPP_NAME));
        pool.destroy();
        assert!(!exists(GSPP_NAME));
        // A pool whose creator is dead is unlinked by whoever destroys it.
        let child = testns::fork(|| Pool::create(0, 0).map_or(1, |p| {
            std::mem::forget(p);
            0
        }));
        assert_eq!(testns::wait(child), 0);
        assert!(exists(GSPP_NAME));
        Pool::open(0).expect("open").destroy();
        assert!(!exists(GSPP_NAME));
        // Purge removes it whoever created it.
        let pool = Pool::create(0, 0).expect("create");
        Pool::purge_gspp().expect("purge");
        assert!(!exists(GSPP_NAME));
        assert_eq!(Pool::open(0).err(), Some(Error::NoEnt));
        drop(pool);
    }
}

/// Offset in the PUP file of the shard record (class `c`, shard `s`).
fn pup_shard(c: usize, s: usize) -> u64 {
    (PUP_TOTAL_SIZE + 104 + 448 * c + 104 * s) as u64
}

ns_test! {
    fn removing_a_free_block_is_refused() {
        // Found by fuzzing: an offset a peer left in a ring, naming a
        // block nobody holds, went onto the free list a second time.
        let pool = Pool::create(1000, 1000).expect("create");
        let base = pool.free_blocks();
        let off = pool.alloc(100).expect("alloc").off();
        pool.remove(off).expect("remove");
        assert_eq!(pool.remove(off), Err(Error::Inval), "already free");
        // a block never allocated (the second one of class 0)
        assert_eq!(pool.remove(256), Err(Error::Inval), "never allocated");
        assert_eq!(pool.free_blocks(), base, "no block counted twice");
        assert!(pool.get(off).is_none() && pool.get(256).is_none());
        // the free list holds each block once: draining the class hands
        // out distinct blocks, and exactly as many as it has
        let mut got = std::collections::HashSet::new();
        while let Ok(b) = pool.alloc(100) {
            assert!(got.insert(b.off()), "block {} handed out twice", b.off());
        }
        assert_eq!(got.len(), 96, "the PUP's 512-byte class");
        pool.destroy();
    }
}

ns_test! {
    fn corrupt_free_counters() {
        // Found by fuzzing: a free counter a peer set to a huge value over
        // an empty list made a blocking allocation spin past its deadline,
        // and the sum of the counters overflow.
        let pool = Pool::create(1000, 1000).expect("create");
        let big = 200_000; // the 256 KiB class: two blocks
        let a = pool.alloc(big).expect("first").off();
        let b = pool.alloc(big).expect("second").off();
        for s in 0..4 {
            poke("/ouroboros.pup.1000", pup_shard(7, s) + 96, &u64::MAX.to_ne_bytes());
        }
        assert_eq!(pool.free_blocks(), usize::MAX, "saturated");
        let start = std::time::Instant::now();
        assert_eq!(pool.alloc_b(big, soon()).err(), Some(Error::TimedOut));
        assert!(start.elapsed() < std::time::Duration::from_secs(5), "spun");
        assert_eq!(pool.alloc(big).err(), Some(Error::Again));
        // the lists themselves still work
        pool.remove(a).expect("remove");
        assert_eq!(pool.alloc_b(big, safety_net()).map(|b| b.off()), Ok(a));
        pool.remove(a).expect("remove");
        pool.remove(b).expect("remove");
        pool.destroy();
    }
}
