//! What the fuzz targets and the seed generator share: how one input is cut
//! into fields and records.
//!
//! Multi-message targets read their input as records: a selector byte, a
//! 16-bit little-endian length and that many bytes (fewer at the end of
//! the input). Running out of input gives zeros and empty slices, so every
//! byte string is a valid input.

/// A reader over one fuzz input.
pub struct Input<'a> {
    data: &'a [u8],
}

impl<'a> Input<'a> {
    pub fn new(data: &'a [u8]) -> Input<'a> {
        Input { data }
    }

    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// Up to `n` bytes.
    pub fn bytes(&mut self, n: usize) -> &'a [u8] {
        let (head, tail) = self.data.split_at(n.min(self.data.len()));
        self.data = tail;
        head
    }

    fn array<const N: usize>(&mut self) -> [u8; N] {
        let mut a = [0u8; N];
        let b = self.bytes(N);
        a[..b.len()].copy_from_slice(b);
        a
    }

    pub fn u8(&mut self) -> u8 {
        self.array::<1>()[0]
    }

    pub fn u16(&mut self) -> u16 {
        u16::from_le_bytes(self.array())
    }

    pub fn u32(&mut self) -> u32 {
        u32::from_le_bytes(self.array())
    }

    pub fn u64(&mut self) -> u64 {
        u64::from_le_bytes(self.array())
    }

    /// A record: selector byte and length-prefixed bytes.
    pub fn record(&mut self) -> (u8, &'a [u8]) {
        let sel = self.u8();
        let n = self.u16() as usize;
        (sel, self.bytes(n))
    }

    /// Everything left.
    pub fn rest(&mut self) -> &'a [u8] {
        let n = self.data.len();
        self.bytes(n)
    }
}

/// Appends a record (see [`Input::record`]); `bytes` is cut to 65535.
pub fn push_record(out: &mut Vec<u8>, sel: u8, bytes: &[u8]) {
    let bytes = &bytes[..bytes.len().min(usize::from(u16::MAX))];
    out.push(sel);
    out.extend_from_slice(&(bytes.len() as u16).to_le_bytes());
    out.extend_from_slice(bytes);
}

/// Pids the harnesses hand to the daemons: above `PID_MAX_LIMIT` (2^22),
/// so no process ever has one. Every pid a request names is moved up
/// there (see [`fake_pid`]): a fuzzed request can then never signal,
/// connect to or wait for a real process.
pub const FAKE_PID_BASE: i32 = 1 << 22;

/// The pid a harness passes on for pid `p` of a request: positive pids
/// below [`FAKE_PID_BASE`] move up by it; the others stay (they cannot be
/// a process either).
pub fn fake_pid(p: i32) -> i32 {
    if p > 0 && p < FAKE_PID_BASE {
        p + FAKE_PID_BASE
    } else {
        p
    }
}

/// [`fake_pid`] for the unsigned pid fields of `flow_info`.
pub fn fake_pid_u32(p: u32) -> u32 {
    fake_pid(p as i32) as u32
}

/// Moves the calling thread (the one libFuzzer runs the target on) into a
/// private mount namespace with empty tmpfs file systems on `/dev/shm` and
/// `/run` (so `/var/run/ouroboros` too): shared-memory objects the
/// harness creates stay out of the host's `/dev/shm`, and no control
/// socket of a real Ouroboros system can be reached. Needs root
/// (CAP_SYS_ADMIN); panics rather than fuzz without the isolation.
pub fn isolate() {
    fn check(what: &str, rc: libc::c_int) {
        if rc != 0 {
            panic!(
                "fuzz isolation: {what} failed: {} (run as root)",
                std::io::Error::last_os_error()
            );
        }
    }
    let none = c"none";
    // SAFETY: plain system calls with valid NUL-terminated strings.
    unsafe {
        check("unshare(CLONE_NEWNS)", libc::unshare(libc::CLONE_NEWNS));
        check(
            "making / private",
            libc::mount(
                none.as_ptr(),
                c"/".as_ptr(),
                std::ptr::null(),
                libc::MS_REC | libc::MS_PRIVATE,
                std::ptr::null(),
            ),
        );
        for dir in [c"/dev/shm", c"/run"] {
            check(
                "mounting a tmpfs",
                libc::mount(
                    none.as_ptr(),
                    dir.as_ptr(),
                    c"tmpfs".as_ptr(),
                    0,
                    std::ptr::null(),
                ),
            );
        }
    }
    let empty = |d: &str| std::fs::read_dir(d).is_ok_and(|mut e| e.next().is_none());
    assert!(
        empty("/dev/shm") && empty("/run"),
        "fuzz isolation: /dev/shm or /run not empty"
    );
}
