//! ipcpd-broadcast (in progress).
