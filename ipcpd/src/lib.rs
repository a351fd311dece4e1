//! IPCP runtime shared by every ipcpd-* type.
