//! A TUN device (`/dev/net/tun`, IP packets without extra header) with an
//! IPv4 address and netmask, brought up.

use std::fs::{File, OpenOptions};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

const IFNAMSIZ: usize = 16;

/// `struct ifreq`: the interface name and a 24-byte union, of which we
/// use the flags (`short` at offset 0) and a `sockaddr_in`.
#[repr(C)]
struct IfReq {
    name: [u8; IFNAMSIZ],
    data: [u8; 24],
}

const _: () = assert!(std::mem::size_of::<IfReq>() == 40);

impl IfReq {
    fn new() -> IfReq {
        IfReq {
            name: [0; IFNAMSIZ],
            data: [0; 24],
        }
    }

    fn flags(&self) -> i16 {
        i16::from_ne_bytes([self.data[0], self.data[1]])
    }

    fn set_flags(&mut self, f: i16) {
        self.data[..2].copy_from_slice(&f.to_ne_bytes());
    }

    /// An AF_INET `sockaddr_in` with `addr` (network order), port 0.
    fn set_inet(&mut self, addr: [u8; 4]) {
        self.data = [0; 24];
        self.data[..2].copy_from_slice(&(libc::AF_INET as u16).to_ne_bytes());
        self.data[4..8].copy_from_slice(&addr);
    }

    fn name(&self) -> String {
        let end = self.name.iter().position(|&b| b == 0).unwrap_or(IFNAMSIZ);
        String::from_utf8_lossy(&self.name[..end]).into_owned()
    }
}

fn ioctl(fd: i32, req: libc::Ioctl, ifr: &mut IfReq) -> std::io::Result<()> {
    // SAFETY: every request used here takes a `struct ifreq` the kernel
    // reads and writes within its 40 bytes.
    if unsafe { libc::ioctl(fd, req, ifr as *mut IfReq) } < 0 {
        Err(std::io::Error::last_os_error())
    } else {
        Ok(())
    }
}

/// An open TUN device.
pub struct Tun {
    pub file: File,
    pub name: String,
}

/// Creates a TUN device with a kernel-chosen name, gives it `ip` and
/// `mask` (network order) and brings it up.
pub fn open(ip: [u8; 4], mask: [u8; 4]) -> std::io::Result<Tun> {
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/net/tun")?;
    let mut ifr = IfReq::new();
    ifr.set_flags((libc::IFF_TUN | libc::IFF_NO_PI) as i16);
    ioctl(file.as_raw_fd(), libc::TUNSETIFF, &mut ifr)?;
    let name = ifr.name();
    // SAFETY: plain socket(2); the descriptor is owned right away.
    let s = unsafe { libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0) };
    if s < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: `s` is a fresh descriptor nobody else owns.
    let sock = unsafe { OwnedFd::from_raw_fd(s) };
    let s = sock.as_raw_fd();
    ifr.set_inet(ip);
    ioctl(s, libc::SIOCSIFADDR as libc::Ioctl, &mut ifr)?;
    ifr.set_inet(mask);
    ioctl(s, libc::SIOCSIFNETMASK as libc::Ioctl, &mut ifr)?;
    ioctl(s, libc::SIOCGIFFLAGS as libc::Ioctl, &mut ifr)?;
    let up = ifr.flags() | (libc::IFF_UP | libc::IFF_RUNNING) as i16;
    ifr.set_flags(up);
    ioctl(s, libc::SIOCSIFFLAGS as libc::Ioctl, &mut ifr)?;
    Ok(Tun { file, name })
}
