//! Client-side program resolution for `bind_program`, as upstream does it:
//! a name containing '/' (or an empty PATH) must exist and be
//! owner-executable; otherwise every PATH element is tried in order.

use crate::errno::{Error, Result};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// Returns the path to send to the IRMd for `prog`.
pub fn resolve_program(prog: &str) -> Result<String> {
    let path = std::env::var("PATH").ok();
    resolve_in(prog, path.as_deref())
}

fn check(p: &Path) -> Result<()> {
    let meta = std::fs::metadata(p).map_err(|_| Error::NoEnt)?;
    if meta.permissions().mode() & 0o100 == 0 {
        return Err(Error::Perm);
    }
    Ok(())
}

fn resolve_in(prog: &str, path: Option<&str>) -> Result<String> {
    // without PATH upstream gives up, even for a path with a '/'
    let Some(path) = path else {
        return Err(Error::NoEnt);
    };
    if prog.contains('/') || path.is_empty() {
        check(Path::new(prog))?;
        return Ok(prog.to_string());
    }
    let mut err = Error::NoEnt;
    for dir in path.split(':') {
        if !dir.starts_with('/') {
            return Err(Error::Inval);
        }
        let cand = Path::new(dir).join(prog);
        match check(&cand) {
            Ok(()) => return Ok(cand.to_string_lossy().into_owned()),
            Err(Error::Perm) => err = Error::Perm,
            Err(_) => {}
        }
    }
    Err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_like_upstream() {
        assert_eq!(
            resolve_in("sh", Some("/nonexistent:/bin")).unwrap(),
            "/bin/sh"
        );
        assert_eq!(resolve_in("/bin/sh", Some("")).unwrap(), "/bin/sh");
        assert_eq!(
            resolve_in("no-such-prog-x", Some("/bin")),
            Err(Error::NoEnt)
        );
        assert_eq!(resolve_in("sh", Some("bin")), Err(Error::Inval));
        let f = std::env::temp_dir().join(format!("o7s-noexec-{}", std::process::id()));
        std::fs::write(&f, b"x").unwrap();
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(
            resolve_in(f.to_str().unwrap(), Some("/bin")),
            Err(Error::Perm)
        );
        std::fs::remove_file(&f).unwrap();
        assert_eq!(resolve_in("sh", None), Err(Error::NoEnt));
        assert_eq!(resolve_in("/bin/sh", None), Err(Error::NoEnt));
    }
}
