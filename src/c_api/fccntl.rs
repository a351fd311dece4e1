//! `fccntl.h`: flow flags, FRCT flags and `fccntl` commands.

pub const FLOWFRDONLY: u32 = 0o0;
pub const FLOWFWRONLY: u32 = 0o1;
pub const FLOWFRDWR: u32 = 0o2;
pub const FLOWFACCMODE: u32 = 0o3;
pub const FLOWFDOWN: u32 = 0o4;
pub const FLOWFRNOBLOCK: u32 = 0o1000;
pub const FLOWFWNOBLOCK: u32 = 0o2000;
pub const FLOWFNONBLOCK: u32 = FLOWFRNOBLOCK | FLOWFWNOBLOCK;
pub const FLOWFRNOPART: u32 = 0o10000;
pub const FLOWFWNOPART: u32 = 0o20000;
pub const FLOWFDEFAULT: u32 = FLOWFRDWR | FLOWFWNOPART;
pub const FLOWFINVALID: u32 = FLOWFWRONLY | FLOWFRDWR;

pub const FRCTFRTX: u32 = 0o1;
pub const FRCTFRESCNTL: u32 = 0o2;
pub const FRCTFLINGER: u32 = 0o4;

pub const FLOWSRCVTIMEO: i32 = 0o1;
pub const FLOWGRCVTIMEO: i32 = 0o2;
pub const FLOWSSNDTIMEO: i32 = 0o3;
pub const FLOWGSNDTIMEO: i32 = 0o4;
pub const FLOWGQOSSPEC: i32 = 0o5;
pub const FLOWSFLAGS: i32 = 0o6;
pub const FLOWGFLAGS: i32 = 0o7;
pub const FLOWGRXQLEN: i32 = 0o10;
pub const FLOWGTXQLEN: i32 = 0o11;
pub const FRCTSFLAGS: i32 = 0o1000;
pub const FRCTGFLAGS: i32 = 0o2000;
