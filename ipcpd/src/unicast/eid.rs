//! Endpoint ids carried in the DT header (spec §5.1, §5.4).
//!
//! Ids below [`RES_EIDS`] name components of the IPCP itself, numbered in
//! registration order; every node assumes its peers use the same numbers,
//! so these values are part of the wire protocol. Larger ids name N+1
//! flows: a random upper half and the IPCP's flow descriptor below.

/// The flow allocator, registered first.
pub const FA: u64 = 0;
/// The DHT directory, registered second.
pub const DHT: u64 = 1;
/// Ids below this are components; at or above it, N+1 flows (upstream's
/// `PROG_RES_FDS`).
pub const RES_EIDS: u64 = 64;
/// Highest flow descriptor plus one (upstream's `PROG_MAX_FLOWS`).
pub const MAX_FLOWS: u64 = 4096;

/// The eid for a new flow on `fd`: `rnd` in the upper 32 bits.
pub fn flow_eid(rnd: u32, fd: u32) -> u64 {
    (u64::from(rnd) << 32) | u64::from(fd)
}

/// The flow descriptor an eid claims (its low 32 bits), if in range.
/// The caller must still compare the whole eid with the one it handed
/// out for that fd: the random half is what rejects stale ids.
pub fn eid_fd(eid: u64) -> Option<u32> {
    let fd = eid & 0xffff_ffff;
    // upstream stores the low half in an int: >= 2^31 is negative there
    (fd < MAX_FLOWS).then_some(fd as u32)
}

/// True for the ids of N+1 flows (delivered to the flow allocator's data
/// path rather than to a component).
pub fn is_flow(eid: u64) -> bool {
    eid >= RES_EIDS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flow_eids() {
        // captured: fd 66 at the acceptor
        let e = flow_eid(0xab15_b687, 66);
        assert_eq!(e, 0xab15_b687_0000_0042);
        assert_eq!(eid_fd(e), Some(66));
        assert!(is_flow(e));
        assert!(!is_flow(FA) && !is_flow(DHT));
        assert_eq!(eid_fd(0x1_0000_1000), None);
        assert_eq!(eid_fd(0x8000_0042), None);
        assert_eq!(eid_fd(4095), Some(4095));
    }
}
