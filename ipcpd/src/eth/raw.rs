//! The Linux packet socket of an Ethernet shim and the interface facts
//! it needs (index, hardware address, MTU). The socket is bound to one
//! interface and one protocol (the layer's ethertype, or ETH_P_802_2 for
//! LLC), so the kernel filters the rest; the shim still checks every
//! frame itself.

use super::frame::Mac;
use std::ffi::CString;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

/// `PACKET_OUTGOING`: a copy of a frame this host sent.
const PACKET_OUTGOING: u8 = 4;

pub struct RawSock {
    fd: OwnedFd,
}

/// The interface's index (0 would mean none).
pub fn if_index(dev: &str) -> io::Result<u32> {
    let name = CString::new(dev).map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))?;
    // SAFETY: `name` is a NUL-terminated string that outlives the call.
    let idx = unsafe { libc::if_nametoindex(name.as_ptr()) };
    if idx == 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(idx)
}

/// An `ifreq` naming `dev` (which must fit IFNAMSIZ with its NUL).
fn ifreq(dev: &str) -> io::Result<libc::ifreq> {
    let name = CString::new(dev).map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))?;
    let bytes = name.as_bytes_with_nul();
    if bytes.len() > libc::IFNAMSIZ {
        return Err(io::Error::from_raw_os_error(libc::EINVAL));
    }
    // SAFETY: ifreq is plain old data; all zeros is a valid value.
    let mut ifr: libc::ifreq = unsafe { std::mem::zeroed() };
    for (d, s) in ifr.ifr_name.iter_mut().zip(bytes) {
        *d = *s as libc::c_char;
    }
    Ok(ifr)
}

/// Runs an interface ioctl on a throwaway socket.
fn if_ioctl(req: libc::Ioctl, ifr: &mut libc::ifreq) -> io::Result<()> {
    let s = socket2::Socket::new(socket2::Domain::UNIX, socket2::Type::STREAM, None)?;
    // SAFETY: `s` is an open socket and `ifr` a valid, writable ifreq of
    // the size SIOCGIFHWADDR/SIOCGIFMTU read and write.
    let r = unsafe { libc::ioctl(s.as_raw_fd(), req, ifr as *mut libc::ifreq) };
    if r < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// The hardware address of `dev` (SIOCGIFHWADDR).
pub fn hw_addr(dev: &str) -> io::Result<Mac> {
    let mut ifr = ifreq(dev)?;
    if_ioctl(libc::SIOCGIFHWADDR, &mut ifr)?;
    // SAFETY: SIOCGIFHWADDR filled the hwaddr member of the union.
    let sa = unsafe { ifr.ifr_ifru.ifru_hwaddr };
    let mut mac = [0u8; 6];
    for (m, b) in mac.iter_mut().zip(sa.sa_data.iter()) {
        *m = *b as u8;
    }
    Ok(mac)
}

/// The MTU of `dev` (SIOCGIFMTU).
pub fn mtu(dev: &str) -> io::Result<usize> {
    let mut ifr = ifreq(dev)?;
    if_ioctl(libc::SIOCGIFMTU, &mut ifr)?;
    // SAFETY: SIOCGIFMTU filled the mtu member of the union.
    let mtu = unsafe { ifr.ifr_ifru.ifru_mtu };
    usize::try_from(mtu).map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))
}

impl RawSock {
    /// A packet socket for `protocol` (host order) bound to interface
    /// `ifindex`. Blocking: one reader thread waits in `recv`.
    pub fn open(ifindex: u32, protocol: u16) -> io::Result<RawSock> {
        let proto = i32::from(protocol.to_be());
        let ty = libc::SOCK_RAW | libc::SOCK_CLOEXEC;
        // SAFETY: plain socket(2) call; the result is checked.
        let raw = unsafe { libc::socket(libc::AF_PACKET, ty, proto) };
        if raw < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `raw` is a fresh descriptor nothing else owns.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        // SAFETY: sockaddr_ll is plain old data; all zeros is valid.
        let mut sll: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
        sll.sll_family = libc::AF_PACKET as u16;
        sll.sll_protocol = protocol.to_be();
        sll.sll_ifindex =
            i32::try_from(ifindex).map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))?;
        // SAFETY: `sll` is a valid sockaddr_ll and its exact size is passed.
        let r = unsafe {
            libc::bind(
                fd.as_raw_fd(),
                (&sll as *const libc::sockaddr_ll).cast::<libc::sockaddr>(),
                std::mem::size_of::<libc::sockaddr_ll>() as libc::socklen_t,
            )
        };
        if r < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(RawSock { fd })
    }

    /// Sends one whole frame out of the bound interface.
    pub fn send(&self, frame: &[u8]) -> io::Result<()> {
        // SAFETY: `frame` is readable for its length; the socket is bound,
        // so no destination address is needed.
        let r = unsafe { libc::send(self.fd.as_raw_fd(), frame.as_ptr().cast(), frame.len(), 0) };
        if r < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    /// Receives one frame into `buf` (cut to its size). `Ok(None)` for
    /// copies of frames sent from this host.
    pub fn recv(&self, buf: &mut [u8]) -> io::Result<Option<usize>> {
        // SAFETY: sockaddr_ll is plain old data; all zeros is valid.
        let mut from: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
        let mut len = std::mem::size_of::<libc::sockaddr_ll>() as libc::socklen_t;
        // SAFETY: `buf` is writable for its length, `from`/`len` describe
        // a writable sockaddr_ll.
        let n = unsafe {
            libc::recvfrom(
                self.fd.as_raw_fd(),
                buf.as_mut_ptr().cast(),
                buf.len(),
                0,
                (&mut from as *mut libc::sockaddr_ll).cast::<libc::sockaddr>(),
                &mut len,
            )
        };
        if n < 0 {
            return Err(io::Error::last_os_error());
        }
        if from.sll_pkttype == PACKET_OUTGOING {
            return Ok(None);
        }
        Ok(Some(n as usize))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interface_names_are_checked() {
        assert!(ifreq("a-name-of-16-chr").is_err());
        assert!(ifreq("a-name-of-15-ch").is_ok());
        assert!(ifreq("nul\0inside").is_err());
        assert!(hw_addr("o7-no-such-dev").is_err());
        assert!(mtu("o7-no-such-dev").is_err());
        assert!(if_index("o7-no-such-dev").is_err());
    }

    #[test]
    fn loopback_facts() {
        // every network namespace has lo
        assert_eq!(hw_addr("lo").unwrap(), [0; 6]);
        assert!(mtu("lo").unwrap() >= 1280);
        assert!(if_index("lo").unwrap() > 0);
    }
}
