//! The control-socket transport: AF_UNIX SOCK_SEQPACKET, one request and at
//! most one reply per connection, records of at most 10240 bytes.

use socket2::{Domain, SockAddr, Socket, Type};
use std::io;
use std::mem::MaybeUninit;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Largest request or reply (`SOCK_BUF_SIZE`).
pub const SOCK_BUF_SIZE: usize = 10240;
/// Directory of the control sockets.
pub const SOCK_DIR: &str = "/var/run/ouroboros";

/// `/var/run/ouroboros/irm.sock`.
pub fn irm_sock_path() -> PathBuf {
    Path::new(SOCK_DIR).join("irm.sock")
}

/// `/var/run/ouroboros/ipcp.<pid>.sock`.
pub fn ipcp_sock_path(pid: i32) -> PathBuf {
    Path::new(SOCK_DIR).join(format!("ipcp.{pid}.sock"))
}

/// One accepted or connected control connection.
pub struct Conn(Socket);

impl Conn {
    /// Reads one record (truncated to `SOCK_BUF_SIZE`); an empty vector
    /// means the peer closed without sending.
    pub fn recv(&self) -> io::Result<Vec<u8>> {
        let mut buf = vec![MaybeUninit::<u8>::uninit(); SOCK_BUF_SIZE];
        let n = loop {
            match self.0.recv(&mut buf) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                r => break r?,
            }
        };
        // SAFETY: recv initialised the first n bytes.
        Ok(buf[..n]
            .iter()
            .map(|b| unsafe { b.assume_init() })
            .collect())
    }

    /// Sends one record.
    pub fn send(&self, data: &[u8]) -> io::Result<()> {
        let n = self.0.send_with_flags(data, libc::MSG_NOSIGNAL)?;
        if n != data.len() {
            return Err(io::Error::from_raw_os_error(libc::EMSGSIZE));
        }
        Ok(())
    }

    /// Bounds how long `recv` waits (`None`: forever).
    pub fn set_read_timeout(&self, t: Option<Duration>) -> io::Result<()> {
        self.0.set_read_timeout(t)
    }

    /// The peer's credentials (pid, uid, gid) from SO_PEERCRED.
    pub fn peer_cred(&self) -> io::Result<(i32, u32, u32)> {
        let fd = std::os::fd::AsRawFd::as_raw_fd(&self.0);
        let mut cred = libc::ucred {
            pid: 0,
            uid: 0,
            gid: 0,
        };
        let mut len = std::mem::size_of::<libc::ucred>() as libc::socklen_t;
        // SAFETY: cred and len are valid for writes of the sizes passed.
        let r = unsafe {
            libc::getsockopt(
                fd,
                libc::SOL_SOCKET,
                libc::SO_PEERCRED,
                (&mut cred as *mut libc::ucred).cast(),
                &mut len,
            )
        };
        if r < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok((cred.pid, cred.uid, cred.gid))
    }
}

/// A listening control socket.
pub struct Listener(Socket);

impl Listener {
    /// Binds `path` (removing a stale file first) and listens.
    pub fn bind(path: &Path) -> io::Result<Listener> {
        let _ = std::fs::remove_file(path);
        let sock = Socket::new(Domain::UNIX, Type::SEQPACKET.cloexec(), None)?;
        sock.bind(&SockAddr::unix(path)?)?;
        sock.listen(libc::SOMAXCONN)?;
        Ok(Listener(sock))
    }

    pub fn accept(&self) -> io::Result<Conn> {
        loop {
            match self.0.accept() {
                Ok((s, _)) => return Ok(Conn(s)),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }

    /// Makes a blocked `accept` return (used at shutdown).
    pub fn shutdown(&self) {
        let _ = self.0.shutdown(std::net::Shutdown::Both);
    }
}

/// Connects to a control socket.
pub fn connect(path: &Path) -> io::Result<Conn> {
    let sock = Socket::new(Domain::UNIX, Type::SEQPACKET.cloexec(), None)?;
    loop {
        match sock.connect(&SockAddr::unix(path)?) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            r => break r?,
        }
    }
    Ok(Conn(sock))
}

/// One exchange: connect, send `req`, read the reply (empty if the server
/// closed without one). `timeout` bounds the wait for the reply.
pub fn request(path: &Path, req: &[u8], timeout: Option<Duration>) -> io::Result<Vec<u8>> {
    if req.is_empty() || req.len() >= SOCK_BUF_SIZE {
        return Err(io::Error::from_raw_os_error(libc::EMSGSIZE));
    }
    let conn = connect(path)?;
    conn.set_read_timeout(timeout)?;
    conn.send(req)?;
    conn.recv()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_request_one_reply() {
        let dir = std::env::temp_dir().join(format!("o7s-sock-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.sock");
        let l = Listener::bind(&path).unwrap();
        let t = std::thread::spawn(move || {
            let c = l.accept().unwrap();
            let m = c.recv().unwrap();
            c.send(&[m[0] + 1]).unwrap();
            let c = l.accept().unwrap();
            assert!(c.recv().unwrap().len() == SOCK_BUF_SIZE - 1);
            drop(c); // close without reply
        });
        assert_eq!(request(&path, &[41], None).unwrap(), vec![42]);
        assert_eq!(
            request(&path, &vec![7; SOCK_BUF_SIZE - 1], None).unwrap(),
            Vec::<u8>::new()
        );
        assert!(request(&path, &vec![7; SOCK_BUF_SIZE], None).is_err());
        t.join().unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
