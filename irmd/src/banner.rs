//! The start-up banner printed with `--stdout` (same bytes as upstream).

#[cfg(test)]
const B: &str = "\x1b[38;5;4m";
#[cfg(test)]
const G: &str = "\x1b[38;5;8m";
#[cfg(test)]
const RST: &str = "\x1b[0m";

/// Kept byte for byte: it is output that users and scripts see.
pub const ART: &str = concat!(
    "\x1b[0m\n",
    "\x1b[38;5;4m    ▄▄█████▄▄▄                                                   \n",
    "\x1b[38;5;4m  ▄█▀▀     ▀▀███▄  \x1b[38;5;8m                █                       \n",
    "\x1b[38;5;4m ██    ▄▄▄   ▄███▄ \x1b[38;5;8m▄  ▄  ▄ ▄   ▄▄  █▄▄   ▄▄  ▄ ▄   ▄▄   ▄▄ \n",
    "\x1b[38;5;4m ██   █   █  █████ \x1b[38;5;8m█  █  █▀ ▀ █  █ █  █ █  █ █▀ ▀ █  █ ▀▄ ▀\n",
    "\x1b[38;5;4m ██   ▀▄▄▄▀   ▀█▀  \x1b[38;5;8m█  █  █    █  █ █  █ █  █ █    █  █ ▄ ▀▄\n",
    "\x1b[38;5;4m  █▄          █    \x1b[38;5;8m ▀▀ ▀ ▀     ▀▀  ▀▀▀   ▀▀  ▀     ▀▀   ▀▀ \n",
    "\x1b[38;5;4m   ▀█▄▄▄▄▄▄▄▄▀                                                   \n",
    "\x1b[38;5;4m     ▀▀▀▀▀▀                                                      \n",
    "\x1b[0m\n",
);

#[cfg(test)]
mod tests {
    #[test]
    fn colours_are_the_declared_ones() {
        assert!(super::ART.starts_with(super::RST));
        assert_eq!(super::ART.matches(super::B).count(), 8);
        assert_eq!(super::ART.matches(super::G).count(), 5);
    }
}
