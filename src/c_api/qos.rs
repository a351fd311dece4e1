//! `qos.h`: `qosspec_t` and the predefined QoS cubes.

use crate::qos::QosSpec;
use std::mem::{align_of, offset_of, size_of};

pub const DEFAULT_PEER_TIMEOUT: u32 = crate::qos::DEFAULT_PEER_TIMEOUT;

/// `struct qos_spec`, used through its typedef [`qosspec_t`].
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct qos_spec {
    pub delay: u32,
    pub bandwidth: u64,
    pub availability: u8,
    pub loss: u32,
    pub ber: u32,
    pub in_order: u8,
    pub max_gap: u32,
    pub timeout: u32,
}

pub type qosspec_t = qos_spec;

const _: () = assert!(size_of::<qos_spec>() == 40 && align_of::<qos_spec>() == 8);
const _: () = assert!(offset_of!(qos_spec, delay) == 0);
const _: () = assert!(offset_of!(qos_spec, bandwidth) == 8);
const _: () = assert!(offset_of!(qos_spec, availability) == 16);
const _: () = assert!(offset_of!(qos_spec, loss) == 20);
const _: () = assert!(offset_of!(qos_spec, ber) == 24);
const _: () = assert!(offset_of!(qos_spec, in_order) == 28);
const _: () = assert!(offset_of!(qos_spec, max_gap) == 32);
const _: () = assert!(offset_of!(qos_spec, timeout) == 36);

impl qos_spec {
    pub const fn from_domain(q: &QosSpec) -> qos_spec {
        qos_spec {
            delay: q.delay,
            bandwidth: q.bandwidth,
            availability: q.availability,
            loss: q.loss,
            ber: q.ber,
            in_order: q.in_order,
            max_gap: q.max_gap,
            timeout: q.timeout,
        }
    }

    pub const fn to_domain(&self) -> QosSpec {
        QosSpec {
            delay: self.delay,
            bandwidth: self.bandwidth,
            availability: self.availability,
            loss: self.loss,
            ber: self.ber,
            in_order: self.in_order,
            max_gap: self.max_gap,
            timeout: self.timeout,
        }
    }
}

impl From<&QosSpec> for qos_spec {
    fn from(q: &QosSpec) -> Self {
        qos_spec::from_domain(q)
    }
}

impl From<&qos_spec> for QosSpec {
    fn from(q: &qos_spec) -> Self {
        q.to_domain()
    }
}

/// The header's `static const` cubes.
pub const qos_raw: qosspec_t = qos_spec::from_domain(&QosSpec::RAW);
pub const qos_raw_no_errors: qosspec_t = qos_spec::from_domain(&QosSpec::RAW_NO_ERRORS);
pub const qos_best_effort: qosspec_t = qos_spec::from_domain(&QosSpec::BEST_EFFORT);
pub const qos_video: qosspec_t = qos_spec::from_domain(&QosSpec::VIDEO);
pub const qos_voice: qosspec_t = qos_spec::from_domain(&QosSpec::VOICE);
pub const qos_data: qosspec_t = qos_spec::from_domain(&QosSpec::DATA);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_domain() {
        for q in [QosSpec::RAW, QosSpec::VIDEO, QosSpec::DATA, QosSpec::NP1] {
            assert_eq!(QosSpec::from(&qos_spec::from(&q)), q);
        }
        assert_eq!(qos_voice.bandwidth, 100_000);
        assert_eq!(qos_raw.timeout, DEFAULT_PEER_TIMEOUT);
    }
}
