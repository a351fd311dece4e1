//! Process announce and exit (`IRM_PROC_ANNOUNCE` / `IRM_PROC_EXIT`).

use crate::errno::{Error, Result};
use crate::irm::send_recv;
use crate::pb::{IrmMsg, IrmMsgCode};

/// Longest program name sent in an announce.
const PROG_NAME_SIZE: usize = 255;

/// The program name a process announces: basename of argv[0], or of
/// argv[1] when argv[0] is a Python interpreter.
pub fn program_name(argv: &[String]) -> String {
    let base = |s: &str| crate::proc::basename(s).to_string();
    let mut name = argv.first().map(|a| base(a)).unwrap_or_default();
    if matches!(name.as_str(), "python" | "python2" | "python3") {
        if let Some(a) = argv.get(1) {
            name = base(a);
        }
    }
    name.chars().take(PROG_NAME_SIZE).collect()
}

/// Tells the IRMd this process exists. Without an IRMd nothing works, so
/// callers treat failure as fatal.
pub fn announce(prog: &str) -> Result<()> {
    let msg = IrmMsg {
        pid: Some(std::process::id() as i32),
        prog: Some(prog.to_string()),
        ..IrmMsg::with_code(IrmMsgCode::IrmProcAnnounce)
    };
    match send_recv(&msg).and_then(|r| r.result) {
        Some(0) => Ok(()),
        Some(r) => Err(Error::from_code(r).unwrap_or(Error::Irmd)),
        None => Err(Error::Irmd),
    }
}

/// Tells the IRMd this process is leaving (the reply is ignored).
pub fn exit_notify() {
    let msg = IrmMsg {
        pid: Some(std::process::id() as i32),
        ..IrmMsg::with_code(IrmMsgCode::IrmProcExit)
    };
    let _ = send_recv(&msg);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_scripts_use_the_script_name() {
        let v = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(program_name(&v(&["/usr/bin/oping", "-l"])), "oping");
        assert_eq!(
            program_name(&v(&["/usr/bin/python3", "/x/app.py"])),
            "app.py"
        );
        assert_eq!(program_name(&v(&["python"])), "python");
    }
}
