//! OAP, the flow allocation protocol run by the IRMds for every flow
//! allocation (header format and processing).
