//! The algorithm identifiers OAP carries and configures: OpenSSL NID
//! numbers, as upstream's `crypt.h` fixes them, with the names used in
//! `enc.conf` files and log lines.

/// A symmetric cipher a flow can be encrypted with (header field 24..26).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Cipher {
    Aes128Gcm,
    Aes192Gcm,
    Aes256Gcm,
    Aes128Ctr,
    Aes192Ctr,
    Aes256Ctr,
    Chacha20Poly1305,
}

/// A message digest: the KDF hash, the signature hash and the request
/// hash of a response are all named by one of these.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Digest {
    Sha256,
    Sha384,
    Sha512,
    Sha3_256,
    Sha3_384,
    Sha3_512,
    Blake2b512,
    Blake2s256,
}

/// A key-exchange algorithm (only configured, never carried in a header).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kex {
    Prime256v1,
    Secp384r1,
    Secp521r1,
    X25519,
    X448,
    Ffdhe2048,
    Ffdhe3072,
    Ffdhe4096,
    MlKem512,
    MlKem768,
    MlKem1024,
    X25519MlKem768,
    X448MlKem1024,
}

const CIPHERS: &[(Cipher, u16, &str)] = &[
    (Cipher::Aes128Gcm, 895, "aes-128-gcm"),
    (Cipher::Aes192Gcm, 898, "aes-192-gcm"),
    (Cipher::Aes256Gcm, 901, "aes-256-gcm"),
    (Cipher::Chacha20Poly1305, 1018, "chacha20-poly1305"),
    (Cipher::Aes128Ctr, 904, "aes-128-ctr"),
    (Cipher::Aes192Ctr, 905, "aes-192-ctr"),
    (Cipher::Aes256Ctr, 906, "aes-256-ctr"),
];

const DIGESTS: &[(Digest, u16, &str, usize)] = &[
    (Digest::Sha256, 672, "sha256", 32),
    (Digest::Sha384, 673, "sha384", 48),
    (Digest::Sha512, 674, "sha512", 64),
    (Digest::Sha3_256, 1096, "sha3-256", 32),
    (Digest::Sha3_384, 1097, "sha3-384", 48),
    (Digest::Sha3_512, 1098, "sha3-512", 64),
    (Digest::Blake2b512, 1056, "blake2b512", 64),
    (Digest::Blake2s256, 1057, "blake2s256", 32),
];

const KEXES: &[(Kex, u16, &str)] = &[
    (Kex::Prime256v1, 415, "prime256v1"),
    (Kex::Secp384r1, 715, "secp384r1"),
    (Kex::Secp521r1, 716, "secp521r1"),
    (Kex::X25519, 1034, "X25519"),
    (Kex::X448, 1035, "X448"),
    (Kex::Ffdhe2048, 1126, "ffdhe2048"),
    (Kex::Ffdhe3072, 1127, "ffdhe3072"),
    (Kex::Ffdhe4096, 1128, "ffdhe4096"),
    (Kex::MlKem512, 1454, "ML-KEM-512"),
    (Kex::MlKem768, 1455, "ML-KEM-768"),
    (Kex::MlKem1024, 1456, "ML-KEM-1024"),
    (Kex::X25519MlKem768, 2053, "X25519MLKEM768"),
    (Kex::X448MlKem1024, 2054, "X448MLKEM1024"),
];

impl Cipher {
    /// The cipher with this NID; `None` for 0 and for unknown values.
    pub fn from_nid(nid: u16) -> Option<Cipher> {
        CIPHERS.iter().find(|c| c.1 == nid).map(|c| c.0)
    }

    /// The cipher with this `enc.conf` name (case-sensitive).
    pub fn from_name(name: &str) -> Option<Cipher> {
        CIPHERS.iter().find(|c| c.2 == name).map(|c| c.0)
    }

    pub fn nid(self) -> u16 {
        CIPHERS.iter().find(|c| c.0 == self).map_or(0, |c| c.1)
    }

    pub fn name(self) -> &'static str {
        CIPHERS.iter().find(|c| c.0 == self).map_or("", |c| c.2)
    }
}

impl Digest {
    /// The digest with this NID; `None` for 0 and for unknown values.
    pub fn from_nid(nid: u16) -> Option<Digest> {
        DIGESTS.iter().find(|d| d.1 == nid).map(|d| d.0)
    }

    /// The digest with this `enc.conf` name (case-sensitive).
    pub fn from_name(name: &str) -> Option<Digest> {
        DIGESTS.iter().find(|d| d.2 == name).map(|d| d.0)
    }

    pub fn nid(self) -> u16 {
        DIGESTS.iter().find(|d| d.0 == self).map_or(0, |d| d.1)
    }

    pub fn name(self) -> &'static str {
        DIGESTS.iter().find(|d| d.0 == self).map_or("", |d| d.2)
    }

    /// Output length in bytes.
    pub fn size(self) -> usize {
        DIGESTS.iter().find(|d| d.0 == self).map_or(0, |d| d.3)
    }

    /// The digest of `data`, or `None` when this build cannot compute it
    /// (the BLAKE2 family is not linked in yet).
    pub fn hash(self, data: &[u8]) -> Option<Vec<u8>> {
        use sha2::Digest as _;
        Some(match self {
            Digest::Sha256 => sha2::Sha256::digest(data).to_vec(),
            Digest::Sha384 => sha2::Sha384::digest(data).to_vec(),
            Digest::Sha512 => sha2::Sha512::digest(data).to_vec(),
            Digest::Sha3_256 => sha3::Sha3_256::digest(data).to_vec(),
            Digest::Sha3_384 => sha3::Sha3_384::digest(data).to_vec(),
            Digest::Sha3_512 => sha3::Sha3_512::digest(data).to_vec(),
            Digest::Blake2b512 | Digest::Blake2s256 => return None,
        })
    }
}

impl Kex {
    pub fn from_nid(nid: u16) -> Option<Kex> {
        KEXES.iter().find(|k| k.1 == nid).map(|k| k.0)
    }

    /// The algorithm with this `enc.conf` name (case-sensitive).
    pub fn from_name(name: &str) -> Option<Kex> {
        KEXES.iter().find(|k| k.2 == name).map(|k| k.0)
    }

    pub fn nid(self) -> u16 {
        KEXES.iter().find(|k| k.0 == self).map_or(0, |k| k.1)
    }

    pub fn name(self) -> &'static str {
        KEXES.iter().find(|k| k.0 == self).map_or("", |k| k.2)
    }

    /// A key encapsulation mechanism (ML-KEM, pure or hybrid) rather than
    /// a Diffie-Hellman exchange.
    pub fn is_kem(self) -> bool {
        matches!(
            self,
            Kex::MlKem512
                | Kex::MlKem768
                | Kex::MlKem1024
                | Kex::X25519MlKem768
                | Kex::X448MlKem1024
        )
    }

    /// A hybrid KEM, whose keys travel in raw format (kex word bit 15).
    pub fn is_hybrid(self) -> bool {
        matches!(self, Kex::X25519MlKem768 | Kex::X448MlKem1024)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oap_nid_tables_round_trip() {
        for &(c, nid, name) in CIPHERS {
            assert_eq!(Cipher::from_nid(nid), Some(c));
            assert_eq!(Cipher::from_name(name), Some(c));
            assert_eq!((c.nid(), c.name()), (nid, name));
        }
        for &(d, nid, name, len) in DIGESTS {
            assert_eq!(Digest::from_nid(nid), Some(d));
            assert_eq!(Digest::from_name(name), Some(d));
            assert_eq!((d.nid(), d.name(), d.size()), (nid, name, len));
            if let Some(h) = d.hash(b"abc") {
                assert_eq!(h.len(), len);
            }
        }
        for &(k, nid, name) in KEXES {
            assert_eq!(Kex::from_nid(nid), Some(k));
            assert_eq!(Kex::from_name(name), Some(k));
            assert_eq!((k.nid(), k.name()), (nid, name));
            assert_eq!(
                k.is_kem(),
                name.contains("ML-KEM") || name.contains("MLKEM")
            );
            assert_eq!(
                k.is_hybrid(),
                (name.contains("X25519") || name.contains("X448")) && name.contains("MLKEM")
            );
        }
        assert_eq!(Cipher::from_nid(0), None);
        assert_eq!(Digest::from_nid(0), None);
        assert_eq!(Digest::from_nid(1036), None); // hkdf is not a digest
        assert_eq!(Cipher::from_name("AES-256-GCM"), None);
        assert_eq!(Kex::from_name("x25519"), None);
    }

    #[test]
    fn oap_digest_known_answers() {
        // FIPS 180-2 "abc" test vector for SHA-384 (first and last bytes).
        let h = Digest::Sha384.hash(b"abc").unwrap();
        assert_eq!(&h[..4], &[0xcb, 0x00, 0x75, 0x3f]);
        assert_eq!(&h[44..], &[0x34, 0xc8, 0x25, 0xa7]);
        let h = Digest::Sha256.hash(b"abc").unwrap();
        assert_eq!(&h[..4], &[0xba, 0x78, 0x16, 0xbf]);
        assert!(Digest::Blake2b512.hash(b"abc").is_none());
    }
}
