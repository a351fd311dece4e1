//! Flow sets in one process: attachment table, event queues, bounds.

use super::{safety_net, soon};
use crate::errno::Error;
use crate::ssm::testns::ns_test;
use crate::ssm::{
    flow_set_name, FlowEvent, FlowSet, FLOW_DEALLOC, FLOW_DOWN, FLOW_PKT, FQUEUE_LEN,
};
use std::os::unix::fs::FileExt;

fn ev(flow_id: i32, event: i32) -> FlowEvent {
    FlowEvent { flow_id, event }
}

#[test]
fn names() {
    assert_eq!(flow_set_name(46), "/ouroboros.set.46");
}

ns_test! {
    fn attach_detach() {
        let set = FlowSet::create(10).expect("create");
        set.add(1, 5).expect("add");
        assert_eq!(set.add(1, 5), Err(Error::Perm), "even to the same fqueue");
        assert_eq!(set.add(2, 5), Err(Error::Perm));
        assert!(set.has(1, 5) && !set.has(2, 5));
        set.del(2, 5);
        assert!(set.has(1, 5), "del from another fqueue is a no-op");
        set.del(1, 5);
        assert!(!set.has(1, 5));
        set.add(2, 5).expect("free again");
        set.add(2, 6).unwrap();
        set.add(3, 7).unwrap();
        set.notify(6, FLOW_PKT);
        set.zero(2);
        assert!(!set.has(2, 5) && !set.has(2, 6) && set.has(3, 7));
        assert_eq!(set.wait(2, soon()), Err(Error::TimedOut), "events dropped");
        for (idx, flow) in [(32, 1), (0, -1), (0, 10240)] {
            assert_eq!(set.add(idx, flow), Err(Error::Inval));
            assert!(!set.has(idx, flow));
        }
        set.add(0, 10239).expect("last flow id");
        set.destroy();
    }
}

ns_test! {
    fn notify_and_wait() {
        let set = FlowSet::create(11).expect("create");
        let peer = FlowSet::open(11).expect("open");
        set.add(3, 7).unwrap();
        set.add(3, 8).unwrap();
        peer.notify(7, FLOW_PKT);
        peer.notify(8, FLOW_DOWN);
        peer.notify(7, FLOW_DEALLOC);
        peer.notify(9, FLOW_PKT); // not attached: dropped
        assert_eq!(
            set.wait(3, None),
            Ok(vec![ev(7, FLOW_PKT), ev(8, FLOW_DOWN), ev(7, FLOW_DEALLOC)])
        );
        assert_eq!(set.wait(3, soon()), Err(Error::TimedOut));
        assert_eq!(set.wait(32, None), Err(Error::Inval));
        std::thread::scope(|s| {
            let w = s.spawn(|| set.wait(3, safety_net()));
            std::thread::sleep(std::time::Duration::from_millis(10));
            peer.notify(8, FLOW_PKT);
            assert_eq!(w.join().unwrap(), Ok(vec![ev(8, FLOW_PKT)]));
        });
        set.destroy();
    }
}

ns_test! {
    fn fqueues_hold_at_most_1024_events() {
        let set = FlowSet::create(12).expect("create");
        set.add(3, 1).unwrap();
        set.add(4, 2).unwrap();
        set.notify(2, FLOW_DOWN);
        for _ in 0..1500 {
            set.notify(1, FLOW_PKT);
        }
        let got = set.wait(3, None).unwrap();
        assert_eq!(got.len(), FQUEUE_LEN);
        assert!(got.iter().all(|&e| e == ev(1, FLOW_PKT)));
        assert_eq!(set.wait(4, None), Ok(vec![ev(2, FLOW_DOWN)]), "neighbour intact");
        // A C writer may have pushed heads[] past 1024: read at most 1024.
        let f = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/shm/ouroboros.set.12")
            .unwrap();
        f.write_all_at(&2000u64.to_ne_bytes(), 81920 + 8 * 5).unwrap();
        assert_eq!(set.wait(5, None).map(|v| v.len()), Ok(FQUEUE_LEN));
        assert_eq!(set.wait(5, soon()), Err(Error::TimedOut), "reset to 0");
        set.destroy();
    }
}

ns_test! {
    fn pending_counts_one_flows_events() {
        let set = FlowSet::create(12).expect("create");
        assert_eq!(set.pending(7), None, "not attached");
        set.add(3, 7).unwrap();
        set.add(3, 8).unwrap();
        assert_eq!(set.pending(7), Some(0));
        set.notify(7, FLOW_PKT);
        set.notify(8, FLOW_PKT);
        set.notify(7, FLOW_PKT);
        assert_eq!((set.pending(7), set.pending(8)), (Some(2), Some(1)));
        assert_eq!(set.wait(3, None).map(|e| e.len()), Ok(3));
        assert_eq!(set.pending(7), Some(0), "taken");
        assert_eq!(set.pending(-1), None);
        set.destroy();
    }
}
