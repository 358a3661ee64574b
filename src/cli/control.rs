//! `casebook lot annotate|annotations` and `casebook plan
//! freeze|unfreeze|list`: what a QA lead records about a control chart.
//!
//! An annotation names the assignable cause found for a lot, the action
//! taken, and whether the lot is left out of the limits (`--exclude`) or
//! back in them (`--include`; without either the lot keeps its state). A
//! plan freezes the limits of a supplier's lots (optionally one process and
//! / or material) from a baseline period; later charts of exactly that
//! scope are judged against them. Both take effect on the as-of day and are
//! recorded in the supplier's history.

use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Args, Subcommand};
use serde::Serialize;

use super::output::{Format, Table, print_json};
use super::{Context, parse_day};
use crate::error::{Error, Result};
use crate::exchange::validate;
use crate::model::{ControlPlan, PlanScope, Process};
use crate::store::{OpenMode, SupplierId};
use crate::workflow::{self, Exclusion, FreezeRequest};

/// Longest cause or action, in characters (the schema's bound).
pub const NOTE_MAX: usize = 500;

#[derive(Debug, Subcommand)]
pub enum LotCommand {
    /// Record the assignable cause of a lot, the action taken, and whether it leaves the limits.
    Annotate(AnnotateArgs),
    /// The annotations in force for a supplier's lots.
    Annotations {
        #[arg(long, value_name = "CODE")]
        supplier: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Void a lot entered wrongly: it stays on file, marked, and counts in no statistic, chart or verdict.
    Void(super::void::VoidLotArgs),
}

#[derive(Debug, Args)]
pub struct AnnotateArgs {
    #[arg(long, value_name = "CODE")]
    pub supplier: String,
    /// The lot code.
    #[arg(long, value_name = "LOT")]
    pub lot: String,
    /// What caused the lot to differ (e.g. "new resin batch, moisture 0.08%").
    #[arg(long, value_name = "TEXT")]
    pub cause: String,
    /// What was done about it.
    #[arg(long, value_name = "TEXT")]
    pub action: Option<String>,
    /// Leave the lot out of the control limits (it stays on the chart and in FPY).
    #[arg(long, conflicts_with = "include")]
    pub exclude: bool,
    /// Put a previously excluded lot back into the limits.
    #[arg(long)]
    pub include: bool,
}

#[derive(Debug, Subcommand)]
pub enum PlanCommand {
    /// Freeze the limits of a supplier's lots from a baseline period; later lots are judged against them.
    Freeze(FreezeArgs),
    /// End the plan in force for a scope (recorded; the limits are estimated from the lots again).
    Unfreeze(ScopeArgs),
    /// Every plan of a supplier: scope, baseline, limits, in force from and until.
    List {
        #[arg(long, value_name = "CODE")]
        supplier: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

#[derive(Debug, Args)]
pub struct ScopeArgs {
    #[arg(long, value_name = "CODE")]
    pub supplier: String,
    /// Only lots of this process.
    #[arg(long, value_name = "PROCESS", value_parser = super::word::<Process>())]
    pub process: Option<Process>,
    /// Only lots of this material, exactly as recorded.
    #[arg(long)]
    pub material: Option<String>,
}

#[derive(Debug, Args)]
pub struct FreezeArgs {
    #[command(flatten)]
    pub scope: ScopeArgs,
    /// Last production day of the baseline (at most --as-of).
    #[arg(long, value_name = "DATE", value_parser = parse_day)]
    pub baseline_until: NaiveDate,
    /// First production day of the baseline (default: the scope's first lot).
    #[arg(long, value_name = "DATE", value_parser = parse_day)]
    pub baseline_since: Option<NaiveDate>,
    /// Re-baseline: unfreeze the plan in force for this scope first.
    #[arg(long)]
    pub replace: bool,
}

pub fn lot(ctx: &Context, command: LotCommand) -> Result<ExitCode> {
    match command {
        LotCommand::Annotate(args) => annotate(ctx, &args),
        LotCommand::Annotations { supplier, format } => annotations(ctx, &supplier, format),
        LotCommand::Void(args) => super::void::lot(ctx, &args),
    }
}

pub fn plan(ctx: &Context, command: PlanCommand) -> Result<ExitCode> {
    match command {
        PlanCommand::Freeze(args) => freeze(ctx, &args),
        PlanCommand::Unfreeze(args) => unfreeze(ctx, &args),
        PlanCommand::List { supplier, format } => list(ctx, &supplier, format),
    }
}

fn checked(field: &str, value: &str) -> Result<()> {
    validate::text(field, value, NOTE_MAX).map_err(|e| Error::Invalid(format!("--{}: {}", e.field, e.message)))
}

fn annotate(ctx: &Context, args: &AnnotateArgs) -> Result<ExitCode> {
    checked("cause", &args.cause)?;
    if let Some(action) = &args.action {
        checked("action", action)?;
    }
    let exclusion = match (args.exclude, args.include) {
        (true, _) => Exclusion::Exclude,
        (false, true) => Exclusion::Include,
        (false, false) => Exclusion::Keep,
    };
    let mut store = ctx.open(OpenMode::Existing)?;
    let writer = store.begin(&ctx.actor)?;
    let id = writer.read().require_supplier(&args.supplier)?;
    let note = workflow::Note { lot: &args.lot, cause: &args.cause, action: args.action.as_deref(), exclusion };
    let made =
        workflow::annotate(&writer, id, &note, ctx.as_of).map_err(|e| lot_error(e, &args.supplier, &args.lot))?;
    writer.commit()?;
    let state = if made.excluded { "left out of the control limits" } else { "kept in the control limits" };
    outln!("{} lot {}: annotated as of {} ({state}); id {}", args.supplier, made.lot, made.noted_on, made.id);
    Ok(ExitCode::SUCCESS)
}

fn lot_error(e: Error, supplier: &str, lot: &str) -> Error {
    match e {
        Error::NotFound(_) => Error::NotFound(format!(
            "supplier {supplier} has no lot `{lot}`; `casebook yield --supplier {supplier} --all-lots` lists its lots"
        )),
        other => other,
    }
}

fn annotations(ctx: &Context, code: &str, format: Format) -> Result<ExitCode> {
    let store = ctx.open(OpenMode::Existing)?;
    let read = store.read();
    let id = read.require_supplier(code)?;
    let notes = read.annotations_in_force(id, ctx.as_of)?;
    if format == Format::Json {
        print_json(&notes)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut table = Table::new(&["lot", "excluded", "cause", "action", "noted_on", "noted_by"]);
    for a in &notes {
        table.push(vec![
            a.lot.clone(),
            if a.excluded { "yes" } else { "no" }.to_owned(),
            a.cause.clone(),
            a.action.clone().unwrap_or_default(),
            a.noted_on.to_string(),
            a.noted_by.clone(),
        ]);
    }
    table.print(format)?;
    Ok(ExitCode::SUCCESS)
}

fn scope(args: &ScopeArgs) -> Result<PlanScope> {
    if let Some(material) = &args.material {
        checked("material", material)?;
    }
    Ok(PlanScope { process: args.process, material: args.material.clone() })
}

fn freeze(ctx: &Context, args: &FreezeArgs) -> Result<ExitCode> {
    if args.baseline_until > ctx.as_of {
        return Err(Error::Invalid(format!(
            "--baseline-until {} is after --as-of {}: a baseline can only hold lots already produced",
            args.baseline_until, ctx.as_of
        )));
    }
    let request = FreezeRequest {
        scope: scope(&args.scope)?,
        baseline_since: args.baseline_since,
        baseline_until: args.baseline_until,
        replace: args.replace,
    };
    let mut store = ctx.open(OpenMode::Existing)?;
    let writer = store.begin(&ctx.actor)?;
    let id = writer.read().require_supplier(&args.scope.supplier)?;
    let plan = workflow::freeze_plan(&writer, id, &request, ctx.as_of)?;
    writer.commit()?;
    outln!(
        "{}: control plan for {} frozen from {} lots produced up to {}: p̄ {:.2}%, ū {:.4}; in force from {}",
        args.scope.supplier,
        plan.scope.describe(),
        plan.baseline_lots,
        plan.baseline_until,
        plan.p.center * 100.0,
        plan.u.center,
        plan.frozen_on
    );
    Ok(ExitCode::SUCCESS)
}

fn unfreeze(ctx: &Context, args: &ScopeArgs) -> Result<ExitCode> {
    let scope = scope(args)?;
    let mut store = ctx.open(OpenMode::Existing)?;
    let writer = store.begin(&ctx.actor)?;
    let id: SupplierId = writer.read().require_supplier(&args.supplier)?;
    let Some(plan) = writer.unfreeze_plan(id, &scope, ctx.as_of)? else {
        return Err(Error::NotFound(format!(
            "{} has no control plan in force for {}; `casebook plan list --supplier {}` shows its plans",
            args.supplier,
            scope.describe(),
            args.supplier
        )));
    };
    writer.commit()?;
    outln!(
        "{}: control plan for {} unfrozen; it was in force {} … {}",
        args.supplier,
        scope.describe(),
        plan.frozen_on,
        plan.unfrozen_on.map_or_else(String::new, |d| d.to_string())
    );
    Ok(ExitCode::SUCCESS)
}

/// A plan as `plan list --format json` prints it.
#[derive(Serialize)]
struct Listed<'a> {
    #[serde(flatten)]
    plan: &'a ControlPlan,
    in_force: bool,
}

fn list(ctx: &Context, code: &str, format: Format) -> Result<ExitCode> {
    let store = ctx.open(OpenMode::Existing)?;
    let read = store.read();
    let id = read.require_supplier(code)?;
    let plans = read.plans(id)?;
    if format == Format::Json {
        let rows: Vec<Listed<'_>> =
            plans.iter().map(|plan| Listed { plan, in_force: plan.in_force_on(ctx.as_of) }).collect();
        print_json(&rows)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut table = Table::new(&["scope", "baseline", "lots", "p̄", "ū", "from", "until", "by", "in force"]);
    for p in &plans {
        let since = p.baseline_since.map_or_else(String::new, |d| format!("{d} … "));
        table.push(vec![
            p.scope.describe(),
            format!("{since}{}", p.baseline_until),
            p.baseline_lots.to_string(),
            format!("{:.2}%", p.p.center * 100.0),
            format!("{:.4}", p.u.center),
            p.frozen_on.to_string(),
            p.unfrozen_on.map_or_else(String::new, |d| d.to_string()),
            p.frozen_by.clone(),
            if p.in_force_on(ctx.as_of) { "yes" } else { "" }.to_owned(),
        ]);
    }
    table.print(format)?;
    if plans.is_empty() && format == Format::Table {
        eprintln!(
            "({code} has no control plan; `casebook plan freeze --supplier {code} --baseline-until DATE` makes one)"
        );
    }
    Ok(ExitCode::SUCCESS)
}
