//! `casebook hub init|set|status|hand-over`: the team hub (PostgreSQL) from the
//! command line. `init` is for the hub's administrator; `set` and `status`
//! for every laptop.

use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::Context;
use super::output::{Format, print_json};
use crate::error::Result;
use crate::store::OpenMode;
use crate::store::hub::{Hub, HubUrl, Login};

#[derive(Debug, Subcommand)]
pub enum HubCommand {
    /// Create casebook's schema and roles in an empty PostgreSQL database, or bring a hub up to date.
    Init(UrlArg),
    /// Remember the hub this database syncs with (checked first; the password is never stored).
    Set(UrlArg),
    /// The hub this database syncs with, the last sync, and changes not yet on the hub.
    Status(StatusArgs),
    /// Let another auditor's login push under a draft you pushed first to the hub (a hand-over).
    #[command(name = "hand-over")]
    HandOver(HandOverArgs),
}

#[derive(Debug, Args)]
pub struct HandOverArgs {
    /// The draft's reference, e.g. `A-2026-K7Q-042`.
    pub reference: String,
    /// The hub login of the auditor who takes it over, e.g. `ana_ruiz`.
    pub login: String,
}

#[derive(Debug, Args)]
pub struct UrlArg {
    /// The hub's URL, e.g. `postgresql://lin.wei@hub.example.com/casebook` (password from `PGPASSWORD` or `~/.pgpass`).
    pub url: String,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// `json` for scripts.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

pub fn run(ctx: &Context, command: HubCommand) -> Result<ExitCode> {
    match command {
        HubCommand::Init(args) => init(&args.url),
        HubCommand::Set(args) => set(ctx, &args.url),
        HubCommand::Status(args) => status(ctx, args.format),
        HubCommand::HandOver(args) => hand_over(ctx, &args),
    }
}

fn hand_over(ctx: &Context, args: &HandOverArgs) -> Result<ExitCode> {
    let store = ctx.open(OpenMode::Existing)?;
    let (url, added) = crate::workflow::hand_over(&store, &args.reference, &args.login)?;
    let what = if added { "handed over" } else { "already handed over" };
    outln!("{}: draft {} {what} to {}; that login now pushes under it too", url.shown(), args.reference, args.login);
    Ok(ExitCode::SUCCESS)
}

fn init(url: &str) -> Result<ExitCode> {
    let url = HubUrl::parse(url)?;
    let mut hub = Hub::connect(&url)?;
    let outcome = hub.init()?;
    let info = hub.info()?;
    let what = match outcome.from {
        None => format!("hub created (hub schema version {}, hub {})", outcome.to, info.hub_id),
        Some(v) if v < outcome.to => format!("hub brought up to date (hub schema version {v} → {})", outcome.to),
        Some(v) => format!("hub already up to date (hub schema version {v}); nothing changed"),
    };
    outln!("{}: {what}", url.shown());
    if !outcome.roles_created.is_empty() {
        outln!("roles created: {}", outcome.roles_created.join(", "));
    }
    outln!(
        "give each member a login in one role, e.g.: CREATE ROLE lin_wei LOGIN PASSWORD '…' IN ROLE casebook_auditor"
    );
    Ok(ExitCode::SUCCESS)
}

fn set(ctx: &Context, url: &str) -> Result<ExitCode> {
    let url = HubUrl::parse(url)?;
    let mut store = ctx.open(OpenMode::Existing)?;
    let (info, login) = crate::workflow::set_hub(&mut store, &url, &ctx.actor)?;
    outln!("hub set: {} (hub {}; you are {})", url.shown(), info.hub_id, describe(&login));
    Ok(ExitCode::SUCCESS)
}

fn status(ctx: &Context, format: Format) -> Result<ExitCode> {
    let store = ctx.open(OpenMode::Existing)?;
    let status = crate::workflow::hub_status(&store)?;
    if format == Format::Json {
        print_json(&status)?;
        return Ok(ExitCode::SUCCESS);
    }
    let Some(link) = &status.link else {
        outln!("no hub set for this database; `casebook hub set URL` remembers one");
        return Ok(ExitCode::SUCCESS);
    };
    outln!("hub: {} (set {} by {})", link.url, link.set_at, link.set_by);
    let last = status.state.as_ref().and_then(|s| s.synced_at.as_deref()).unwrap_or("never");
    outln!("last sync: {last}");
    outln!("changes here not yet on the hub: {}", status.unsynced);
    match &status.reached {
        Ok(login) => outln!("reachable: you are {}", describe(login)),
        Err(why) => outln!("not reachable now: {why}"),
    }
    Ok(ExitCode::SUCCESS)
}

fn describe(login: &Login) -> String {
    let mut roles = login.roles.clone();
    if login.owner {
        roles.push("owner".to_owned());
    }
    if roles.is_empty() {
        format!("{}, with no casebook role (read only at most)", login.login)
    } else {
        format!("{} ({})", login.login, roles.join(", "))
    }
}
