//! Ring buffers in one process: capacity, order, ACL, blocking calls.

use super::{poke, safety_net, soon};
use crate::errno::Error;
use crate::ssm::testns::ns_test;
use crate::ssm::{rbuff_name, Rbuff, ACL_FLOWDOWN, ACL_FLOWPEER, ACL_RDONLY, ACL_RDWR};
use crate::time::MonoTime;
use std::time::Duration;

fn pause() {
    std::thread::sleep(Duration::from_millis(10));
}

#[test]
fn names() {
    assert_eq!(rbuff_name(46, 1), "/ouroboros.rbuff.46.1");
    assert_eq!(rbuff_name(-1, 0), "/ouroboros.rbuff.-1.0");
}

ns_test! {
    fn capacity_is_1023_in_order() {
        let rb = Rbuff::create(1, 1).expect("create");
        let other = Rbuff::open(1, 1).expect("open");
        assert_eq!(rb.read(), Err(Error::Again));
        for i in 1..=1023 {
            rb.write(i * 512).expect("room");
        }
        assert_eq!(rb.queued(), 1023);
        assert_eq!(rb.write(1), Err(Error::Again));
        assert_eq!(rb.write_b(1, soon()), Err(Error::TimedOut));
        for i in 1..=1023 {
            assert_eq!(other.read(), Ok(i * 512));
        }
        assert_eq!(rb.queued(), 0);
        assert_eq!(rb.read_b(soon()), Err(Error::TimedOut));
        // Going round the ring many times.
        for i in 0..3000 {
            rb.write_b(i, None).unwrap();
            rb.write(i + 1).unwrap();
            assert_eq!(other.read_b(None), Ok(i));
            assert_eq!(other.read(), Ok(i + 1));
        }
        rb.destroy();
    }
}

ns_test! {
    fn acl_semantics() {
        let rb = Rbuff::create(1, 2).expect("create");
        assert_eq!(rb.acl(), ACL_RDWR);
        rb.set_acl(ACL_RDONLY);
        assert_eq!(rb.write(5), Err(Error::NotAlloc));
        assert_eq!(rb.write_b(5, None), Err(Error::NotAlloc));
        assert_eq!(rb.read(), Err(Error::Again));
        rb.set_acl(ACL_FLOWPEER);
        rb.write(5).expect("FLOWPEER does not stop writes");
        assert_eq!(rb.read(), Ok(5));
        assert_eq!(rb.read(), Err(Error::FlowPeer));
        assert_eq!(rb.read_b(None), Err(Error::FlowPeer));
        rb.set_acl(ACL_RDWR);
        rb.write(6).unwrap();
        rb.set_acl(ACL_FLOWDOWN | ACL_RDONLY);
        assert_eq!(rb.acl(), ACL_FLOWDOWN | ACL_RDONLY, "replaced, not or-ed");
        assert_eq!(rb.write(7), Err(Error::FlowDown));
        assert_eq!(rb.read_b(None), Ok(6), "queued entries still readable");
        assert_eq!(rb.read(), Err(Error::FlowDown));
        assert_eq!(rb.read_b(None), Err(Error::FlowDown));
        rb.set_acl(ACL_FLOWDOWN | ACL_FLOWPEER);
        assert_eq!(rb.read(), Err(Error::FlowDown), "down before peer");
        rb.destroy();
    }
}

ns_test! {
    fn blocked_calls_wake_up() {
        let rb = Rbuff::create(1, 3).expect("create");
        std::thread::scope(|s| {
            // A reader is woken by a write.
            let r = s.spawn(|| rb.read_b(safety_net()));
            pause();
            rb.write(11).unwrap();
            assert_eq!(r.join().unwrap(), Ok(11));
            // A writer on a full ring is woken by a read.
            (0..1023).for_each(|i| rb.write(i).unwrap());
            let w = s.spawn(|| rb.write_b(99, safety_net()));
            pause();
            assert_eq!(rb.read(), Ok(0));
            assert_eq!(w.join().unwrap(), Ok(()));
            // fini waits until the reader emptied the ring.
            assert_eq!(rb.fini(soon()), Err(Error::TimedOut));
            let f = s.spawn(|| rb.fini(safety_net()));
            (1..1023).for_each(|i| assert_eq!(rb.read(), Ok(i)));
            assert_eq!(rb.read(), Ok(99));
            assert_eq!(f.join().unwrap(), Ok(()));
            rb.fini(None).unwrap();
        });
        rb.destroy();
    }
}

ns_test! {
    fn acl_changes_wake_blocked_calls() {
        // Upstream leaves these sleeping; ours notice within the ACL
        // re-read period (no deadline given).
        let rb = Rbuff::create(1, 4).expect("create");
        std::thread::scope(|s| {
            let r = s.spawn(|| rb.read_b(None));
            pause();
            rb.set_acl(ACL_FLOWPEER);
            assert_eq!(r.join().unwrap(), Err(Error::FlowPeer));
            rb.set_acl(ACL_RDWR);
            let r = s.spawn(|| rb.read_b(None));
            pause();
            rb.set_acl(ACL_FLOWDOWN);
            assert_eq!(r.join().unwrap(), Err(Error::FlowDown));
            // with a deadline, as upstream: a time-out at the deadline
            rb.set_acl(ACL_RDWR);
            let r = s.spawn(|| {
                let start = std::time::Instant::now();
                let deadline = MonoTime::now().after(Duration::from_millis(300));
                (rb.read_b(Some(deadline)), start.elapsed())
            });
            pause();
            rb.set_acl(ACL_FLOWDOWN);
            let (got, took) = r.join().unwrap();
            assert_eq!(got, Err(Error::TimedOut));
            assert!(took >= Duration::from_millis(290), "{took:?}");
            rb.set_acl(ACL_RDWR);
            let r = s.spawn(|| rb.read_b(safety_net()));
            pause();
            rb.set_acl(ACL_FLOWPEER);
            rb.write(8).unwrap();
            assert_eq!(r.join().unwrap(), Ok(8), "still woken by a write");
            rb.set_acl(ACL_RDWR);
            (0..1023).for_each(|i| rb.write(i).unwrap());
            let w = s.spawn(|| rb.write_b(5, None));
            pause();
            rb.set_acl(ACL_FLOWDOWN);
            assert_eq!(w.join().unwrap(), Err(Error::FlowDown));
        });
        rb.destroy();
    }
}

ns_test! {
    fn open_and_unlink() {
        assert_eq!(Rbuff::open(9, 9).err(), Some(Error::NoEnt));
        let rb = Rbuff::create(9, 9).expect("create");
        let peer = Rbuff::open(9, 9).expect("open");
        assert_eq!((peer.pid(), peer.flow_id()), (9, 9));
        Rbuff::unlink(9, 9).expect("unlink");
        assert_eq!(Rbuff::open(9, 9).err(), Some(Error::NoEnt));
        // The mappings stay usable.
        rb.write(3).unwrap();
        assert_eq!(peer.read(), Ok(3));
        assert_eq!(Rbuff::unlink(9, 9), Err(Error::NoEnt));
    }
}

ns_test! {
    fn corrupt_indexes_count_modulo_the_ring() {
        // Found by fuzzing: a peer's head or tail of usize::MAX overflowed
        // the next index (a panic with overflow checks). Found fixing it:
        // "empty" compared the indexes unmasked, so a ring whose head a
        // peer left unmasked never emptied.
        let rb = Rbuff::create(1, 5).expect("create");
        let name = rbuff_name(1, 5);
        // head and tail both usize::MAX: empty (1023 modulo 1024)
        poke(&name, 8192, &usize::MAX.to_ne_bytes());
        poke(&name, 8200, &usize::MAX.to_ne_bytes());
        assert_eq!(rb.queued(), 0);
        assert_eq!(rb.read(), Err(Error::Again));
        rb.write(7).expect("write at slot 1023");
        rb.write(8).expect("write at slot 0");
        assert_eq!(rb.queued(), 2);
        assert_eq!(rb.read_b(soon()), Ok(7));
        assert_eq!(rb.read(), Ok(8));
        assert_eq!(rb.queued(), 0);
        // unmasked but equal modulo the size: empty as well
        poke(&name, 8192, &(1024usize + 3).to_ne_bytes());
        poke(&name, 8200, &3usize.to_ne_bytes());
        assert_eq!(rb.queued(), 0);
        assert_eq!(rb.read(), Err(Error::Again));
        assert_eq!(rb.read_b(soon()), Err(Error::TimedOut));
        // a drain loop (the IRMd's cleanup of a dead flow) ends: an
        // unmasked head never equal to the tail once did not
        poke(&name, 8192, &5000usize.to_ne_bytes());
        poke(&name, 8200, &0usize.to_ne_bytes());
        assert_eq!(rb.queued(), 5000 % 1024);
        let mut n = 0;
        while rb.read().is_ok() {
            n += 1;
            assert!(n <= 1023, "drain never ends");
        }
        assert_eq!(n, 5000 % 1024);
        // a negative slot value is no offset
        poke(&name, 8192, &3usize.to_ne_bytes());
        poke(&name, 8200, &3usize.to_ne_bytes());
        rb.write(9).unwrap();
        poke(&name, 8 * 3, &(-5i64).to_ne_bytes());
        assert_eq!(rb.read(), Err(Error::Inval));
        rb.destroy();
    }
}
