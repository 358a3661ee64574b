//! `casebook policy`: show the flag policy, or set one value.

use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::Context;
use super::output::{Format, Table, print_json};
use crate::assess::policy::Policy;
use crate::assess::rules::FlagRule;
use crate::error::Result;
use crate::store::OpenMode;

#[derive(Debug, Args)]
pub struct PolicyArgs {
    #[command(subcommand)]
    pub action: Option<PolicyAction>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Subcommand)]
pub enum PolicyAction {
    /// Change one policy value (validated; the change is recorded in history).
    Set { key: String, value: String },
    /// Put one key back to its default.
    Reset { key: String },
}

pub fn policy(ctx: &Context, args: &PolicyArgs) -> Result<ExitCode> {
    match &args.action {
        Some(PolicyAction::Set { key, value }) => set(ctx, key, value),
        Some(PolicyAction::Reset { key }) => {
            let default = Policy::default().pairs().into_iter().find(|(k, _)| k == key).map(|(_, v)| v);
            // An unknown key falls through to `set`, which names the valid ones.
            set(ctx, key, default.as_deref().unwrap_or_default())
        }
        None => show(ctx, args.format),
    }
}

fn set(ctx: &Context, key: &str, value: &str) -> Result<ExitCode> {
    let mut store = ctx.open(OpenMode::Existing)?;
    let w = store.begin(&ctx.actor)?;
    let old = w.set_policy(key, value)?;
    let new = w.read().policy()?.pairs().into_iter().find(|(k, _)| k == key).map(|(_, v)| v).unwrap_or_default();
    w.commit()?;
    outln!("{key}: {old} → {new}");
    Ok(ExitCode::SUCCESS)
}

fn show(ctx: &Context, format: Format) -> Result<ExitCode> {
    let store = ctx.open(OpenMode::Existing)?;
    let policy = store.read().policy()?;
    let defaults: std::collections::HashMap<String, String> = Policy::default().pairs().into_iter().collect();
    if format == Format::Json {
        let map: serde_json::Map<String, serde_json::Value> =
            policy.pairs().into_iter().map(|(k, v)| (k, serde_json::Value::String(v))).collect();
        print_json(&map)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut table = Table::new(&["key", "value", "default", "meaning"]);
    for (key, value) in policy.pairs() {
        let default = defaults.get(&key).cloned().unwrap_or_default();
        let shown_default = if default == value { String::new() } else { default };
        table.push(vec![key.clone(), value, shown_default, meaning(&key)]);
    }
    table.print(format)?;
    Ok(ExitCode::SUCCESS)
}

fn meaning(key: &str) -> String {
    if let Some(rule) = key.strip_prefix("severity.").and_then(FlagRule::parse) {
        return rule.meaning().to_owned();
    }
    if let Some(claim) = key.strip_prefix("requires.") {
        return format!("pillars an ODM claim of {claim} requires");
    }
    match key {
        "evidence.window_months" => "document/observed evidence counts if collected within this many months",
        "yield.window_months" => "lots of this many months decide the production-yield pillar",
        "yield.min_lots" => "fewest lots in the yield window for the pillar to count",
        "yield.min_fpy" => "lowest pooled first-pass yield in the yield window",
        "yield.chart" => "p (classical p-chart) or laney (Laney p′) for the out-of-control check",
        "yield.rules" => "run rules reported: attribute (beyond 3σ, nine in a row) or western-electric",
        "audit.window_months" => "a supplier needs a submitted audit within this many months",
        "terms.odm_moq" => "typical MOQ for ODM (units)",
        "terms.odm_dev_days" => "typical ODM development lead time (days)",
        "terms.oem_moq" => "typical MOQ for OEM (units)",
        "terms.oem_dev_days" => "typical OEM development lead time (days)",
        "terms.far_factor" => "how far outside a typical range is flagged (at most min ÷ f, at least max × f)",
        "grade.critical_cap" => "best grade an audit can get with a critical question answered no",
        "grade.min_answered_share" => "share of applicable questions that must be answered to grade an audit",
        _ => "",
    }
    .to_owned()
}
