//! Per-name security material as the OAP sides find it on disk: whether
//! the certificate and key files exist, and what the encryption config file
//! (`enc.conf`, control-plane spec §6.8.6) asks for.

use super::nid::{Cipher, Digest, Kex};
use crate::name::SecPaths;
use std::fmt;
use std::io::Read;

/// What an `enc.conf` file configures when it enables encryption.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EncConfig {
    pub kex: Kex,
    /// `kem_mode=client`: the client encapsulates (KEMs only).
    pub kem_client_encap: bool,
    pub kdf: Digest,
    pub cipher: Cipher,
    pub digest: Digest,
}

impl Default for EncConfig {
    /// The values an existing file starts from.
    fn default() -> EncConfig {
        EncConfig {
            kex: Kex::Prime256v1,
            kem_client_encap: false,
            kdf: Digest::Sha256,
            cipher: Cipher::Aes256Gcm,
            digest: Digest::Sha256,
        }
    }
}

/// An `enc.conf` line with a value upstream refuses; the whole file is then
/// invalid and OAP fails for the name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigError {
    Kex(String),
    Cipher(String),
    Kdf(String),
    Digest(String),
    KemMode(String),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (key, v) = match self {
            ConfigError::Kex(v) => ("kex", v),
            ConfigError::Cipher(v) => ("cipher", v),
            ConfigError::Kdf(v) => ("kdf", v),
            ConfigError::Digest(v) => ("digest", v),
            ConfigError::KemMode(v) => ("kem_mode", v),
        };
        write!(f, "invalid {key} '{v}'")
    }
}

impl std::error::Error for ConfigError {}

/// The longest line one read takes, as upstream's 256-byte line buffer
/// (a longer line is processed in pieces).
const LINE_MAX: usize = 255;

fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

fn trim(mut s: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = s {
        if !is_c_space(*first) {
            break;
        }
        s = rest;
    }
    while let [rest @ .., last] = s {
        if !is_c_space(*last) {
            break;
        }
        s = rest;
    }
    s
}

/// Reads the input in the pieces a line-oriented reader with a 256-byte
/// buffer sees: up to and including a newline, at most 255 bytes. A read
/// error (reading a directory, say) ends the input like end-of-file.
struct Pieces<R: Read> {
    bytes: std::io::Bytes<std::io::BufReader<R>>,
}

impl<R: Read> Iterator for Pieces<R> {
    type Item = Vec<u8>;

    fn next(&mut self) -> Option<Vec<u8>> {
        let mut cur = Vec::new();
        while cur.len() < LINE_MAX {
            match self.bytes.next() {
                Some(Ok(b)) => {
                    cur.push(b);
                    if b == b'\n' {
                        break;
                    }
                }
                _ => break,
            }
        }
        (!cur.is_empty()).then_some(cur)
    }
}

fn pieces<R: Read>(r: R) -> Pieces<R> {
    Pieces {
        bytes: std::io::BufReader::new(r).bytes(),
    }
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Parses the contents of an existing `enc.conf`: `Ok(None)` when a `none`
/// line disables encryption, else the defaults with the file's settings
/// applied. Comment (`#` first) and empty lines are skipped, so are lines
/// without `=` and unknown keys; an invalid value fails the whole file.
pub fn parse_enc_config(r: impl Read) -> Result<Option<EncConfig>, ConfigError> {
    let mut cfg = EncConfig::default();
    for piece in pieces(r) {
        if piece[0] == b'#' || piece[0] == b'\n' {
            continue;
        }
        // The line is a C string: it ends at a NUL byte.
        let line = piece.split(|&b| b == 0).next().unwrap_or(&[]);
        if trim(line) == b"none" {
            return Ok(None);
        }
        let Some(eq) = line.iter().position(|&b| b == b'=') else {
            continue;
        };
        let key = trim(&line[..eq]);
        let value = trim(&line[eq + 1..]);
        let text = std::str::from_utf8(value).unwrap_or("");
        match key {
            b"kex" => cfg.kex = Kex::from_name(text).ok_or(ConfigError::Kex(lossy(value)))?,
            b"cipher" => {
                cfg.cipher = Cipher::from_name(text).ok_or(ConfigError::Cipher(lossy(value)))?
            }
            b"kdf" => cfg.kdf = Digest::from_name(text).ok_or(ConfigError::Kdf(lossy(value)))?,
            b"digest" => {
                cfg.digest = Digest::from_name(text).ok_or(ConfigError::Digest(lossy(value)))?
            }
            b"kem_mode" => {
                cfg.kem_client_encap = match value {
                    b"server" => false,
                    b"client" => true,
                    _ => return Err(ConfigError::KemMode(lossy(value))),
                }
            }
            _ => {}
        }
    }
    Ok(Some(cfg))
}

/// A path as the C code sees it: up to the first NUL.
fn c_path(path: &str) -> &str {
    path.split('\0').next().unwrap_or("")
}

/// Loads the encryption config at `path`: a file that cannot be opened
/// (missing, unreadable, empty path) means no encryption.
pub fn load_enc_config(path: &str) -> Result<Option<EncConfig>, ConfigError> {
    match std::fs::File::open(c_path(path)) {
        Ok(f) => parse_enc_config(f),
        Err(_) => Ok(None),
    }
}

/// Upstream's existence test: only "no such file or directory" counts as
/// missing; any other failure to stat (permissions, a file where a
/// directory is expected) counts as present.
pub fn file_exists(path: &str) -> bool {
    match std::fs::metadata(c_path(path)) {
        Ok(_) => true,
        Err(e) => e.raw_os_error() != Some(libc::ENOENT),
    }
}

/// Authentication is configured for one side only when both its
/// certificate and its key file exist.
pub fn credentials_present(paths: &SecPaths) -> bool {
    file_exists(&paths.crt) && file_exists(&paths.key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Option<EncConfig>, ConfigError> {
        parse_enc_config(s.as_bytes())
    }

    #[test]
    fn oap_enc_config_defaults_and_none() {
        assert_eq!(parse(""), Ok(Some(EncConfig::default())));
        assert_eq!(
            parse("# just a comment\n\n"),
            Ok(Some(EncConfig::default()))
        );
        assert_eq!(parse("none\n"), Ok(None));
        assert_eq!(parse("  none \t\n"), Ok(None));
        assert_eq!(parse("none"), Ok(None));
        // `none` wins over anything after it, not over an error before it.
        assert_eq!(parse("none\nkex=bogus\n"), Ok(None));
        assert_eq!(
            parse("kex=bogus\nnone\n"),
            Err(ConfigError::Kex("bogus".into()))
        );
        assert_eq!(parse("# none\n"), Ok(Some(EncConfig::default())));
        assert_eq!(parse("nonesuch\n"), Ok(Some(EncConfig::default())));
    }

    #[test]
    fn oap_enc_config_values() {
        let c = parse(
            "kex = X25519MLKEM768\n cipher=chacha20-poly1305\nkdf=sha512\n\
             digest=sha3-384\nkem_mode=client\nunknown=1\nno equals sign\n",
        )
        .unwrap()
        .unwrap();
        assert_eq!(c.kex, Kex::X25519MlKem768);
        assert_eq!(c.cipher, Cipher::Chacha20Poly1305);
        assert_eq!(c.kdf, Digest::Sha512);
        assert_eq!(c.digest, Digest::Sha3_384);
        assert!(c.kem_client_encap);
        assert!(
            !parse("kem_mode=server\n")
                .unwrap()
                .unwrap()
                .kem_client_encap
        );
    }

    #[test]
    fn oap_enc_config_rejects_invalid_values() {
        assert_eq!(parse("kex=\n"), Err(ConfigError::Kex(String::new())));
        assert_eq!(
            parse("kex=x25519\n"),
            Err(ConfigError::Kex("x25519".into()))
        );
        assert_eq!(
            parse("cipher=aes-256-cbc\n"),
            Err(ConfigError::Cipher("aes-256-cbc".into()))
        );
        assert_eq!(parse("kdf=md5\n"), Err(ConfigError::Kdf("md5".into())));
        assert_eq!(
            parse("digest=sha1\n"),
            Err(ConfigError::Digest("sha1".into()))
        );
        assert_eq!(
            parse("kem_mode=both\n"),
            Err(ConfigError::KemMode("both".into()))
        );
    }

    #[test]
    fn oap_enc_config_long_lines_split() {
        // A 300-byte line is read as a 255-byte piece and the rest; the
        // second piece here is a valid setting on its own.
        let mut s = "#".repeat(255);
        s.push_str("kex=X448\n");
        assert_eq!(parse(&s).unwrap().unwrap().kex, Kex::X448);
        // A NUL ends the line for the parser.
        assert_eq!(parse("kex=X448\0junk\n").unwrap().unwrap().kex, Kex::X448);
    }

    #[test]
    fn oap_file_presence_rules() {
        let dir = std::env::temp_dir().join(format!("oap-cfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let crt = dir.join("crt.pem");
        let key = dir.join("key.pem");
        let enc = dir.join("enc.conf");
        std::fs::write(&crt, "x").unwrap();
        let s = |p: &std::path::Path| p.to_str().unwrap().to_string();
        let mut paths = SecPaths {
            enc: s(&enc),
            key: s(&key),
            crt: s(&crt),
        };
        assert!(file_exists(&paths.crt));
        assert!(!file_exists(&paths.key));
        assert!(!file_exists(""));
        assert!(!credentials_present(&paths));
        std::fs::write(&key, "y").unwrap();
        assert!(credentials_present(&paths));
        // ENOTDIR is not "missing".
        paths.key = format!("{}/below", s(&crt));
        assert!(file_exists(&paths.key));

        assert_eq!(load_enc_config(&paths.enc), Ok(None));
        assert_eq!(load_enc_config(""), Ok(None));
        std::fs::write(&enc, "none\n").unwrap();
        assert_eq!(load_enc_config(&paths.enc), Ok(None));
        std::fs::write(&enc, "cipher=aes-128-ctr\n").unwrap();
        assert_eq!(
            load_enc_config(&paths.enc).unwrap().unwrap().cipher,
            Cipher::Aes128Ctr
        );
        // A directory opens but reads nothing: the defaults apply.
        assert_eq!(load_enc_config(&s(&dir)), Ok(Some(EncConfig::default())));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
