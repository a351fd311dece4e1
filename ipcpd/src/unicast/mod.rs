//! ipcpd-unicast (in progress).
