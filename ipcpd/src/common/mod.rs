//! What the normal (unicast and broadcast) IPCPs share: connection
//! establishment with CACEP, the connection manager and enrollment.

pub mod cep;
pub mod connmgr;
pub mod enroll;
pub mod oep;
