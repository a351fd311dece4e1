//! OEP, the enrollment protocol's three messages: request, response
//! (carrying the layer's configuration) and acknowledgement.

use ouroboros::pb::check_required;
use ouroboros::pb::msg::{EnrollAckMsg, EnrollReqMsg, EnrollRespMsg, IpcpConfigMsg};
use prost::Message;

/// Length of an enrollment id.
pub const ENROLL_ID_LEN: usize = 8;
pub type EnrollId = [u8; ENROLL_ID_LEN];

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnrollReq {
    pub id: EnrollId,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EnrollResp {
    /// As received (the enrollee compares it with its own).
    pub id: Vec<u8>,
    /// The enroller's CLOCK_REALTIME when it answered.
    pub t_sec: i64,
    pub t_nsec: i32,
    pub response: i32,
    /// Present whenever `response >= 0`.
    pub conf: Option<IpcpConfigMsg>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnrollAck {
    pub id: Vec<u8>,
    pub result: i32,
}

/// Why received bytes are not an OEP message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OepError {
    /// Malformed protobuf or a required field missing.
    Malformed,
    /// A request whose id is not 8 bytes.
    BadId,
    /// A positive response without the configuration.
    NoConf,
}

fn check(name: &str, bytes: &[u8]) -> Result<(), OepError> {
    check_required(name, bytes).map_err(|_| OepError::Malformed)
}

impl EnrollReq {
    pub fn encode(&self) -> Vec<u8> {
        EnrollReqMsg {
            id: self.id.to_vec(),
        }
        .encode_to_vec()
    }

    pub fn decode(bytes: &[u8]) -> Result<EnrollReq, OepError> {
        check("enroll_req_msg", bytes)?;
        let m = EnrollReqMsg::decode(bytes).map_err(|_| OepError::Malformed)?;
        let id = m.id.as_slice().try_into().map_err(|_| OepError::BadId)?;
        Ok(EnrollReq { id })
    }
}

impl EnrollResp {
    pub fn encode(&self) -> Vec<u8> {
        EnrollRespMsg {
            id: self.id.clone(),
            t_sec: self.t_sec,
            t_nsec: self.t_nsec,
            response: self.response,
            conf: self.conf.clone(),
        }
        .encode_to_vec()
    }

    pub fn decode(bytes: &[u8]) -> Result<EnrollResp, OepError> {
        check("enroll_resp_msg", bytes)?;
        let m = EnrollRespMsg::decode(bytes).map_err(|_| OepError::Malformed)?;
        // upstream reads the configuration of every positive response
        if m.response >= 0 && m.conf.is_none() {
            return Err(OepError::NoConf);
        }
        Ok(EnrollResp {
            id: m.id,
            t_sec: m.t_sec,
            t_nsec: m.t_nsec,
            response: m.response,
            conf: m.conf,
        })
    }
}

impl EnrollAck {
    pub fn encode(&self) -> Vec<u8> {
        EnrollAckMsg {
            id: self.id.clone(),
            result: self.result,
        }
        .encode_to_vec()
    }

    pub fn decode(bytes: &[u8]) -> Result<EnrollAck, OepError> {
        check("enroll_ack_msg", bytes)?;
        let m = EnrollAckMsg::decode(bytes).map_err(|_| OepError::Malformed)?;
        Ok(EnrollAck {
            id: m.id,
            result: m.result,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ouroboros::ipcp::{IpcpConfig, IpcpType};

    const ID: EnrollId = [1, 2, 3, 4, 5, 6, 7, 8];

    #[test]
    fn request_and_ack_bytes() {
        let req = EnrollReq { id: ID }.encode();
        assert_eq!(req, [0x0a, 0x08, 1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(EnrollReq::decode(&req), Ok(EnrollReq { id: ID }));
        let ack = EnrollAck {
            id: ID.to_vec(),
            result: 0,
        };
        let b = ack.encode();
        assert_eq!(b, [0x0a, 0x08, 1, 2, 3, 4, 5, 6, 7, 8, 0x10, 0x00]);
        assert_eq!(EnrollAck::decode(&b), Ok(ack));
    }

    #[test]
    fn broadcast_response_carries_layer_and_type_only() {
        let mut c = IpcpConfig::default_for(IpcpType::Broadcast);
        c.layer.name = "bc.net".into();
        c.layer.dir_hash_algo = 1;
        let resp = EnrollResp {
            id: ID.to_vec(),
            t_sec: 1_700_000_000,
            t_nsec: 5,
            response: 0,
            conf: Some((&c).into()),
        };
        let b = resp.encode();
        let conf = [
            0x2a, 0x0e, 0x0a, 0x0a, 0x0a, 0x06, b'b', b'c', b'.', b'n', b'e', b't', 0x10, 0x01,
            0x10, 0x02,
        ];
        assert_eq!(&b[b.len() - conf.len()..], &conf);
        assert_eq!(EnrollResp::decode(&b), Ok(resp));
    }

    #[test]
    fn refuses_bad_messages() {
        // an id of 7 bytes
        assert_eq!(
            EnrollReq::decode(&[0x0a, 0x07, 1, 2, 3, 4, 5, 6, 7]),
            Err(OepError::BadId)
        );
        // cut short, empty, garbage
        assert_eq!(
            EnrollReq::decode(&[0x0a, 0x08, 1, 2]),
            Err(OepError::Malformed)
        );
        assert_eq!(EnrollReq::decode(&[]), Err(OepError::Malformed));
        assert_eq!(EnrollAck::decode(&[0xff; 9]), Err(OepError::Malformed));
        // an ack without its result
        assert_eq!(
            EnrollAck::decode(&[0x0a, 0x01, 0]),
            Err(OepError::Malformed)
        );
        // a positive response without the configuration
        let resp = EnrollResp {
            id: ID.to_vec(),
            t_sec: 0,
            t_nsec: 0,
            response: 0,
            conf: None,
        };
        assert_eq!(EnrollResp::decode(&resp.encode()), Err(OepError::NoConf));
        // a refusal may come without one
        let no = EnrollResp {
            response: -1,
            ..resp
        };
        assert_eq!(EnrollResp::decode(&no.encode()), Ok(no));
    }
}
