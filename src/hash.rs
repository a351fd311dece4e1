//! Directory hashes of names (SHA3 family, MD5 for UDP layers).

use md5::Md5;
use sha3::{Digest, Sha3_224, Sha3_256, Sha3_384, Sha3_512};

/// Wire values of `dir_hash_algo` (0..=3 are `enum pol_dir_hash`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum HashAlgo {
    Sha3_224 = 0,
    Sha3_256 = 1,
    Sha3_384 = 2,
    Sha3_512 = 3,
    Crc32 = 4,
    Md5 = 5,
}

impl HashAlgo {
    pub fn from_u32(v: u32) -> Option<HashAlgo> {
        use HashAlgo::*;
        [Sha3_224, Sha3_256, Sha3_384, Sha3_512, Crc32, Md5]
            .get(usize::try_from(v).ok()?)
            .copied()
    }

    /// Digest length in bytes.
    pub fn digest_len(self) -> usize {
        match self {
            HashAlgo::Sha3_224 => 28,
            HashAlgo::Sha3_256 => 32,
            HashAlgo::Sha3_384 => 48,
            HashAlgo::Sha3_512 => 64,
            HashAlgo::Crc32 => 4,
            HashAlgo::Md5 => 16,
        }
    }

    /// Name as printed in IPCP logs ("SHA3-256", "MD5").
    pub fn log_name(self) -> &'static str {
        match self {
            HashAlgo::Sha3_224 => "SHA3-224",
            HashAlgo::Sha3_256 => "SHA3-256",
            HashAlgo::Sha3_384 => "SHA3-384",
            HashAlgo::Sha3_512 => "SHA3-512",
            HashAlgo::Crc32 => "CRC32",
            HashAlgo::Md5 => "MD5",
        }
    }

    /// Digest of `data`.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            HashAlgo::Sha3_224 => Sha3_224::digest(data).to_vec(),
            HashAlgo::Sha3_256 => Sha3_256::digest(data).to_vec(),
            HashAlgo::Sha3_384 => Sha3_384::digest(data).to_vec(),
            HashAlgo::Sha3_512 => Sha3_512::digest(data).to_vec(),
            HashAlgo::Md5 => Md5::digest(data).to_vec(),
            HashAlgo::Crc32 => crc32(data).to_be_bytes().to_vec(),
        }
    }
}

/// CRC-32 (IEEE 802.3, reflected, as used by upstream's crc32()).
pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn observed_name_hashes() {
        let h = HashAlgo::Sha3_256;
        assert_eq!(
            hex(&h.digest(b"oping")),
            "42dee3b0415b4f690fd91cbd99876f1e9bd8d9745ef7fa32b142773af0349d54"
        );
        assert_eq!(
            hex(&h.digest(b"n1")),
            "1b3e438474e2f645aa248f01cf4fd06280604608e0ab60bb5e9711a40c00b784"
        );
        assert_eq!(hex(&h.digest(b"oping.srv"))[..8], *"2585c390");
        for a in [
            HashAlgo::Sha3_224,
            HashAlgo::Sha3_384,
            HashAlgo::Sha3_512,
            HashAlgo::Md5,
        ] {
            assert_eq!(a.digest(b"x").len(), a.digest_len());
        }
    }
}
