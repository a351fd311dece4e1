//! Small process helpers shared by the daemons.

/// `kill(pid, 0) == 0`: the process exists (zombies included).
pub fn alive(pid: i32) -> bool {
    pid > 0 && nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None).is_ok()
}

/// Sends a signal; false when it could not be delivered.
pub fn signal(pid: i32, sig: nix::sys::signal::Signal) -> bool {
    pid > 0 && nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), sig).is_ok()
}

/// Reaps `pid` if it is our child and has exited; true when reaped or not
/// our child.
pub fn try_reap(pid: i32) -> bool {
    use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
    match waitpid(nix::unistd::Pid::from_raw(pid), Some(WaitPidFlag::WNOHANG)) {
        Ok(WaitStatus::StillAlive) => false,
        Ok(_) | Err(_) => true,
    }
}

/// Blocks until child `pid` exits (no-op if it is not our child).
pub fn reap(pid: i32) {
    loop {
        match nix::sys::wait::waitpid(nix::unistd::Pid::from_raw(pid), None) {
            Err(nix::errno::Errno::EINTR) => continue,
            _ => return,
        }
    }
}

/// The last path component (upstream's `path_strip`).
pub fn basename(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Upstream's "privileged" test, which picks the global packet pool: uid 0,
/// or a user whose primary or supplementary groups include `ouroboros`.
pub fn is_ouroboros_member(uid: u32) -> bool {
    use nix::unistd::{getgrouplist, Group, Uid, User};
    if uid == 0 {
        return true;
    }
    let Ok(Some(group)) = Group::from_name("ouroboros") else {
        return false;
    };
    let Ok(Some(user)) = User::from_uid(Uid::from_raw(uid)) else {
        return false;
    };
    if user.gid == group.gid {
        return true;
    }
    let Ok(name) = std::ffi::CString::new(user.name.clone()) else {
        return false;
    };
    getgrouplist(&name, user.gid)
        .map(|gs| gs.contains(&group.gid))
        .unwrap_or(false)
}

/// Blocks SIGINT, SIGQUIT, SIGHUP, SIGTERM and SIGPIPE in the calling
/// thread (and so in every thread it starts afterwards), for a daemon
/// that takes them synchronously; returns the set to wait on.
pub fn block_stop_signals() -> nix::sys::signal::SigSet {
    use nix::sys::signal::{pthread_sigmask, SigSet, SigmaskHow, Signal};
    let mut sigs = SigSet::empty();
    for s in [
        Signal::SIGINT,
        Signal::SIGQUIT,
        Signal::SIGHUP,
        Signal::SIGTERM,
        Signal::SIGPIPE,
    ] {
        sigs.add(s);
    }
    let _ = pthread_sigmask(SigmaskHow::SIG_BLOCK, Some(&sigs), None);
    sigs
}
