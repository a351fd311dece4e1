//! CRC-32 (IEEE 802.3, reflected 0xEDB88320) appended big-endian to packets
//! of flows with `ber = 0`.

pub const CRCLEN: usize = 4;

pub fn crc32_be(data: &[u8]) -> [u8; 4] {
    crate::hash::crc32(data).to_be_bytes()
}

#[cfg(test)]
mod tests {
    #[test]
    fn check_value() {
        assert_eq!(super::crc32_be(b"123456789"), [0xcb, 0xf4, 0x39, 0x26]);
    }
}
