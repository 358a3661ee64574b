//! Building the supplier report's model: the ODM verdict with its claims ×
//! pillars matrix and flags, the evidence behind each pillar, audits, open
//! findings, the yield section over the policy's yield window, and the
//! commercial terms against their typical ranges. Store reads, `workflow`'s
//! assessment and `assess` only.

use chrono::NaiveDate;

use super::meta;
use super::model::{PillarBlock, SupplierReport, Table, YieldSection, field};
use crate::assess::policy::{Policy, Range};
use crate::assess::rules::FlagRule;
use crate::assess::spc::ChartOptions;
use crate::assess::verdict::{Assessment, Standing};
use crate::assess::yield_stats::YieldReport;
use crate::charts::{center_symbol, chart_name, format_value};
use crate::error::Result;
use crate::exchange::shortlist::{NONE, opt, percent, status_label};
use crate::model::{BusinessModel, Capability, Pillar, Supplier};
use crate::store::{LotFilter, Reader, Store, SupplierId};

/// How many audits, lot violations and Pareto rows a report lists at most.
const AUDITS_LISTED: usize = 10;
const VIOLATIONS_LISTED: usize = 40;
const PARETO_LISTED: usize = 12;

pub fn build(store: &Store, code: &str, as_of: NaiveDate) -> Result<SupplierReport> {
    let read = store.read();
    let id = read.require_supplier(code)?;
    let supplier = read.supplier(id)?;
    let assessment = crate::workflow::assess_one(store, id, as_of)?;
    let policy = read.policy()?;
    let address =
        supplier.city.as_ref().map_or_else(|| supplier.country.clone(), |c| format!("{c}, {}", supplier.country));
    Ok(SupplierReport {
        meta: meta(&format!("Supplier report {}", supplier.code), &supplier.code, as_of, false),
        code: supplier.code.clone(),
        supplier: vec![
            field("Code", supplier.code.clone()),
            field("Legal name", supplier.name.clone()),
            field("Address", address),
            field("Business type", supplier.business_type.label()),
            field("Business models", supplier.models.label()),
        ],
        notes: supplier.notes.clone(),
        verdict: assessment.verdict.label().to_owned(),
        verdict_basis: format!("Policy {}.", assessment.policy),
        grade: opt(assessment.grade),
        matrix: matrix(&assessment, &policy, read, id, as_of)?,
        claims: claims(read, id)?,
        flags: flags(&assessment),
        pillars: pillars(&assessment),
        audits: audits(read, id, as_of)?,
        open_findings: open_findings(read, id, as_of)?,
        yield_section: yield_section(read, id, &supplier.code, &policy, as_of)?,
        terms: terms(&supplier, &policy),
        terms_notes: assessment
            .flags
            .iter()
            .filter(|f| matches!(f.rule, FlagRule::TermsMoq | FlagRule::TermsDevLead))
            .map(|f| f.message.clone())
            .collect(),
    })
}

fn matrix(a: &Assessment, policy: &Policy, read: Reader<'_>, id: SupplierId, as_of: NaiveDate) -> Result<Table> {
    let mut columns = vec!["ODM claim"];
    columns.extend(Pillar::ALL.iter().map(|p| p.label()));
    let mut table = Table::new(&columns);
    let mut active: Vec<Capability> = read
        .claims(id)?
        .into_iter()
        .map(|(_, c)| c)
        .filter(|c| c.capability.is_odm() && c.active_on(as_of))
        .map(|c| c.capability)
        .collect();
    active.sort_unstable();
    active.dedup();
    for claim in active {
        let required = policy.requires.get(&claim).map_or(&[][..], Vec::as_slice);
        let mut row = vec![claim.as_str().to_owned()];
        for pillar in Pillar::ALL {
            let cell = match a.pillar(*pillar) {
                Some(pa) if required.contains(pillar) => status_label(pa.status).to_owned(),
                _ => String::new(),
            };
            row.push(cell);
        }
        table.push(row);
    }
    if table.rows.is_empty() {
        table.note = Some("No active ODM claim: the verdict is `not claimed`.".to_owned());
    }
    Ok(table)
}

fn claims(read: Reader<'_>, id: SupplierId) -> Result<Table> {
    let mut table = Table::new(&["capability", "model", "source", "stated", "retired", "statement"]);
    for (_, c) in read.claims(id)? {
        table.push(vec![
            c.capability.to_string(),
            c.capability.model().to_string(),
            c.source.to_string(),
            c.stated_on.to_string(),
            opt(c.retired_on),
            c.statement.clone(),
        ]);
    }
    Ok(table)
}

fn flags(a: &Assessment) -> Table {
    let mut table = Table::new(&["severity", "rule", "pillar", "what is missing and what would do"]);
    let mut flags: Vec<_> = a.flags.iter().collect();
    flags.sort_by_key(|f| f.severity);
    for f in flags {
        table.push(vec![
            f.severity.to_string(),
            f.rule.to_string(),
            f.pillar.map_or_else(|| NONE.to_owned(), |p| p.label().to_owned()),
            f.message.clone(),
        ]);
    }
    if table.rows.is_empty() {
        table.note = Some("No flags.".to_owned());
    }
    table
}

fn standing(s: Standing) -> &'static str {
    match s {
        Standing::Counts => "counts",
        Standing::Stale => "stale",
        Standing::Draft => "draft audit",
        Standing::Stated => "stated only",
        Standing::Noted => "noted (the lots decide)",
    }
}

fn pillars(a: &Assessment) -> Vec<PillarBlock> {
    a.pillars
        .iter()
        .map(|p| {
            let mut evidence = Table::new(&["#", "audit", "kind", "strength", "collected", "standing", "description"]);
            for e in &p.evidence {
                evidence.push(vec![
                    e.id.to_string(),
                    e.audit.clone(),
                    e.kind.to_string(),
                    e.strength.to_string(),
                    e.collected_on.to_string(),
                    standing(e.standing).to_owned(),
                    e.description.clone(),
                ]);
            }
            if evidence.rows.is_empty() {
                evidence.note = Some("No evidence item filed under this pillar.".to_owned());
            }
            let required: Vec<&str> = p.required_by.iter().map(|c| c.as_str()).collect();
            PillarBlock {
                label: p.pillar.label().to_owned(),
                status: status_label(p.status).to_owned(),
                required_by: if required.is_empty() { "not required".to_owned() } else { required.join(", ") },
                detail: p.detail.clone(),
                evidence,
            }
        })
        .collect()
}

fn audits(read: Reader<'_>, id: SupplierId, as_of: NaiveDate) -> Result<Table> {
    let mut table = Table::new(&["audit", "visited", "kind", "auditor", "status", "score", "grade"]);
    let headers = read.audit_headers(id)?;
    let shown: Vec<_> = headers.iter().rev().filter(|h| h.audit.visited_on <= as_of).collect();
    for h in shown.iter().take(AUDITS_LISTED) {
        table.push(vec![
            h.audit.id.clone(),
            h.audit.visited_on.to_string(),
            h.audit.kind.to_string(),
            h.audit.auditor.clone(),
            h.audit.status.to_string(),
            h.score_pct.map_or_else(|| NONE.to_owned(), |p| format!("{p:.1}%")),
            opt(h.grade),
        ]);
    }
    table.note = match shown.len() {
        0 => Some("No audit on file.".to_owned()),
        n if n > AUDITS_LISTED => Some(format!("The latest {AUDITS_LISTED} of {n} audits.")),
        _ => None,
    };
    Ok(table)
}

fn open_findings(read: Reader<'_>, id: SupplierId, as_of: NaiveDate) -> Result<Table> {
    let mut table = Table::new(&["#", "audit", "severity", "due", "owner", "description"]);
    let mut rows = read.all_findings(Some(id))?.remove(&id).unwrap_or_default();
    rows.retain(|f| f.visited_on <= as_of && f.finding.is_open_on(as_of));
    rows.sort_by_key(|f| (f.finding.severity, f.finding.due_on));
    for f in &rows {
        let overdue = if f.finding.due_on < as_of { " (overdue)" } else { "" };
        table.push(vec![
            f.id.to_string(),
            f.audit.clone(),
            f.finding.severity.to_string(),
            format!("{}{overdue}", f.finding.due_on),
            opt(f.finding.owner.as_deref()),
            f.finding.description.clone(),
        ]);
    }
    if rows.is_empty() {
        table.note = Some(format!("No finding open as of {as_of}."));
    }
    Ok(table)
}

fn yield_section(
    read: Reader<'_>,
    id: SupplierId,
    code: &str,
    policy: &Policy,
    as_of: NaiveDate,
) -> Result<YieldSection> {
    let since = Policy::window_start(as_of, policy.yield_window_months);
    let filter = LotFilter { since: Some(since), until: Some(as_of), ..LotFilter::default() };
    let lots = read.lots(id, &filter)?;
    let options = ChartOptions { kind: policy.chart, rules: policy.rules, baseline: None };
    // As `casebook yield` charts them: with the assignable causes and the control plan in force.
    let report = crate::workflow::chart_lots(read, id, &lots, &filter, &options, as_of)?;
    let months = Some(policy.yield_window_months);
    let window = crate::charts::Window { since: Some(since), until: as_of, policy_months: months };
    let chart_svg = super::charts::yield_chart(code, &report, window);
    let chart_note = chart_svg.is_none().then(|| "No lots in the window: nothing to chart.".to_owned());
    Ok(YieldSection {
        lines: yield_lines(&report, since, as_of, policy),
        chart_svg,
        chart_note,
        violations: violations(&report),
        by_month: by_month(&report),
        pareto: pareto(&report),
        rty: rty(&report),
    })
}

fn yield_lines(report: &YieldReport, since: NaiveDate, as_of: NaiveDate, policy: &Policy) -> Vec<String> {
    let statistic = report.chart.statistic();
    let rules: Vec<&str> = report.rules.rules().iter().map(|r| r.as_str()).collect();
    let mut lines = vec![
        format!(
            "{} lots produced {since} … {as_of} (the policy's {}-month yield window, on which the verdict is judged).",
            report.lots.len(),
            policy.yield_window_months
        ),
        format!("Chart: {}. Run rules in force: {} ({}).", chart_name(report.chart), report.rules, rules.join(", ")),
        format!(
            "Pooled FPY {}, rework {}, scrap {}; centre line {} = {}.",
            opt(report.rates.fpy.map(percent)),
            opt(report.rates.rework_rate.map(percent)),
            opt(report.rates.scrap_rate.map(percent)),
            center_symbol(statistic),
            report.center.map_or_else(|| NONE.to_owned(), |c| format_value(statistic, c))
        ),
    ];
    if report.overdispersed {
        lines.push(format!(
            "The lots vary more than the classical limits allow (σ_z = {:.2}): Laney p′ would be the fairer chart.",
            report.sigma_z.unwrap_or(1.0)
        ));
    }
    lines
}

fn violations(report: &YieldReport) -> Table {
    let statistic = report.chart.statistic();
    let mut table =
        Table::new(&["lot", "produced", center_symbol(statistic).trim_end_matches('\u{304}'), "limits", "rule"]);
    for v in report.violations.iter().take(VIOLATIONS_LISTED) {
        let point = report.lots.iter().find(|l| l.lot == v.lot);
        let (day, p, limits) = point.map_or_else(
            || (String::new(), String::new(), String::new()),
            |l| {
                let c = &l.chart;
                let value = |v: f64| format_value(statistic, v);
                (l.produced_on.to_string(), value(c.value), format!("{} – {}", value(c.lcl), value(c.ucl)))
            },
        );
        table.push(vec![v.lot.clone(), day, p, limits, v.rule.to_string()]);
    }
    table.note = match report.violations.len() {
        0 => Some(format!("No lot breaks the {} rules.", report.rules)),
        n if n > VIOLATIONS_LISTED => Some(format!("The first {VIOLATIONS_LISTED} of {n} violations.")),
        _ => None,
    };
    table
}

fn by_month(report: &YieldReport) -> Table {
    let mut table = Table::new(&["month", "lots", "started", "passed first", "FPY"]);
    for m in &report.fpy_by_month {
        table.push(vec![
            m.month.clone(),
            m.lots.to_string(),
            m.started.to_string(),
            m.passed_first.to_string(),
            percent(m.fpy),
        ]);
    }
    table
}

fn pareto(report: &YieldReport) -> Table {
    let mut table = Table::new(&["defect", "count", "share", "cumulative"]);
    for row in report.pareto.iter().take(PARETO_LISTED) {
        table.push(vec![row.code.clone(), row.count.to_string(), percent(row.share), percent(row.cumulative_share)]);
    }
    if report.pareto.len() > PARETO_LISTED {
        table.note = Some(format!("The top {PARETO_LISTED} of {} defect codes.", report.pareto.len()));
    } else if report.pareto.is_empty() {
        table.note = Some("No defect counts recorded.".to_owned());
    }
    table
}

fn rty(report: &YieldReport) -> Table {
    let mut table = Table::new(&["SKU", "RTY", "steps (FPY)"]);
    for sku in &report.rty_by_sku {
        let steps: Vec<String> = sku.steps.iter().map(|s| format!("{} {}", s.process, percent(s.fpy))).collect();
        table.push(vec![sku.sku.clone(), percent(sku.rty), steps.join(" × ")]);
    }
    table
}

fn range(r: Range, unit: &str) -> String {
    format!("{r} {unit}")
}

/// The supplier's terms against the typical range of each model it claims.
fn terms(s: &Supplier, policy: &Policy) -> Table {
    let t = &policy.terms;
    let mut table = Table::new(&["term", "supplier", "typical for ODM", "typical for OEM"]);
    table.push(vec![
        "MOQ".to_owned(),
        s.moq.map_or_else(|| NONE.to_owned(), |m| format!("{m} units")),
        range(t.odm_moq, "units"),
        range(t.oem_moq, "units"),
    ]);
    table.push(vec![
        "development lead time".to_owned(),
        s.dev_lead_days.map_or_else(|| NONE.to_owned(), |d| format!("{d} days")),
        range(t.odm_dev_days, "days"),
        range(t.oem_dev_days, "days"),
    ]);
    let models: Vec<&str> = s.models.list().into_iter().map(BusinessModel::as_str).collect();
    table.note = Some(format!(
        "Models claimed: {}. A term is flagged when it is at most the typical minimum ÷ {f} or at least the \
         typical maximum × {f}.",
        if models.is_empty() { NONE.to_owned() } else { models.join(", ") },
        f = t.far_factor
    ));
    table
}
