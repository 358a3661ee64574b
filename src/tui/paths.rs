//! Paths typed in the UI: `~` stands for the home directory, as in a shell.

use std::path::PathBuf;

/// `~` or `~/…` expanded to the home directory; anything else as typed.
pub fn expand(typed: &str) -> PathBuf {
    let home = || dirs::home_dir().unwrap_or_else(|| PathBuf::from("~"));
    match typed.strip_prefix('~') {
        Some("") => home(),
        Some(rest) if rest.starts_with('/') => home().join(rest.trim_start_matches('/')),
        _ => PathBuf::from(typed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tilde_is_the_home_directory() {
        let home = dirs::home_dir().unwrap();
        assert_eq!(expand("~"), home);
        assert_eq!(expand("~/lots.csv"), home.join("lots.csv"));
        assert_eq!(expand("~other/x"), PathBuf::from("~other/x"));
        assert_eq!(expand("/tmp/x.csv"), PathBuf::from("/tmp/x.csv"));
        assert_eq!(expand("x.csv"), PathBuf::from("x.csv"));
    }
}
