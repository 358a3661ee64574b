//! `casebook lot void` and `casebook claim void`: voiding a lot or a claim
//! entered wrongly. (A draft audit's evidence and findings are voided with
//! `casebook audit void-evidence` / `void-finding`.)

use std::process::ExitCode;

use clap::Subcommand;

use super::Context;
use crate::error::Result;
use crate::store::OpenMode;

#[derive(Debug, Subcommand)]
pub enum LotCommand {
    /// Void a lot entered wrongly: it stays on file, marked, and counts in no statistic, chart or verdict.
    Void {
        #[arg(long, value_name = "CODE")]
        supplier: String,
        #[arg(long, value_name = "LOT")]
        lot: String,
        /// Why it is voided (recorded with who and when).
        #[arg(long)]
        reason: String,
    },
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
}

pub fn lot(ctx: &Context, command: &LotCommand) -> Result<ExitCode> {
    let LotCommand::Void { supplier, lot, reason } = command;
    let mut store = ctx.open(OpenMode::Existing)?;
    let w = store.begin(&ctx.actor)?;
    let id = w.read().require_supplier(supplier)?;
    w.void_lot(id, lot, reason)?;
    w.commit()?;
    outln!("lot {lot} of {supplier} voided: it stays on file and counts in no statistic, chart or verdict");
    Ok(ExitCode::SUCCESS)
}

pub fn claim(ctx: &Context, command: &ClaimCommand) -> Result<ExitCode> {
    let ClaimCommand::Void { supplier, claim, reason } = command;
    let mut store = ctx.open(OpenMode::Existing)?;
    let w = store.begin(&ctx.actor)?;
    let id = w.read().require_supplier(supplier)?;
    w.void_claim(id, *claim, reason)?;
    w.commit()?;
    outln!("claim {claim} of {supplier} voided: it stays on file and counts in no verdict");
    Ok(ExitCode::SUCCESS)
}
