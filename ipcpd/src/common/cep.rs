//! CACEP: the `cep_msg` each side of a new connection sends first, naming
//! the component it wants and the protocol, version and syntax it speaks.

use ouroboros::dev::Flow;
use ouroboros::pb::msg::CepMsg;
use prost::Message;
use std::time::Duration;

/// Largest `cep_msg` a peer reads (upstream's receive buffer).
pub const CEP_BUF: usize = 128;
/// How long either side waits for the other's `cep_msg`.
pub const RCV_TIMEOUT: Duration = Duration::from_millis(1000);

/// `pref_syntax` values.
pub const PROTO_GPB: i32 = 0;
pub const PROTO_ASN_1: i32 = 1;
pub const PROTO_FIXED: i32 = 2;

/// What one side says about a component (upstream `struct conn_info`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConnInfo {
    pub comp_name: String,
    pub protocol: String,
    pub pref_version: i32,
    pub pref_syntax: i32,
    pub addr: u64,
}

/// Why a received `cep_msg` was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CepError {
    /// Nothing arrived in time, or the flow failed.
    Read,
    /// Longer than [`CEP_BUF`], malformed, a required field missing, or a
    /// name too long for the peer's buffers.
    Malformed,
    Write,
}

impl ConnInfo {
    pub fn new(comp_name: &str, protocol: &str, version: i32, syntax: i32, addr: u64) -> Self {
        ConnInfo {
            comp_name: comp_name.into(),
            protocol: protocol.into(),
            pref_version: version,
            pref_syntax: syntax,
            addr,
        }
    }

    /// The `cep_msg` bytes: every required field, even when zero or empty.
    pub fn encode(&self) -> Vec<u8> {
        CepMsg {
            comp_name: self.comp_name.clone(),
            protocol: self.protocol.clone(),
            pref_version: self.pref_version,
            supp_version: Vec::new(),
            pref_syntax: self.pref_syntax,
            supp_syntax: Vec::new(),
            syntax_spec: None,
            address: self.addr,
        }
        .encode_to_vec()
    }

    /// Decodes what a peer sent, with upstream's limits.
    pub fn decode(bytes: &[u8]) -> Result<ConnInfo, CepError> {
        if bytes.len() > CEP_BUF {
            return Err(CepError::Malformed);
        }
        let m = ouroboros::c_api::cep::decode(bytes).map_err(|_| CepError::Malformed)?;
        Ok(ConnInfo {
            comp_name: c_str(&m.comp_name),
            protocol: c_str(&m.protocol),
            pref_version: m.pref_version,
            pref_syntax: m.pref_syntax,
            addr: m.address,
        })
    }

    /// Whether a peer answering our request speaks our protocol (the
    /// initiator's check; the address is not compared).
    pub fn compatible(&self, peer: &ConnInfo) -> Result<(), &'static str> {
        if self.protocol != peer.protocol {
            return Err("Unknown protocol");
        }
        if self.pref_version != peer.pref_version {
            return Err("Unknown protocol version");
        }
        if self.pref_syntax != peer.pref_syntax {
            return Err("Unknown protocol syntax");
        }
        Ok(())
    }
}

/// A string as C sees it: up to an embedded NUL.
fn c_str(s: &str) -> String {
    s.split('\0').next().unwrap_or("").to_string()
}

/// Sends `info` as one SDU.
pub fn send(flow: &Flow, info: &ConnInfo) -> Result<(), CepError> {
    if info.pref_syntax < 0 {
        return Err(CepError::Write);
    }
    flow.write(&info.encode())
        .map(|_| ())
        .map_err(|_| CepError::Write)
}

/// Reads one SDU and decodes it (the flow's receive timeout applies).
pub fn recv(flow: &Flow) -> Result<ConnInfo, CepError> {
    // one byte more than the peer may send: longer messages are seen
    let mut buf = [0u8; CEP_BUF + 1];
    let n = flow.read(&mut buf).map_err(|_| CepError::Read)?;
    ConnInfo::decode(&buf[..n])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broadcast_dt_bytes() {
        let dt = ConnInfo::new("Data Transfer", "", 0, PROTO_GPB, 0);
        let mut want = vec![0x0a, 0x0d];
        want.extend_from_slice(b"Data Transfer");
        want.extend_from_slice(&[0x12, 0x00, 0x18, 0x00, 0x28, 0x00, 0x40, 0x00]);
        assert_eq!(dt.encode(), want);
        assert_eq!(want.len(), 23);
        assert_eq!(ConnInfo::decode(&want), Ok(dt));
    }

    #[test]
    fn unicast_dt_bytes_carry_the_address() {
        let dt = ConnInfo::new("Data Transfer", "dtp", 1, PROTO_FIXED, 0xfa48_88cc);
        let b = dt.encode();
        assert_eq!(b.len(), 30);
        assert_eq!(&b[b.len() - 6..], &[0x40, 0xcc, 0x91, 0xa2, 0xd2, 0x0f]);
        assert_eq!(ConnInfo::decode(&b), Ok(dt));
    }

    #[test]
    fn refuses_bad_messages() {
        // no address (required)
        let mut b = ConnInfo::new("Enrollment", "OEP", 1, 0, 0).encode();
        b.truncate(b.len() - 2);
        assert_eq!(ConnInfo::decode(&b), Err(CepError::Malformed));
        // cut inside a string
        assert_eq!(
            ConnInfo::decode(&[0x0a, 0x0a, b'E']),
            Err(CepError::Malformed)
        );
        assert_eq!(ConnInfo::decode(&[0xff; 20]), Err(CepError::Malformed));
        // longer than the peer's buffer
        let long = ConnInfo::new(&"x".repeat(120), "", 0, 0, 0).encode();
        assert!(long.len() > CEP_BUF);
        assert_eq!(ConnInfo::decode(&long), Err(CepError::Malformed));
        // an empty message lacks everything
        assert_eq!(ConnInfo::decode(&[]), Err(CepError::Malformed));
    }

    #[test]
    fn initiator_checks() {
        let me = ConnInfo::new("Management", "LSP", 1, PROTO_GPB, 7);
        let mut peer = ConnInfo::new("Management", "LSP", 1, PROTO_GPB, 9);
        assert!(me.compatible(&peer).is_ok());
        peer.protocol = "dtp".into();
        assert!(me.compatible(&peer).is_err());
        peer = ConnInfo::new("Management", "LSP", 2, PROTO_GPB, 9);
        assert!(me.compatible(&peer).is_err());
        peer = ConnInfo::new("Management", "LSP", 1, PROTO_FIXED, 9);
        assert!(me.compatible(&peer).is_err());
        // the empty answer to an unknown component
        assert!(me.compatible(&ConnInfo::default()).is_err());
    }
}
