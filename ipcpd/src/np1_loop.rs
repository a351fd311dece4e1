//! The shims' writer loop: every packet applications write on the np1
//! flows of an event set, in turn, to a sending function.

use ouroboros::dev::fqueue::{FSet, FQ};
use ouroboros::dev::np1;
use ouroboros::ssm::FLOW_PKT;

/// Waits on `set` forever and hands each packet (its flow's fd and its
/// bytes) to `send`.
pub fn each_sdu(set: &FSet, mut send: impl FnMut(i32, &[u8])) {
    let mut fq = FQ::new();
    let mut sdu = Vec::new();
    loop {
        if set.wait(&mut fq, None).is_err() {
            continue;
        }
        while let Ok(fd) = fq.next_fd() {
            if fq.event_type() != Ok(FLOW_PKT) {
                continue;
            }
            if np1::np1_flow_read(fd, &mut sdu).is_ok() {
                send(fd, &sdu);
            }
        }
    }
}
