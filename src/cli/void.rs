//! `casebook lot void` and `casebook claim void`: voiding a lot or a claim
//! entered wrongly (`lot void` sits beside `lot annotate` in `cli::control`). (A draft audit's evidence and findings are voided with
//! `casebook audit void-evidence` / `void-finding`.) Also `casebook claim
//! retire`, the claim's one mutable field.

use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Args, Subcommand};

use super::Context;
use crate::error::Result;
use crate::store::OpenMode;

/// `casebook lot void` (a subcommand of `lot`, beside `annotate`).
#[derive(Debug, Args)]
pub struct VoidLotArgs {
    #[arg(long, value_name = "CODE")]
    supplier: String,
    #[arg(long, value_name = "LOT")]
    lot: String,
    /// Why it is voided (recorded with who and when).
    #[arg(long)]
    reason: String,
}

#[derive(Debug, Subcommand)]
pub enum ClaimCommand {
    /// Void a claim entered wrongly (its number is shown by `casebook explain CODE`).
    Void {
        #[arg(long, value_name = "CODE")]
        supplier: String,
        /// The claim's number.
        claim: i64,
        /// Why it is voided (recorded with who and when).
        #[arg(long)]
        reason: String,
    },
    /// Retire a claim (no longer in force from that day), or move its retirement to another day.
    Retire {
        #[arg(long, value_name = "CODE")]
        supplier: String,
        /// The claim's number (shown by `casebook explain CODE`).
        claim: i64,
        /// The day it is retired on (default: --as-of, else today).
        #[arg(long, value_name = "DATE")]
        on: Option<NaiveDate>,
    },
}

pub fn lot(ctx: &Context, args: &VoidLotArgs) -> Result<ExitCode> {
    let VoidLotArgs { supplier, lot, reason } = args;
    let mut store = ctx.open(OpenMode::Existing)?;
    let w = store.begin(&ctx.actor)?;
    let id = w.read().require_supplier(supplier)?;
    w.void_lot(id, lot, reason)?;
    w.commit()?;
    outln!("lot {lot} of {supplier} voided: it stays on file and counts in no statistic, chart or verdict");
    Ok(ExitCode::SUCCESS)
}

pub fn claim(ctx: &Context, command: &ClaimCommand) -> Result<ExitCode> {
    let (supplier, claim, reason) = match command {
        ClaimCommand::Void { supplier, claim, reason } => (supplier, claim, reason),
        ClaimCommand::Retire { supplier, claim, on } => return retire(ctx, supplier, *claim, on.unwrap_or(ctx.as_of)),
    };
    let mut store = ctx.open(OpenMode::Existing)?;
    let w = store.begin(&ctx.actor)?;
    let id = w.read().require_supplier(supplier)?;
    w.void_claim(id, *claim, reason)?;
    w.commit()?;
    outln!("claim {claim} of {supplier} voided: it stays on file and counts in no verdict");
    Ok(ExitCode::SUCCESS)
}

/// A retired claim retired again on another day: the retirement moves (an
/// edit, in the history with who and when); on the same day, nothing changes.
fn retire(ctx: &Context, supplier: &str, claim: i64, on: NaiveDate) -> Result<ExitCode> {
    let mut store = ctx.open(OpenMode::Existing)?;
    let w = store.begin(&ctx.actor)?;
    let id = w.read().require_supplier(supplier)?;
    let before = w.retire_claim(id, claim, on)?;
    w.commit()?;
    match before {
        None => outln!(
            "claim {claim} of {supplier} retired on {on}: it stays on file and is no longer in force from that day"
        ),
        Some(day) if day == on => outln!("claim {claim} of {supplier} was retired on {on} already: nothing changed"),
        Some(day) => outln!("claim {claim} of {supplier}: retirement moved from {day} to {on}"),
    }
    Ok(ExitCode::SUCCESS)
}
