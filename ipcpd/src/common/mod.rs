//! What the normal (unicast and broadcast) IPCPs share: connection
//! establishment with CACEP, the connection manager and enrollment.
