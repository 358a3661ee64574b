//! Shared by the hub tests: a fresh PostgreSQL database per test on the
//! throw-away cluster that `.ci/pg-cluster start` makes (its superuser URL in
//! `CASEBOOK_TEST_PG`), with the test's own logins, so tests run in
//! parallel. Without `CASEBOOK_TEST_PG` a hub test fails, unless
//! `CASEBOOK_SKIP_PG=1` says to skip it.
//!
//! Each test database gets an owner login (with CREATEROLE, as a hub's
//! administrator has) and any number of member logins with passwords;
//! everything is dropped when the `TestHub` goes away.

#![allow(dead_code)] // each test crate uses a different subset

use std::sync::atomic::{AtomicU32, Ordering};

use postgres::config::Host;
use postgres::{Client, Config, NoTls};

/// The cluster's superuser configuration, or `None` to skip the test.
pub fn cluster() -> Option<Config> {
    match std::env::var("CASEBOOK_TEST_PG") {
        Ok(url) if !url.is_empty() => Some(url.parse().expect("CASEBOOK_TEST_PG is a PostgreSQL URL")),
        _ if std::env::var_os("CASEBOOK_SKIP_PG").is_some_and(|v| v == "1") => {
            eprintln!("no PostgreSQL (CASEBOOK_TEST_PG unset); skipped because CASEBOOK_SKIP_PG=1");
            None
        }
        _ => panic!(
            "this test needs a PostgreSQL server: export CASEBOOK_TEST_PG=$(.ci/pg-cluster start) \
             (a superuser URL), or set CASEBOOK_SKIP_PG=1 to skip it"
        ),
    }
}

/// Starts a hub test: returns `None` (after saying so) when it is to be skipped.
macro_rules! test_hub {
    () => {
        match hub_support::TestHub::new() {
            Some(hub) => hub,
            None => return,
        }
    };
}
pub(crate) use test_hub;

/// One test's database on the cluster, its owner and its member logins.
pub struct TestHub {
    superuser: Config,
    pub db: String,
    pub prefix: String,
    logins: Vec<String>,
}

pub const PASSWORD: &str = "pw-for-tests";

impl TestHub {
    pub fn new() -> Option<Self> {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let superuser = cluster()?;
        let prefix = format!("t{}_{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
        let db = format!("{prefix}_hub");
        let owner = format!("{prefix}_owner");
        let mut su = superuser.connect(NoTls).expect("connect to the test cluster as its superuser");
        su.batch_execute(&format!("CREATE ROLE {owner} LOGIN CREATEROLE PASSWORD '{PASSWORD}'"))
            .expect("create the test database's owner");
        su.batch_execute(&format!("CREATE DATABASE {db} OWNER {owner}")).expect("create the test database");
        Some(Self { superuser, db, prefix, logins: vec![owner] })
    }

    /// The owner login (the hub's administrator).
    pub fn owner(&self) -> String {
        format!("{}_owner", self.prefix)
    }

    /// A new login of this test, member of `roles` (which must exist: run
    /// `hub init` first). Returns its name.
    pub fn add_login(&mut self, name: &str, roles: &[&str]) -> String {
        let login = format!("{}_{name}", self.prefix);
        let mut su = self.superuser_client("postgres");
        su.batch_execute(&format!("CREATE ROLE {login} LOGIN PASSWORD '{PASSWORD}'")).expect("create login");
        for role in roles {
            su.batch_execute(&format!("GRANT {role} TO {login}")).expect("grant role");
        }
        self.logins.push(login.clone());
        login
    }

    /// The URL a login uses for this test's database (no password in it).
    pub fn url(&self, login: &str) -> String {
        match self.superuser.get_hosts().first() {
            Some(Host::Unix(dir)) => {
                format!("postgresql://{login}@/{}?host={}&port={}", self.db, dir.display(), self.port())
            }
            Some(Host::Tcp(host)) => format!("postgresql://{login}@{host}:{}/{}", self.port(), self.db),
            None => format!("postgresql://{login}@/{}", self.db),
        }
    }

    fn port(&self) -> u16 {
        self.superuser.get_ports().first().copied().unwrap_or(5432)
    }

    /// A connection as `login` (with the tests' password).
    pub fn client(&self, login: &str) -> Client {
        let mut config: Config = self.url(login).parse().expect("test URL");
        config.password(PASSWORD);
        config.connect(NoTls).unwrap_or_else(|e| panic!("connect as {login}: {e}"))
    }

    /// A superuser connection to `db` (the test database unless told).
    pub fn superuser_client(&self, db: &str) -> Client {
        let mut config = self.superuser.clone();
        config.dbname(db);
        config.connect(NoTls).expect("connect as the superuser")
    }

    /// A superuser connection to this test's database.
    pub fn superuser(&self) -> Client {
        self.superuser_client(&self.db.clone())
    }
}

impl Drop for TestHub {
    fn drop(&mut self) {
        let Ok(mut su) = self.superuser_client_result() else { return };
        let _ = su.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.db));
        for login in self.logins.iter().rev() {
            let _ = su.batch_execute(&format!("DROP ROLE IF EXISTS {login}"));
        }
    }
}

impl TestHub {
    fn superuser_client_result(&self) -> Result<Client, postgres::Error> {
        let mut config = self.superuser.clone();
        config.dbname("postgres");
        config.connect(NoTls)
    }
}

/// The SQLSTATE of a failed statement (`None` when it succeeded).
pub fn sqlstate<T>(result: Result<T, postgres::Error>) -> Option<String> {
    result.err().map(|e| e.as_db_error().map_or_else(|| format!("client: {e}"), |db| db.code().code().to_owned()))
}
