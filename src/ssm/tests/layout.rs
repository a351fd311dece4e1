//! Objects as created, byte for byte: names, sizes, modes, owners, pool
//! header contents, glibc mutex kinds and condvar flags.

use super::{file_bytes, u32_at, u64_at};
use crate::ssm::testns::ns_test;
use crate::ssm::{FlowSet, Pool, Rbuff, GSPP_NAME};
use std::os::unix::fs::MetadataExt;

/// glibc `__kind` (offset 16 of a mutex): robust | pshared.
const KIND_ROBUST_PSHARED: u32 = 0x90;
/// ... with priority inheritance.
const KIND_ROBUST_PSHARED_PI: u32 = 0xb0;
/// Condvar word at offset 36 at rest: pshared | monotonic clock.
const COND_PSHARED_MONOTONIC: u32 = 3;

/// (object size, blocks, pool_start) per class, from the spec.
const GSPP: [(u64, u64, u64); 9] = [
    (256, 1024, 0),
    (512, 768, 262144),
    (1024, 512, 655360),
    (2048, 384, 1179648),
    (4096, 256, 1966080),
    (16384, 128, 3014656),
    (65536, 64, 5111808),
    (262144, 32, 9306112),
    (1048576, 16, 17694720),
];
const PUP: [(u64, u64, u64); 9] = [
    (256, 128, 0),
    (512, 96, 32768),
    (1024, 64, 81920),
    (2048, 48, 147456),
    (4096, 32, 245760),
    (16384, 16, 376832),
    (65536, 8, 638976),
    (262144, 2, 1163264),
    (0, 0, 0),
];

fn meta(name: &str) -> std::fs::Metadata {
    std::fs::metadata(format!("/dev/shm{name}")).expect("object exists")
}

/// Checks the header of the pool file `name` whose block region is
/// `total` bytes long, against `table`.
fn check_pool_header(name: &str, total: u64, table: &[(u64, u64, u64); 9], base: usize) {
    let h = file_bytes(name, total, 4136);
    assert_eq!(u32_at(&h, 16), KIND_ROBUST_PSHARED, "header mutex kind");
    assert_eq!(u32_at(&h, 40 + 36), COND_PSHARED_MONOTONIC, "healthy cond");
    assert_eq!(u32_at(&h, 88), std::process::id(), "creator pid");
    assert_eq!(u32_at(&h, 92), 1, "initialized");
    assert_eq!(u64_at(&h, 96), base as u64, "mapped_addr");
    for (c, &(size, blocks, start)) in table.iter().enumerate() {
        let r = 104 + 448 * c;
        if blocks == 0 {
            assert!(h[r..r + 448].iter().all(|&b| b == 0), "class {c} not zero");
            continue;
        }
        assert_eq!(u64_at(&h, r + 416), size, "class {c} object_size");
        assert_eq!(u64_at(&h, r + 424), start, "class {c} pool_start");
        assert_eq!(u64_at(&h, r + 432), size * blocks, "class {c} pool_size");
        assert_eq!(u64_at(&h, r + 440), blocks, "class {c} object_count");
        for s in 0..4 {
            let sh = r + 104 * s;
            assert_eq!(u32_at(&h, sh + 16), KIND_ROBUST_PSHARED_PI, "shard mutex");
            assert_eq!(u32_at(&h, sh + 40 + 36), COND_PSHARED_MONOTONIC);
            let (head, count, free) = if s == 0 {
                (start + size * (blocks - 1), blocks, blocks)
            } else {
                (0, 0, 0)
            };
            assert_eq!(
                u64::from(u32_at(&h, sh + 88)),
                head,
                "class {c} shard {s} head"
            );
            assert_eq!(
                u64::from(u32_at(&h, sh + 92)),
                count,
                "class {c} shard {s} count"
            );
            assert_eq!(u64_at(&h, sh + 96), free, "class {c} shard {s} free_count");
        }
        // The free list runs from the last block down to the first, whose
        // link is 0; free blocks have refcount 0 and no allocator.
        for i in [0, 1, blocks - 1] {
            let off = start + size * i;
            let b = file_bytes(name, off, 28);
            let next = if i == 0 { 0 } else { off - size };
            assert_eq!(u64::from(u32_at(&b, 0)), next, "class {c} block {i} link");
            assert_eq!(u32_at(&b, 4) & 0xffff, 0, "refcount");
            assert_eq!(u32_at(&b, 8), 0, "allocator_pid");
        }
    }
}

ns_test! {
    fn gspp_as_created() {
        let pool = Pool::create(0, 0).expect("create GSPP");
        let m = meta(GSPP_NAME);
        assert_eq!(m.len(), 34476072);
        assert_eq!(m.mode() & 0o7777, 0o660);
        assert_eq!((m.uid(), m.gid()), (0, 0));
        check_pool_header(GSPP_NAME, 34471936, &GSPP, pool.raw().0 as usize);
        let h = file_bytes(GSPP_NAME, 34471936 + 104, 448 * 2);
        assert_eq!(u32_at(&h, 88), 261888, "class 0 head as observed upstream");
        assert_eq!(u32_at(&h, 448 + 88), 654848, "class 1 head as observed upstream");
        assert_eq!(Pool::create(0, 0).err(), Some(crate::Error::Exist));
        pool.destroy();
        assert!(!super::exists(GSPP_NAME));
    }
}

ns_test! {
    fn pup_as_created() {
        let pool = Pool::create(1000, 1001).expect("create PUP");
        let name = "/ouroboros.pup.1000";
        assert_eq!(crate::ssm::pool_name(1000), name);
        let m = meta(name);
        assert_eq!(m.len(), 1691688);
        assert_eq!(m.mode() & 0o7777, 0o600);
        assert_eq!((m.uid(), m.gid()), (1000, 1001), "fchown to the user");
        check_pool_header(name, 1687552, &PUP, pool.raw().0 as usize);
        assert_eq!(pool.max_len(), 261828);
        pool.mlock().expect("mlock a PUP");
        pool.destroy();
    }
}

ns_test! {
    fn rbuff_as_created() {
        let rb = Rbuff::create(46, 1).expect("create rbuff");
        let name = "/ouroboros.rbuff.46.1";
        let m = meta(name);
        assert_eq!(m.len(), 8352);
        assert_eq!(m.mode() & 0o7777, 0o666);
        let b = file_bytes(name, 0, 8352);
        assert!(b[..8216].iter().all(|&x| x == 0), "ring, head, tail, acl zero");
        assert_eq!(u32_at(&b, 8216 + 16), KIND_ROBUST_PSHARED);
        assert_eq!(u32_at(&b, 8256 + 36), COND_PSHARED_MONOTONIC);
        assert_eq!(u32_at(&b, 8304 + 36), COND_PSHARED_MONOTONIC);
        assert_eq!(Rbuff::create(46, 1).err(), Some(crate::Error::Exist));
        rb.write(4242).expect("write");
        let b = file_bytes(name, 0, 8352);
        assert_eq!(u64_at(&b, 0), 4242, "slot 0");
        assert_eq!(u64_at(&b, 8192), 1, "head");
        rb.destroy();
        assert!(!super::exists(name));
    }
}

ns_test! {
    fn flow_set_as_created() {
        let set = FlowSet::create(46).expect("create flow set");
        let name = "/ouroboros.set.46";
        let m = meta(name);
        assert_eq!(m.len(), 345896);
        assert_eq!(m.mode() & 0o7777, 0o666);
        let b = file_bytes(name, 0, 345896);
        assert!(b[..81920].iter().all(|&x| x == 0xff), "mtable all -1");
        assert!(b[81920..82176].iter().all(|&x| x == 0), "heads zero");
        for q in 0..32 {
            assert_eq!(u32_at(&b, 82176 + 48 * q + 36), COND_PSHARED_MONOTONIC);
        }
        assert_eq!(u32_at(&b, 345856 + 16), KIND_ROBUST_PSHARED);
        set.add(1, 7).expect("add");
        set.notify(7, crate::ssm::FLOW_PKT);
        let b = file_bytes(name, 0, 345896);
        assert_eq!(u64_at(&b, 7 * 8), 1, "mtable[7] = fqueue 1");
        assert_eq!(u64_at(&b, 81920 + 8), 1, "heads[1]");
        assert_eq!((u32_at(&b, 83712 + 8192), u32_at(&b, 83712 + 8192 + 4)), (7, 1));
        // Creating again (no O_EXCL) re-initialises.
        let again = FlowSet::create(46).expect("create again");
        assert!(!again.has(1, 7));
        again.destroy();
        assert!(!super::exists(name));
    }
}
