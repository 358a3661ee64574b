//! Writes the field databases of the merge benchmark (`bench/merge.sh`):
//! each is one auditor's offline work — a copy of some of the team's
//! suppliers (their rows and field versions, as a copy of the team database
//! holds them), N submitted audits with every checklist question answered
//! and evidence items, and M new lots — made with casebook's own store API.
//!
//! ```text
//! cargo run --release --example merge-fieldgen -- --team big.db --out DIR \
//!     [--fields 20] [--suppliers 200] [--audits 200] [--lots 20000]
//! ```

use std::path::PathBuf;

use anyhow::Context;
use chrono::NaiveDate;
use clap::Parser;

use casebook::model::{
    Answer, AnswerResult, AuditKind, DEFAULT_TEMPLATE, Evidence, EvidenceKind, Pillar, Process, Strength,
};
use casebook::model::{Defects, LotCounts, LotRow, LotText, ProducedOn};
use casebook::store::{NewAudit, OpenMode, Store, SupplierId};

#[derive(Debug, Parser)]
struct Args {
    /// The team database the field copies come from (read only).
    #[arg(long)]
    team: PathBuf,
    #[arg(long)]
    out: PathBuf,
    #[arg(long, default_value_t = 20)]
    fields: usize,
    #[arg(long, default_value_t = 200)]
    suppliers: usize,
    #[arg(long, default_value_t = 200)]
    audits: usize,
    #[arg(long, default_value_t = 20_000)]
    lots: usize,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    std::fs::create_dir_all(&args.out)?;
    for field in 0..args.fields {
        let path = args.out.join(format!("field{field:02}.db"));
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
        let codes = copy_suppliers(&args, field, &path)?;
        let mut store = Store::open(&path, OpenMode::Existing).context("open the field database")?;
        record_audits(&mut store, &args, field, &codes)?;
        record_lots(&mut store, &args, field, &codes)?;
        eprintln!("{}: {} suppliers, {} audits, {} lots", path.display(), codes.len(), args.audits, args.lots);
    }
    Ok(())
}

/// Creates the field database and copies `--suppliers` of the team's
/// suppliers into it with their field versions; returns their codes.
fn copy_suppliers(args: &Args, field: usize, path: &std::path::Path) -> anyhow::Result<Vec<String>> {
    drop(Store::open(path, OpenMode::Create)?);
    let conn = rusqlite::Connection::open(path)?;
    let team = format!("file:{}?mode=ro", args.team.display());
    conn.execute("ATTACH DATABASE ?1 AS team", [&team])?;
    let total: i64 = conn.query_row("SELECT count(*) FROM team.suppliers", [], |r| r.get(0))?;
    let first = i64::try_from(field * args.suppliers)?;
    let codes: Vec<String> = (0..i64::try_from(args.suppliers)?)
        .map(|k| (first + k) % total)
        .map(|n| conn.query_row("SELECT code FROM team.suppliers ORDER BY code LIMIT 1 OFFSET ?1", [n], |r| r.get(0)))
        .collect::<rusqlite::Result<_>>()?;
    let tx = conn.unchecked_transaction()?;
    for code in &codes {
        tx.execute(
            "INSERT INTO suppliers (code, name, country, city, business_type, model_oem, model_odm, moq, dev_lead_days,
                                    notes)
             SELECT code, name, country, city, business_type, model_oem, model_odm, moq, dev_lead_days, notes
             FROM team.suppliers WHERE code = ?1",
            [code],
        )?;
        tx.execute(
            "INSERT INTO field_versions SELECT * FROM team.field_versions WHERE entity = 'supplier' AND key = ?1",
            [code],
        )?;
    }
    tx.commit()?;
    conn.execute("DETACH DATABASE team", [])?;
    Ok(codes)
}

fn record_audits(store: &mut Store, args: &Args, field: usize, codes: &[String]) -> anyhow::Result<()> {
    let questions: Vec<String> =
        store.read().template(DEFAULT_TEMPLATE)?.questions.iter().map(|q| q.code.clone()).collect();
    let auditor = format!("field.auditor{field:02}");
    let results = [AnswerResult::Yes, AnswerResult::Yes, AnswerResult::Partial, AnswerResult::No, AnswerResult::Na];
    for n in 0..args.audits {
        let w = store.begin(&auditor)?;
        let supplier = w.read().require_supplier(&codes[n % codes.len()])?;
        let visited = NaiveDate::from_ymd_opt(2026, 10, 1 + u32::try_from(n % 28)?).context("a date")?;
        let new = NewAudit {
            reference: None,
            auditor: &auditor,
            visited_on: visited,
            kind: AuditKind::OnSite,
            template: DEFAULT_TEMPLATE,
            summary: Some("field visit"),
            amends: None,
        };
        let (id, _) = w.create_audit(supplier, &new)?;
        for (i, q) in questions.iter().enumerate() {
            let answer = Answer { question: q.clone(), result: results[(n + i) % results.len()], note: None };
            w.set_answer(id, &answer)?;
        }
        for (i, pillar) in Pillar::ALL.iter().enumerate() {
            let e = Evidence {
                pillar: *pillar,
                kind: EvidenceKind::TestReport,
                strength: Strength::Observed,
                collected_on: visited,
                description: format!("record {i} seen on the floor"),
                reference: Some(format!("IMG_{n:04}_{i}.jpg")),
            };
            w.add_evidence(id, &e)?;
        }
        casebook::workflow::seal(&w, id)?;
        w.commit()?;
    }
    Ok(())
}

fn record_lots(store: &mut Store, args: &Args, field: usize, codes: &[String]) -> anyhow::Result<()> {
    let w = store.begin(&format!("field.auditor{field:02}"))?;
    let ids: Vec<SupplierId> = codes.iter().map(|c| w.read().require_supplier(c)).collect::<casebook::Result<_>>()?;
    {
        let mut lots = w.lot_writer()?;
        for n in 0..args.lots {
            let lot = format!("F{field:02}-{n:06}");
            let day = NaiveDate::from_ymd_opt(2026, 1 + u32::try_from(n % 9)?, 1 + u32::try_from(n % 28)?)
                .context("a date")?;
            let started = 1000 + u32::try_from(n % 400)?;
            let row = LotRow {
                lot: LotText::parse("lot", &lot).map_err(casebook::Error::from)?,
                sku: LotText::parse("sku", "IP16-DUAL").map_err(casebook::Error::from)?,
                process: Process::CoMolding,
                material: LotText::parse("material", "TPU+PC").map_err(casebook::Error::from)?,
                produced_on: ProducedOn::new(day, day).map_err(casebook::Error::from)?,
                counts: LotCounts::new(started, started - 60, 30, 10).map_err(casebook::Error::from)?,
                defects: Defects::from_counts("defects", [("bubble", 12), ("flash", 20)])
                    .map_err(casebook::Error::from)?,
            };
            lots.insert(ids[n % ids.len()], &row)?;
        }
    }
    w.commit()?;
    Ok(())
}
