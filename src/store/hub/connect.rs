//! Where the hub is and how to log in, as libpq would work it out: a
//! `postgresql://` URL (or `key=value` string), the defaults libpq takes from
//! `PGHOST`, `PGPORT`, `PGUSER` and `PGDATABASE`, and the password from the
//! URL, else `PGPASSWORD`, else the password file (`PGPASSFILE`, by default
//! `~/.pgpass`, ignored when others can read it). casebook never stores a
//! password: `hub set` refuses a URL that carries one.

use std::path::{Path, PathBuf};
use std::time::Duration;

use postgres::Config;
use postgres::config::Host;

use crate::error::{Error, Result};

/// libpq's default Unix-socket directory on Debian, and its default port.
const DEFAULT_SOCKET_DIR: &str = "/var/run/postgresql";
const DEFAULT_PORT: u16 = 5432;

/// A hub's address, parsed, with libpq's defaults filled in.
#[derive(Clone)]
pub struct HubUrl {
    text: String,
    config: Config,
}

impl std::fmt::Debug for HubUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("HubUrl").field(&self.shown()).finish()
    }
}

impl HubUrl {
    /// Parses `text`; `env` gives the environment variables (the process's
    /// in real use).
    pub fn parse_with(text: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<Self> {
        let mut config: Config = text.parse().map_err(|e| {
            Error::Invalid(format!(
                "{}: not a PostgreSQL connection URL ({e}); expected e.g. \
                 postgresql://lin.wei@hub.example.com/casebook",
                redact(text)
            ))
        })?;
        if config.get_hosts().is_empty() {
            let host = env("PGHOST").unwrap_or_else(|| DEFAULT_SOCKET_DIR.to_owned());
            config.host(&host);
        }
        if config.get_ports().is_empty() {
            let port = env("PGPORT").and_then(|p| p.parse().ok()).unwrap_or(DEFAULT_PORT);
            config.port(port);
        }
        if config.get_user().is_none() {
            let user = env("PGUSER")
                .or_else(|| env("USER"))
                .ok_or_else(|| Error::Invalid(format!("{}: no user name in the URL, PGUSER or USER", redact(text))))?;
            config.user(&user);
        }
        if config.get_dbname().is_none()
            && let Some(db) = env("PGDATABASE")
        {
            config.dbname(&db);
        }
        if config.get_application_name().is_none() {
            config.application_name("casebook");
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(15));
        }
        config.keepalives_idle(Duration::from_secs(30));
        Ok(Self { text: text.to_owned(), config })
    }

    pub fn parse(text: &str) -> Result<Self> {
        Self::parse_with(text, &|name| std::env::var(name).ok())
    }

    /// Whether the URL itself carries a password (never stored by casebook).
    pub fn has_password(&self) -> bool {
        self.config.get_password().is_some()
    }

    /// The URL as casebook stores it, or an error when it carries a
    /// password (casebook never stores one).
    pub fn storable(&self) -> Result<String> {
        if self.has_password() {
            return Err(Error::Invalid(format!(
                "{}: the URL carries a password, and casebook never stores one; give the URL without it and put \
                 the password in ~/.pgpass (or PGPASSWORD); nothing was changed",
                self.shown()
            )));
        }
        Ok(self.text.clone())
    }

    /// The URL as given, any password replaced by `***`: safe to print and
    /// to store.
    pub fn shown(&self) -> String {
        redact(&self.text)
    }

    pub fn user(&self) -> &str {
        self.config.get_user().unwrap_or_default()
    }

    /// The database name (the user name when none is given, as the server
    /// defaults it).
    pub fn dbname(&self) -> &str {
        self.config.get_dbname().unwrap_or_else(|| self.user())
    }

    /// The first host: a name, an address, or a socket directory.
    pub fn host(&self) -> String {
        match self.config.get_hosts().first() {
            Some(Host::Tcp(name)) => name.clone(),
            Some(Host::Unix(dir)) => dir.display().to_string(),
            None => DEFAULT_SOCKET_DIR.to_owned(),
        }
    }

    pub fn port(&self) -> u16 {
        self.config.get_ports().first().copied().unwrap_or(DEFAULT_PORT)
    }

    /// The configuration to connect with, the password looked up as libpq
    /// does when the URL has none.
    pub(super) fn config_with(&self, env: &dyn Fn(&str) -> Option<String>) -> Config {
        let mut config = self.config.clone();
        if config.get_password().is_none()
            && let Some(password) = self.password_from(env)
        {
            config.password(password);
        }
        config
    }

    fn password_from(&self, env: &dyn Fn(&str) -> Option<String>) -> Option<String> {
        if let Some(password) = env("PGPASSWORD") {
            return Some(password);
        }
        let file = env("PGPASSFILE")
            .map(PathBuf::from)
            .or_else(|| env("HOME").map(|home| Path::new(&home).join(".pgpass")))?;
        let text = read_passfile(&file)?;
        let host = match self.config.get_hosts().first() {
            // libpq looks up `localhost` for its default socket directory.
            Some(Host::Unix(dir)) if dir == Path::new(DEFAULT_SOCKET_DIR) => "localhost".to_owned(),
            _ => self.host(),
        };
        passfile_lookup(&text, &host, &self.port().to_string(), self.dbname(), self.user())
    }
}

/// The password file's text, or `None` when it is missing, not a plain file,
/// or readable by others (libpq warns and ignores it then; so does casebook).
fn read_passfile(path: &Path) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o077 != 0 {
            eprintln!(
                "casebook: warning: password file {} has group or world access; permissions should be u=rw \
                 (0600) or less; it is ignored",
                path.display()
            );
            return None;
        }
    }
    std::fs::read_to_string(path).ok()
}

/// The password of the first line of a password file that matches, as
/// libpq reads it: `hostname:port:database:username:password`, `*` matching
/// anything, `\` escaping `:` and `\`, lines starting with `#` ignored.
pub fn passfile_lookup(text: &str, host: &str, port: &str, db: &str, user: &str) -> Option<String> {
    text.lines().filter(|line| !line.starts_with('#') && !line.trim().is_empty()).find_map(|line| {
        let fields = split_passfile_line(line)?;
        let wanted = [host, port, db, user];
        let matches = fields.iter().zip(wanted).all(|(field, value)| field == "*" || field == value);
        matches.then(|| fields[4].clone())
    })
}

/// The five fields of one line, unescaped; `None` for a line with fewer.
fn split_passfile_line(line: &str) -> Option<[String; 5]> {
    let mut fields: Vec<String> = vec![String::new()];
    let mut chars = line.trim_end_matches('\r').chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next() {
                    fields.last_mut()?.push(next);
                }
            }
            // Everything after the fourth colon is the password.
            ':' if fields.len() < 5 => fields.push(String::new()),
            _ => fields.last_mut()?.push(c),
        }
    }
    fields.try_into().ok()
}

/// `text` with the password of a URL (`user:password@`) or a `password=`
/// pair replaced by `***`.
pub fn redact(text: &str) -> String {
    if let Some(rest) = text.strip_prefix("postgresql://").or_else(|| text.strip_prefix("postgres://")) {
        let scheme = &text[..text.len() - rest.len()];
        let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(authority_end);
        let authority = match authority.rfind('@') {
            Some(at) => {
                let (userinfo, host) = authority.split_at(at);
                match userinfo.split_once(':') {
                    Some((user, _)) => format!("{user}:***{host}"),
                    None => authority.to_owned(),
                }
            }
            None => authority.to_owned(),
        };
        return format!("{scheme}{authority}{}", redact_query(tail));
    }
    redact_pairs(text)
}

fn redact_query(tail: &str) -> String {
    let Some((path, query)) = tail.split_once('?') else { return tail.to_owned() };
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| if pair.starts_with("password=") { "password=***".to_owned() } else { pair.to_owned() })
        .collect();
    format!("{path}?{}", pairs.join("&"))
}

fn redact_pairs(text: &str) -> String {
    let words: Vec<String> = text
        .split_whitespace()
        .map(|w| if w.starts_with("password=") { "password=***".to_owned() } else { w.to_owned() })
        .collect();
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_owned())
    }

    #[test]
    fn passfile_first_match_wins_with_wildcards_and_escapes() {
        let file = "# comment\n\
                    other:5432:*:*:nope\n\
                    hub.example.com:5432:casebook:lin.wei:first\\:half\\\\done\n\
                    *:*:*:lin.wei:fallback\n";
        let got = passfile_lookup(file, "hub.example.com", "5432", "casebook", "lin.wei");
        assert_eq!(got.as_deref(), Some("first:half\\done"));
        let got = passfile_lookup(file, "elsewhere", "6432", "x", "lin.wei");
        assert_eq!(got.as_deref(), Some("fallback"));
        assert_eq!(passfile_lookup(file, "elsewhere", "6432", "x", "someone"), None);
    }

    #[test]
    fn passfile_lines_with_too_few_fields_are_skipped() {
        let file = "a:b:c\n*:*:*:*:ok:with:colons\n";
        assert_eq!(passfile_lookup(file, "h", "1", "d", "u").as_deref(), Some("ok:with:colons"));
    }

    #[test]
    fn urls_are_shown_without_their_password() {
        assert_eq!(
            redact("postgresql://lin:s3cret@hub:5432/db?sslmode=require"),
            "postgresql://lin:***@hub:5432/db?sslmode=require"
        );
        assert_eq!(
            redact("postgresql://lin@hub/db?password=x&host=/tmp"),
            "postgresql://lin@hub/db?password=***&host=/tmp"
        );
        assert_eq!(redact("host=/tmp user=a password=b dbname=c"), "host=/tmp user=a password=*** dbname=c");
        assert_eq!(redact("postgresql://hub/db"), "postgresql://hub/db");
    }

    #[test]
    fn defaults_come_from_the_environment_as_in_libpq() {
        let url = HubUrl::parse_with("postgresql:///teamdb", &env_of(&[("PGUSER", "qa1"), ("PGPORT", "6543")]))
            .expect("parses");
        assert_eq!((url.user(), url.dbname(), url.port()), ("qa1", "teamdb", 6543));
        assert_eq!(url.host(), DEFAULT_SOCKET_DIR);
        assert!(!url.has_password());
        let url = HubUrl::parse_with("postgresql://a:pw@h/d", &env_of(&[])).expect("parses");
        assert!(url.has_password());
        assert_eq!(url.shown(), "postgresql://a:***@h/d");
    }

    #[test]
    fn pgpassword_comes_before_the_password_file() {
        let url = HubUrl::parse_with("postgresql://a@h/d", &env_of(&[])).expect("parses");
        let config = url.config_with(&env_of(&[("PGPASSWORD", "from-env"), ("PGPASSFILE", "/nonexistent")]));
        assert_eq!(config.get_password(), Some(&b"from-env"[..]));
        let config = url.config_with(&env_of(&[("PGPASSFILE", "/nonexistent")]));
        assert_eq!(config.get_password(), None);
    }

    #[test]
    fn a_password_file_others_can_read_is_ignored() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("dir");
        let file = dir.path().join("pgpass");
        std::fs::write(&file, "*:*:*:*:secret\n").expect("write");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        assert_eq!(read_passfile(&file).as_deref(), Some("*:*:*:*:secret\n"));
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        assert_eq!(read_passfile(&file), None);
    }

    #[test]
    fn bad_urls_are_refused_without_echoing_the_password() {
        let err = HubUrl::parse_with("postgresql://a:topsecret@h:notaport/d", &env_of(&[])).expect_err("refused");
        let text = err.to_string();
        assert!(text.contains("not a PostgreSQL connection URL"), "{text}");
        assert!(!text.contains("topsecret"), "{text}");
    }
}
