//! FRCT, the flow and retransmission control protocol, as a state machine
//! that reads no clock and touches no shared memory.
