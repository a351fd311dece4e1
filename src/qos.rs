//! QoS specifications (upstream `qos.h`, `qos_np1`).

/// Default peer timeout in ms.
pub const DEFAULT_PEER_TIMEOUT: u32 = 120_000;

/// `qosspec_t`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct QosSpec {
    pub delay: u32,
    pub bandwidth: u64,
    pub availability: u8,
    pub loss: u32,
    pub ber: u32,
    pub in_order: u8,
    pub max_gap: u32,
    pub timeout: u32,
}

const MAX32: u32 = u32::MAX;

impl QosSpec {
    pub const RAW: QosSpec = QosSpec {
        delay: MAX32,
        bandwidth: 0,
        availability: 0,
        loss: 1,
        ber: 1,
        in_order: 0,
        max_gap: MAX32,
        timeout: DEFAULT_PEER_TIMEOUT,
    };
    pub const RAW_NO_ERRORS: QosSpec = QosSpec {
        ber: 0,
        ..QosSpec::RAW
    };
    pub const BEST_EFFORT: QosSpec = QosSpec {
        ber: 0,
        in_order: 1,
        ..QosSpec::RAW
    };
    pub const VIDEO: QosSpec = QosSpec {
        delay: 100,
        bandwidth: u64::MAX,
        availability: 3,
        loss: 1,
        ber: 0,
        in_order: 1,
        max_gap: 100,
        timeout: DEFAULT_PEER_TIMEOUT,
    };
    pub const VOICE: QosSpec = QosSpec {
        delay: 50,
        bandwidth: 100_000,
        availability: 5,
        loss: 1,
        ber: 0,
        in_order: 1,
        max_gap: 50,
        timeout: DEFAULT_PEER_TIMEOUT,
    };
    pub const DATA: QosSpec = QosSpec {
        delay: 1000,
        bandwidth: 0,
        availability: 0,
        loss: 0,
        ber: 0,
        in_order: 1,
        max_gap: 2000,
        timeout: DEFAULT_PEER_TIMEOUT,
    };
    /// Used for IPCP-side flow ends and for joins.
    pub const NP1: QosSpec = QosSpec {
        delay: MAX32,
        bandwidth: 0,
        availability: 0,
        loss: MAX32,
        ber: MAX32,
        in_order: 0,
        max_gap: MAX32,
        timeout: 0,
    };

    /// The QoS cube a flow with this spec travels in (upstream's
    /// `qos_spec_to_cube`): 2 (voice) if it asks no more than the voice
    /// cube gives, else 1 (video) likewise, else 0 (best effort).
    pub fn cube(&self) -> u8 {
        let within = |c: &QosSpec| {
            self.delay <= c.delay
                && self.bandwidth <= c.bandwidth
                && self.availability >= c.availability
                && self.max_gap <= c.max_gap
        };
        if within(&QosSpec::VOICE) {
            2
        } else if within(&QosSpec::VIDEO) {
            1
        } else {
            0
        }
    }

    /// The cube names the tools accept: raw, best, video, voice, data.
    pub fn by_name(name: &str) -> Option<QosSpec> {
        Some(match name {
            "raw" => QosSpec::RAW,
            "best" => QosSpec::BEST_EFFORT,
            "video" => QosSpec::VIDEO,
            "voice" => QosSpec::VOICE,
            "data" => QosSpec::DATA,
            _ => return None,
        })
    }
}

impl Default for QosSpec {
    fn default() -> Self {
        QosSpec::RAW
    }
}

#[cfg(test)]
mod tests {
    use super::QosSpec;

    #[test]
    fn cubes() {
        assert_eq!(QosSpec::VOICE.cube(), 2);
        assert_eq!(QosSpec::VIDEO.cube(), 1);
        for q in [
            QosSpec::RAW,
            QosSpec::BEST_EFFORT,
            QosSpec::DATA,
            QosSpec::NP1,
        ] {
            assert_eq!(q.cube(), 0, "{q:?}");
        }
        // within voice's bounds, even if stricter
        let strict = QosSpec {
            delay: 10,
            bandwidth: 10,
            availability: 9,
            max_gap: 1,
            ..QosSpec::RAW
        };
        assert_eq!(strict.cube(), 2);
        // more bandwidth than voice gives: video
        let wide = QosSpec {
            bandwidth: 1 << 40,
            ..QosSpec::VOICE
        };
        assert_eq!(wide.cube(), 1);
    }
}
