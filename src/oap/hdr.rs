//! The OAP header (control-plane spec §6.8.2): a 36-byte fixed part, then
//! certificate, key-exchange data, piggybacked data, the request hash
//! (responses only) and a signature (only after a certificate).
//!
//! All integers are big-endian. The same layout serves requests and
//! responses; whether a request hash is present, and how long it is, is not
//! in the header: the receiver of a response knows it from the digest it
//! hashed its request with, so parsing takes that digest as an argument.

use super::nid::{Cipher, Digest};
use std::fmt;

/// Length of the exchange identifier.
pub const ID_SIZE: usize = 16;
/// Length of the fixed part (`OAP_HDR_MIN_SIZE`).
pub const MIN_SIZE: usize = 36;
/// Kex word bit 15: the kex data is a raw key (hybrid KEMs), not X.509 DER.
pub const KEX_FMT_RAW: u16 = 0x8000;
/// Kex word bit 14: KEM with the client encapsulating.
pub const KEX_ROLE_CLIENT: u16 = 0x4000;
/// Kex word bits 0..=13: length of the kex data.
pub const KEX_LEN_MASK: u16 = 0x3fff;
/// Longest kex data the 14-bit length can describe.
pub const KEX_LEN_MAX: usize = KEX_LEN_MASK as usize;

mod field {
    use std::ops::Range;

    pub const ID: Range<usize> = 0..16;
    pub const TIMESTAMP: Range<usize> = 16..24;
    pub const CIPHER: Range<usize> = 24..26;
    pub const KDF: Range<usize> = 26..28;
    pub const MD: Range<usize> = 28..30;
    pub const CRT_LEN: Range<usize> = 30..32;
    pub const KEX: Range<usize> = 32..34;
    pub const DATA_LEN: Range<usize> = 34..36;
}

/// Why a buffer is not a valid header (upstream rejects all of these with
/// one failure; the variants say which rule fired).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
    /// Shorter than the 36-byte fixed part.
    Truncated,
    /// Non-zero cipher NID that is not a known cipher.
    UnknownCipher(u16),
    /// Non-zero KDF NID that is not a known digest.
    UnknownKdf(u16),
    /// Non-zero signature-digest NID that is not a known digest.
    UnknownDigest(u16),
    /// The length fields (plus the expected request hash) claim more bytes
    /// than the buffer holds.
    Length,
    /// Bytes left after the last field of a header without certificate
    /// (only a signed header may carry a signature).
    Trailing,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Truncated => write!(f, "shorter than {MIN_SIZE} bytes"),
            Error::UnknownCipher(n) => write!(f, "unknown cipher NID {n}"),
            Error::UnknownKdf(n) => write!(f, "unknown KDF NID {n}"),
            Error::UnknownDigest(n) => write!(f, "unknown digest NID {n}"),
            Error::Length => write!(f, "length fields exceed the header"),
            Error::Trailing => write!(f, "trailing bytes in an unsigned header"),
        }
    }
}

impl std::error::Error for Error {}

/// Why a [`Repr`] cannot be emitted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmitError {
    /// Certificate longer than the 16-bit length field allows.
    CrtTooLong,
    /// Kex data longer than the 14-bit length allows.
    KexTooLong,
    /// Data longer than the 16-bit length field allows.
    DataTooLong,
    /// A signature without a certificate would not parse.
    SigWithoutCrt,
    /// The output buffer is shorter than [`Repr::buffer_len`].
    Exhausted,
}

impl fmt::Display for EmitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EmitError::CrtTooLong => "certificate longer than 65535 bytes",
            EmitError::KexTooLong => "kex data longer than 16383 bytes",
            EmitError::DataTooLong => "data longer than 65535 bytes",
            EmitError::SigWithoutCrt => "signature without certificate",
            EmitError::Exhausted => "buffer too short",
        })
    }
}

impl std::error::Error for EmitError {}

/// A view of the fixed part of a header in a byte buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header<T: AsRef<[u8]>> {
    buffer: T,
}

fn be16(b: &[u8]) -> u16 {
    u16::from_be_bytes([b[0], b[1]])
}

impl<T: AsRef<[u8]>> Header<T> {
    /// Wraps a buffer without checking it; accessors may then panic.
    pub fn new_unchecked(buffer: T) -> Header<T> {
        Header { buffer }
    }

    /// Wraps a buffer that holds at least the fixed part, after which the
    /// fixed-field accessors cannot panic.
    pub fn new_checked(buffer: T) -> Result<Header<T>, Error> {
        let h = Header::new_unchecked(buffer);
        h.check_len()?;
        Ok(h)
    }

    pub fn check_len(&self) -> Result<(), Error> {
        if self.buffer.as_ref().len() < MIN_SIZE {
            Err(Error::Truncated)
        } else {
            Ok(())
        }
    }

    pub fn into_inner(self) -> T {
        self.buffer
    }

    pub fn id(&self) -> [u8; ID_SIZE] {
        let mut id = [0; ID_SIZE];
        id.copy_from_slice(&self.buffer.as_ref()[field::ID]);
        id
    }

    /// Sender's wall clock, ns since the Unix epoch.
    pub fn timestamp(&self) -> u64 {
        let mut b = [0; 8];
        b.copy_from_slice(&self.buffer.as_ref()[field::TIMESTAMP]);
        u64::from_be_bytes(b)
    }

    pub fn cipher_nid(&self) -> u16 {
        be16(&self.buffer.as_ref()[field::CIPHER])
    }

    pub fn kdf_nid(&self) -> u16 {
        be16(&self.buffer.as_ref()[field::KDF])
    }

    pub fn md_nid(&self) -> u16 {
        be16(&self.buffer.as_ref()[field::MD])
    }

    pub fn crt_len(&self) -> u16 {
        be16(&self.buffer.as_ref()[field::CRT_LEN])
    }

    /// The whole kex word: length and flag bits.
    pub fn kex_word(&self) -> u16 {
        be16(&self.buffer.as_ref()[field::KEX])
    }

    pub fn kex_len(&self) -> u16 {
        self.kex_word() & KEX_LEN_MASK
    }

    pub fn kex_raw_fmt(&self) -> bool {
        self.kex_word() & KEX_FMT_RAW != 0
    }

    pub fn kex_client_encap(&self) -> bool {
        self.kex_word() & KEX_ROLE_CLIENT != 0
    }

    pub fn data_len(&self) -> u16 {
        be16(&self.buffer.as_ref()[field::DATA_LEN])
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Header<T> {
    pub fn set_id(&mut self, id: &[u8; ID_SIZE]) {
        self.buffer.as_mut()[field::ID].copy_from_slice(id);
    }

    pub fn set_timestamp(&mut self, ns: u64) {
        self.buffer.as_mut()[field::TIMESTAMP].copy_from_slice(&ns.to_be_bytes());
    }

    pub fn set_cipher_nid(&mut self, v: u16) {
        self.buffer.as_mut()[field::CIPHER].copy_from_slice(&v.to_be_bytes());
    }

    pub fn set_kdf_nid(&mut self, v: u16) {
        self.buffer.as_mut()[field::KDF].copy_from_slice(&v.to_be_bytes());
    }

    pub fn set_md_nid(&mut self, v: u16) {
        self.buffer.as_mut()[field::MD].copy_from_slice(&v.to_be_bytes());
    }

    pub fn set_crt_len(&mut self, v: u16) {
        self.buffer.as_mut()[field::CRT_LEN].copy_from_slice(&v.to_be_bytes());
    }

    pub fn set_kex_word(&mut self, v: u16) {
        self.buffer.as_mut()[field::KEX].copy_from_slice(&v.to_be_bytes());
    }

    pub fn set_data_len(&mut self, v: u16) {
        self.buffer.as_mut()[field::DATA_LEN].copy_from_slice(&v.to_be_bytes());
    }
}

/// A parsed header; the variable fields borrow from the parsed buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Repr<'a> {
    pub id: [u8; ID_SIZE],
    /// Sender's `CLOCK_REALTIME`, ns since the Unix epoch.
    pub timestamp: u64,
    /// Cipher NID (0 = none).
    pub cipher: Option<Cipher>,
    /// KDF digest NID (0 = none).
    pub kdf: Option<Digest>,
    /// Signature digest NID (0 = none); a request's one also selects the
    /// digest of the request hash in the response (SHA-384 when none).
    pub md: Option<Digest>,
    /// Kex word bit 15: raw key format (hybrid KEM).
    pub kex_raw_fmt: bool,
    /// Kex word bit 14: the client encapsulates (KEM).
    pub kex_client_encap: bool,
    /// DER certificate (empty = none).
    pub crt: &'a [u8],
    /// Key-exchange data: public key or KEM ciphertext (empty = none).
    pub kex: &'a [u8],
    /// Piggybacked application data (always empty in 0.23.0).
    pub data: &'a [u8],
    /// Hash of the request (responses only).
    pub req_hash: &'a [u8],
    /// Signature over everything before it (only after a certificate).
    pub sig: &'a [u8],
}

impl<'a> Repr<'a> {
    /// Parses `buf` as upstream's decoder does. `req_digest` is `None` for a
    /// request, and for a response the digest the request was hashed with
    /// (its length is the length of the request-hash field).
    pub fn parse(buf: &'a [u8], req_digest: Option<Digest>) -> Result<Repr<'a>, Error> {
        let h = Header::new_checked(buf)?;

        let cipher_nid = h.cipher_nid();
        let cipher = match cipher_nid {
            0 => None,
            n => Some(Cipher::from_nid(n).ok_or(Error::UnknownCipher(n))?),
        };
        let kdf = match h.kdf_nid() {
            0 => None,
            n => Some(Digest::from_nid(n).ok_or(Error::UnknownKdf(n))?),
        };
        let md = match h.md_nid() {
            0 => None,
            n => Some(Digest::from_nid(n).ok_or(Error::UnknownDigest(n))?),
        };

        let crt_len = usize::from(h.crt_len());
        let kex_len = usize::from(h.kex_len());
        let data_len = usize::from(h.data_len());
        let hash_len = req_digest.map_or(0, Digest::size);

        let fixed = MIN_SIZE + crt_len + kex_len + data_len + hash_len;
        if buf.len() < fixed {
            return Err(Error::Length);
        }
        let sig_len = buf.len() - fixed;
        if crt_len == 0 && sig_len != 0 {
            return Err(Error::Trailing);
        }

        let (crt, rest) = buf[MIN_SIZE..].split_at(crt_len);
        let (kex, rest) = rest.split_at(kex_len);
        let (data, rest) = rest.split_at(data_len);
        let (req_hash, sig) = rest.split_at(hash_len);

        Ok(Repr {
            id: h.id(),
            timestamp: h.timestamp(),
            cipher,
            kdf,
            md,
            kex_raw_fmt: h.kex_raw_fmt(),
            kex_client_encap: h.kex_client_encap(),
            crt,
            kex,
            data,
            req_hash,
            sig,
        })
    }

    /// Length of the emitted header.
    pub fn buffer_len(&self) -> usize {
        MIN_SIZE
            + self.crt.len()
            + self.kex.len()
            + self.data.len()
            + self.req_hash.len()
            + self.sig.len()
    }

    fn check(&self) -> Result<(), EmitError> {
        if self.crt.len() > usize::from(u16::MAX) {
            return Err(EmitError::CrtTooLong);
        }
        if self.kex.len() > KEX_LEN_MAX {
            return Err(EmitError::KexTooLong);
        }
        if self.data.len() > usize::from(u16::MAX) {
            return Err(EmitError::DataTooLong);
        }
        if self.crt.is_empty() && !self.sig.is_empty() {
            return Err(EmitError::SigWithoutCrt);
        }
        Ok(())
    }

    /// The kex word: length plus the two flag bits, as given.
    pub fn kex_word(&self) -> u16 {
        // check() bounds the length to 14 bits before this is emitted.
        let mut w = (self.kex.len() as u16) & KEX_LEN_MASK;
        if self.kex_raw_fmt {
            w |= KEX_FMT_RAW;
        }
        if self.kex_client_encap {
            w |= KEX_ROLE_CLIENT;
        }
        w
    }

    /// Writes the header into the start of `buf`; returns its length.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, EmitError> {
        self.check()?;
        let len = self.buffer_len();
        if buf.len() < len {
            return Err(EmitError::Exhausted);
        }
        let buf = &mut buf[..len];
        {
            let mut h = Header::new_unchecked(&mut buf[..MIN_SIZE]);
            h.set_id(&self.id);
            h.set_timestamp(self.timestamp);
            h.set_cipher_nid(self.cipher.map_or(0, Cipher::nid));
            h.set_kdf_nid(self.kdf.map_or(0, Digest::nid));
            h.set_md_nid(self.md.map_or(0, Digest::nid));
            h.set_crt_len(self.crt.len() as u16);
            h.set_kex_word(self.kex_word());
            h.set_data_len(self.data.len() as u16);
        }
        let mut off = MIN_SIZE;
        for part in [self.crt, self.kex, self.data, self.req_hash, self.sig] {
            buf[off..off + part.len()].copy_from_slice(part);
            off += part.len();
        }
        Ok(len)
    }

    /// The emitted header as a new vector.
    pub fn to_vec(&self) -> Result<Vec<u8>, EmitError> {
        let mut v = vec![0; self.buffer_len()];
        self.emit(&mut v)?;
        Ok(v)
    }

    /// An unsigned header without certificate, kex data or data.
    pub fn plain(id: [u8; ID_SIZE], timestamp: u64) -> Repr<'static> {
        Repr {
            id,
            timestamp,
            cipher: None,
            kdf: None,
            md: None,
            kex_raw_fmt: false,
            kex_client_encap: false,
            crt: &[],
            kex: &[],
            data: &[],
            req_hash: &[],
            sig: &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.split_whitespace().collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// The minimal exchange observed in control-plane spec §6.8.4.
    const SPEC_REQ: &str = "b422eba2de2298a90dd88ecc5ac0ad3a 18ea8da4a462b7f2 \
                            0000 0000 0000 0000 0000 0000";
    const SPEC_RSP: &str = "b422eba2de2298a90dd88ecc5ac0ad3a 18ea8da4bc8bcd35 \
                            000000000000000000000000 \
                            da00676dd66b5f74d7d55502fff5be50 \
                            0e7ca7ff379b6aba83108fb4aeeeb35f \
                            67d09ebd5923103b01f0b8e1d56a0f6d";

    /// A header with every field set: fixed part, then the given parts.
    fn build(fixed: [u16; 6], parts: &[&[u8]]) -> Vec<u8> {
        let mut v = vec![0x11; ID_SIZE];
        v.extend_from_slice(&0x0102_0304_0506_0708u64.to_be_bytes());
        for w in fixed {
            v.extend_from_slice(&w.to_be_bytes());
        }
        for p in parts {
            v.extend_from_slice(p);
        }
        v
    }

    #[test]
    fn oap_hdr_spec_request() {
        let b = hex(SPEC_REQ);
        let r = Repr::parse(&b, None).unwrap();
        assert_eq!(r.id[..4], [0xb4, 0x22, 0xeb, 0xa2]);
        assert_eq!(r.timestamp, 0x18ea_8da4_a462_b7f2);
        assert_eq!(r, Repr::plain(r.id, r.timestamp));
        assert_eq!(r.buffer_len(), 36);
        assert_eq!(r.to_vec().unwrap(), b);
    }

    #[test]
    fn oap_hdr_spec_response() {
        let req = hex(SPEC_REQ);
        let b = hex(SPEC_RSP);
        let r = Repr::parse(&b, Some(Digest::Sha384)).unwrap();
        assert_eq!(r.id, Repr::parse(&req, None).unwrap().id);
        assert_eq!(r.timestamp, 0x18ea_8da4_bc8b_cd35);
        assert_eq!(r.req_hash, &Digest::Sha384.hash(&req).unwrap()[..]);
        assert!(r.sig.is_empty() && r.crt.is_empty() && r.kex.is_empty());
        assert_eq!(r.to_vec().unwrap(), b);
        // Parsed as a request (no hash expected), the 48 bytes are trailing.
        assert_eq!(Repr::parse(&b, None), Err(Error::Trailing));
        // A shorter expected hash leaves trailing bytes too.
        assert_eq!(Repr::parse(&b, Some(Digest::Sha256)), Err(Error::Trailing));
        // A longer one does not fit.
        assert_eq!(Repr::parse(&b, Some(Digest::Sha512)), Err(Error::Length));
    }

    #[test]
    fn oap_hdr_short() {
        let b = hex(SPEC_REQ);
        for n in 0..MIN_SIZE {
            assert_eq!(Repr::parse(&b[..n], None), Err(Error::Truncated), "{n}");
            assert_eq!(Header::new_checked(&b[..n]), Err(Error::Truncated));
        }
        let rsp = hex(SPEC_RSP);
        for n in MIN_SIZE..rsp.len() {
            assert_eq!(
                Repr::parse(&rsp[..n], Some(Digest::Sha384)),
                Err(Error::Length),
                "{n}"
            );
        }
    }

    #[test]
    fn oap_hdr_all_fields_round_trip() {
        let crt = [0xc0u8; 5];
        let kex = [0x4bu8; 7];
        let data = [0xdau8; 3];
        let hash = [0x48u8; 32];
        let sig = [0x51u8; 9];
        let b = build(
            [901, 672, 673, 5, 0x8000 | 0x4000 | 7, 3],
            &[&crt, &kex, &data, &hash, &sig],
        );
        let r = Repr::parse(&b, Some(Digest::Sha256)).unwrap();
        assert_eq!(r.cipher, Some(Cipher::Aes256Gcm));
        assert_eq!(r.kdf, Some(Digest::Sha256));
        assert_eq!(r.md, Some(Digest::Sha384));
        assert!(r.kex_raw_fmt && r.kex_client_encap);
        assert_eq!(r.crt, &crt);
        assert_eq!(r.kex, &kex);
        assert_eq!(r.data, &data);
        assert_eq!(r.req_hash, &hash);
        assert_eq!(r.sig, &sig);
        assert_eq!(r.kex_word(), 0xc007);
        assert_eq!(r.to_vec().unwrap(), b);

        // The same bytes as a request: the hash becomes part of the
        // signature (a signed header's signature is whatever remains).
        let q = Repr::parse(&b, None).unwrap();
        assert!(q.req_hash.is_empty());
        assert_eq!(q.sig.len(), hash.len() + sig.len());
        assert_eq!(q.to_vec().unwrap(), b);

        let h = Header::new_checked(&b[..]).unwrap();
        assert_eq!(h.id(), [0x11; ID_SIZE]);
        assert_eq!(h.timestamp(), 0x0102_0304_0506_0708);
        assert_eq!(
            (h.cipher_nid(), h.kdf_nid(), h.md_nid(), h.crt_len()),
            (901, 672, 673, 5)
        );
        assert_eq!((h.kex_word(), h.kex_len(), h.data_len()), (0xc007, 7, 3));
    }

    #[test]
    fn oap_hdr_signed_without_hash_field() {
        // A signed request: certificate, then the signature as the rest.
        let b = build([0, 0, 0, 4, 0, 0], &[&[1, 2, 3, 4], &[9; 70]]);
        let r = Repr::parse(&b, None).unwrap();
        assert_eq!(r.crt, &[1, 2, 3, 4]);
        assert_eq!(r.sig.len(), 70);
        assert_eq!(r.to_vec().unwrap(), b);
        // A certificate with an empty signature is also well-formed.
        let b = build([0, 0, 0, 4, 0, 0], &[&[1, 2, 3, 4]]);
        assert!(Repr::parse(&b, None).unwrap().sig.is_empty());
    }

    #[test]
    fn oap_hdr_kex_flag_bits() {
        // Upstream does not reject any flag combination when parsing: the
        // bits are reported, and never count towards the length.
        for flags in [
            0u16,
            KEX_FMT_RAW,
            KEX_ROLE_CLIENT,
            KEX_FMT_RAW | KEX_ROLE_CLIENT,
        ] {
            let b = build([0, 0, 0, 0, flags | 2, 0], &[&[7, 8]]);
            let r = Repr::parse(&b, None).unwrap();
            assert_eq!(r.kex, &[7, 8]);
            assert_eq!(r.kex_raw_fmt, flags & KEX_FMT_RAW != 0);
            assert_eq!(r.kex_client_encap, flags & KEX_ROLE_CLIENT != 0);
            assert_eq!(r.to_vec().unwrap(), b);
            // Flags without kex data still parse (and round-trip).
            let b = build([0, 0, 0, 0, flags, 0], &[]);
            let r = Repr::parse(&b, None).unwrap();
            assert!(r.kex.is_empty());
            assert_eq!(r.to_vec().unwrap(), b);
        }
        // 0xffff: flags plus a 16383-byte length that is not there.
        let b = build([0, 0, 0, 0, 0xffff, 0], &[&[0; 100]]);
        assert_eq!(Repr::parse(&b, None), Err(Error::Length));
        let kex = vec![0x33; KEX_LEN_MAX];
        let b = build([0, 0, 0, 0, 0xffff, 0], &[&kex]);
        let r = Repr::parse(&b, None).unwrap();
        assert_eq!(r.kex.len(), KEX_LEN_MAX);
        assert_eq!(r.to_vec().unwrap(), b);
    }

    #[test]
    fn oap_hdr_unknown_nids() {
        let b = build([9999, 0, 0, 0, 0, 0], &[]);
        assert_eq!(Repr::parse(&b, None), Err(Error::UnknownCipher(9999)));
        // A digest NID is not a cipher NID.
        let b = build([672, 0, 0, 0, 0, 0], &[]);
        assert_eq!(Repr::parse(&b, None), Err(Error::UnknownCipher(672)));
        let b = build([0, 901, 0, 0, 0, 0], &[]);
        assert_eq!(Repr::parse(&b, None), Err(Error::UnknownKdf(901)));
        // hkdf (1036) is not accepted as a KDF digest.
        let b = build([0, 1036, 0, 0, 0, 0], &[]);
        assert_eq!(Repr::parse(&b, None), Err(Error::UnknownKdf(1036)));
        let b = build([0, 0, 415, 0, 0, 0], &[]);
        assert_eq!(Repr::parse(&b, None), Err(Error::UnknownDigest(415)));
        // Every known NID is accepted in its field.
        for c in [895, 898, 901, 904, 905, 906, 1018] {
            let b = build([c, 0, 0, 0, 0, 0], &[]);
            assert_eq!(Repr::parse(&b, None).unwrap().cipher.unwrap().nid(), c);
        }
        for d in [672, 673, 674, 1096, 1097, 1098, 1056, 1057] {
            let b = build([0, d, d, 0, 0, 0], &[]);
            let r = Repr::parse(&b, None).unwrap();
            assert_eq!((r.kdf.unwrap().nid(), r.md.unwrap().nid()), (d, d));
            assert_eq!(r.to_vec().unwrap(), b);
        }
    }

    #[test]
    fn oap_hdr_bad_lengths() {
        // Inflated certificate length (upstream's own test uses 60000).
        let mut b = hex(SPEC_REQ);
        b[30..32].copy_from_slice(&60000u16.to_be_bytes());
        assert_eq!(Repr::parse(&b, None), Err(Error::Length));
        // Each length field one byte longer than the bytes present.
        for (i, parts) in [(30usize, 4usize), (32, 4), (34, 4)] {
            let mut b = build([0; 6], &[&vec![0; parts]]);
            b[i..i + 2].copy_from_slice(&(parts as u16 + 1).to_be_bytes());
            assert_eq!(Repr::parse(&b, None), Err(Error::Length), "field {i}");
            // Exactly right: kex and data leave no trailing bytes, a
            // certificate leaves an empty signature.
            b[i..i + 2].copy_from_slice(&(parts as u16).to_be_bytes());
            assert!(Repr::parse(&b, None).is_ok(), "field {i}");
            // One short: trailing bytes, unless after a certificate.
            b[i..i + 2].copy_from_slice(&(parts as u16 - 1).to_be_bytes());
            let r = Repr::parse(&b, None);
            if i == 30 {
                assert_eq!(r.unwrap().sig.len(), 1, "sig is what the crt leaves");
            } else {
                assert_eq!(r, Err(Error::Trailing), "field {i}");
            }
        }
        // Unsigned header with one trailing byte.
        let mut b = hex(SPEC_REQ);
        b.push(0);
        assert_eq!(Repr::parse(&b, None), Err(Error::Trailing));
        // Deflated certificate length: the rest becomes the signature.
        let b = build([0, 0, 0, 1, 0, 0], &[&[1, 2, 3]]);
        assert_eq!(Repr::parse(&b, None).unwrap().sig, &[2, 3]);
        // Sum of the length fields beyond any buffer: no overflow.
        let b = build([0, 0, 0, 0xffff, 0xffff, 0xffff], &[]);
        assert_eq!(Repr::parse(&b, Some(Digest::Sha512)), Err(Error::Length));
    }

    #[test]
    fn oap_hdr_emit_limits() {
        let big = vec![0; 70000];
        let mut r = Repr::plain([0; ID_SIZE], 1);
        r.crt = &big;
        assert_eq!(r.to_vec(), Err(EmitError::CrtTooLong));
        let mut r = Repr::plain([0; ID_SIZE], 1);
        r.kex = &big[..KEX_LEN_MAX + 1];
        assert_eq!(r.to_vec(), Err(EmitError::KexTooLong));
        let mut r = Repr::plain([0; ID_SIZE], 1);
        r.data = &big;
        assert_eq!(r.to_vec(), Err(EmitError::DataTooLong));
        let mut r = Repr::plain([0; ID_SIZE], 1);
        r.sig = &[1];
        assert_eq!(r.to_vec(), Err(EmitError::SigWithoutCrt));
        let r = Repr::plain([0; ID_SIZE], 1);
        assert_eq!(r.emit(&mut [0; 35]), Err(EmitError::Exhausted));
        let mut buf = [0xee; 40];
        assert_eq!(r.emit(&mut buf), Ok(36));
        assert_eq!(buf[36..], [0xee; 4]);
    }
}
