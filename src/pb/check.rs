//! Proto2 `required` enforcement. prost fills a missing required field with
//! its default; upstream's protobuf-c rejects the message instead (the IRMd
//! then closes the connection without a reply). This walks the wire format
//! against the compiled descriptors and reports the first missing field.

use prost::Message;
use prost_types::field_descriptor_proto::{Label, Type};
use prost_types::{DescriptorProto, FileDescriptorSet};
use std::collections::HashMap;
use std::sync::OnceLock;

static MSG_FDS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/msg.fds"));
static IPCP_FDS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/ipcp.fds"));

struct Field {
    required: bool,
    /// Fully qualified type name for message-typed fields.
    message: Option<String>,
}

type Schema = HashMap<String, HashMap<u32, Field>>;

fn schema() -> &'static Schema {
    static SCHEMA: OnceLock<Schema> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let mut map = Schema::new();
        for bytes in [MSG_FDS, IPCP_FDS] {
            let set = FileDescriptorSet::decode(bytes).expect("embedded descriptors");
            for file in set.file {
                for msg in &file.message_type {
                    add(&mut map, msg);
                }
            }
        }
        map
    })
}

fn add(map: &mut Schema, msg: &DescriptorProto) {
    let fields = msg
        .field
        .iter()
        .map(|f| {
            let message = (f.r#type() == Type::Message).then(|| f.type_name().to_string());
            (
                f.number() as u32,
                Field {
                    required: f.label() == Label::Required,
                    message,
                },
            )
        })
        .collect();
    map.insert(format!(".{}", msg.name()), fields);
}

/// Why bytes do not form a valid message.
#[derive(Debug, PartialEq, Eq)]
pub enum Invalid {
    Malformed,
    MissingRequired { message: String, field: u32 },
}

/// Checks that `buf` is a well-formed `msg` (e.g. "irm_msg") with every
/// required field present, recursively.
pub fn check_required(msg: &str, buf: &[u8]) -> Result<(), Invalid> {
    walk(&format!(".{msg}"), buf, 0)
}

fn walk(name: &str, mut buf: &[u8], depth: u32) -> Result<(), Invalid> {
    if depth > 32 {
        return Err(Invalid::Malformed);
    }
    let fields = schema().get(name).ok_or(Invalid::Malformed)?;
    let mut seen = Vec::new();
    while !buf.is_empty() {
        let key = varint(&mut buf)?;
        let (num, wire) = ((key >> 3) as u32, (key & 7) as u8);
        if num == 0 {
            return Err(Invalid::Malformed);
        }
        let field = fields.get(&num);
        match wire {
            0 => {
                varint(&mut buf)?;
            }
            1 => buf = buf.get(8..).ok_or(Invalid::Malformed)?,
            5 => buf = buf.get(4..).ok_or(Invalid::Malformed)?,
            2 => {
                let len = usize::try_from(varint(&mut buf)?).map_err(|_| Invalid::Malformed)?;
                if len > buf.len() {
                    return Err(Invalid::Malformed);
                }
                let (body, rest) = buf.split_at(len);
                if let Some(sub) = field.and_then(|f| f.message.as_deref()) {
                    walk(sub, body, depth + 1)?;
                }
                buf = rest;
            }
            _ => return Err(Invalid::Malformed),
        }
        seen.push(num);
    }
    for (num, f) in fields {
        if f.required && !seen.contains(num) {
            return Err(Invalid::MissingRequired {
                message: name[1..].to_string(),
                field: *num,
            });
        }
    }
    Ok(())
}

fn varint(buf: &mut &[u8]) -> Result<u64, Invalid> {
    let mut v = 0u64;
    for i in 0..10 {
        let (&b, rest) = buf.split_first().ok_or(Invalid::Malformed)?;
        *buf = rest;
        v |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Ok(v);
        }
    }
    Err(Invalid::Malformed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_complete_and_rejects_incomplete() {
        // IRM_REPLY result 0
        assert_eq!(
            check_required("irm_msg", &[0x08, 0x1b, 0xc8, 0x01, 0x00]),
            Ok(())
        );
        // no code
        assert!(matches!(
            check_required("irm_msg", &[0xc8, 0x01, 0x00]),
            Err(Invalid::MissingRequired { field: 1, .. })
        ));
        // ipcp_info without its required fields
        assert!(check_required("irm_msg", &[0x08, 0x01, 0x32, 0x00]).is_err());
        assert_eq!(
            check_required("irm_msg", &[0xff, 0xff, 0xff, 0xff]),
            Err(Invalid::Malformed)
        );
        assert_eq!(check_required("ipcp_msg", &[0x08, 0x0c]), Ok(()));
    }
}
