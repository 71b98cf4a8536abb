//! The one home of Keyless' version string, shown by the playground's
//! footer, written into permalinks and exported scenarios, and returned by
//! `keyless eval` as `"version"`, so a result can be traced to the engine
//! that produced it.
//!
//! [`VERSION`] is the crate version, followed by `+` and the short commit
//! when the build says which commit it is: `cargo xtask dist` (and any build
//! run with `KEYLESS_VERSION=$(cargo xtask version)`) sets
//! `KEYLESS_VERSION` from `git rev-parse --short HEAD`. A build without git
//! (a crates.io install, a source tarball) or without that variable gets
//! the crate version alone. Nothing here reads a file or runs a command:
//! the core stays pure and builds anywhere.

/// `0.1.0+1a2b3c4` (with the commit) or `0.1.0` (without).
pub const VERSION: &str = match option_env!("KEYLESS_VERSION") {
    Some(v) => v,
    None => env!("CARGO_PKG_VERSION"),
};

/// How a scenario the playground writes (an export, a permalink) begins:
/// a YAML comment, so the scenario format and `keyless eval` are unchanged.
const STAMP_PREFIX: &str = "# Made with Keyless ";

/// The first line of a scenario this build writes, newline included.
pub fn scenario_stamp() -> String {
    format!("{STAMP_PREFIX}{VERSION}\n")
}

/// The version a scenario text says it was made with (its first line, as
/// [`scenario_stamp`] writes it), or `None` when it says nothing (typed by
/// hand, or made before versions were recorded).
pub fn stamped_version(text: &str) -> Option<&str> {
    let first = text.lines().next()?;
    let version = first.strip_prefix(STAMP_PREFIX)?.trim();
    (!version.is_empty() && !version.contains(char::is_whitespace)).then_some(version)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_is_the_crate_version_with_an_optional_commit() {
        let package = env!("CARGO_PKG_VERSION");
        match VERSION.strip_prefix(package) {
            Some("") => {}
            Some(rest) => {
                let commit = rest.strip_prefix('+').unwrap_or_default();
                assert!(!commit.is_empty() && commit.chars().all(|c| c.is_ascii_hexdigit()), "{VERSION}");
            }
            None => assert_eq!(VERSION, package, "KEYLESS_VERSION must start with the crate version"),
        }
    }

    #[test]
    fn a_stamped_scenario_says_its_version() {
        let text = format!("{}repository: a/b\n", scenario_stamp());
        assert_eq!(stamped_version(&text), Some(VERSION));
        assert_eq!(stamped_version("# Made with Keyless 0.0.9+abc\nrepository: a/b\n"), Some("0.0.9+abc"));
    }

    #[test]
    fn an_unstamped_scenario_says_nothing() {
        assert_eq!(stamped_version(""), None);
        assert_eq!(stamped_version("repository: a/b\n# Made with Keyless 1.0.0\n"), None);
        assert_eq!(stamped_version("# Made with Keyless \nrepository: a/b\n"), None);
        assert_eq!(stamped_version("# Made with Keyless two words\n"), None);
    }

    #[test]
    fn the_stamp_is_a_yaml_comment() {
        let text = format!("{}repository: a/b\n", scenario_stamp());
        let (draft, problems) = crate::draft::ScenarioDraft::from_yaml(&text);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(draft.to_yaml(), crate::draft::ScenarioDraft::from_yaml("repository: a/b\n").0.to_yaml());
    }
}
