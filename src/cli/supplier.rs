//! `casebook supplier new|edit`: a supplier's profile from the command line,
//! with the importers' rules for every field. Each command is one
//! transaction and records every changed field in the history, as the UI's
//! form does.

use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::Context;
use crate::error::{Error, Result};
use crate::exchange::validate::{self, FieldError};
use crate::model::{BusinessModel, BusinessType, Models, Supplier};
use crate::store::OpenMode;

#[derive(Debug, Subcommand)]
pub enum SupplierCommand {
    /// Record a new supplier.
    New {
        /// The supplier's code, e.g. SZ-ARMOR (letters, digits, '.', '_', '-').
        code: String,
        #[command(flatten)]
        fields: Fields,
    },
    /// Change fields of a supplier's profile; the others stay as they are.
    /// An empty value ('') clears an optional field.
    Edit {
        code: String,
        #[command(flatten)]
        fields: Fields,
    },
}

/// The profile fields, each optional on the command line.
#[derive(Debug, Args)]
pub struct Fields {
    #[arg(long)]
    pub name: Option<String>,
    /// ISO country code, two capital letters (CN).
    #[arg(long)]
    pub country: Option<String>,
    #[arg(long)]
    pub city: Option<String>,
    /// `manufacturer`, `trading_company` or `unknown`.
    #[arg(long = "type", value_name = "BUSINESS_TYPE")]
    pub business_type: Option<String>,
    /// Business models claimed: oem, odm, "oem,odm", or '' for none.
    #[arg(long)]
    pub models: Option<String>,
    /// Minimum order quantity (units, 1 or more).
    #[arg(long, allow_hyphen_values = true)]
    pub moq: Option<String>,
    /// Development lead time in days (1 or more).
    #[arg(long = "dev-lead-days", allow_hyphen_values = true)]
    pub dev_lead_days: Option<String>,
    #[arg(long)]
    pub notes: Option<String>,
}

pub fn run(ctx: &Context, command: SupplierCommand) -> Result<ExitCode> {
    match command {
        SupplierCommand::New { code, fields } => new(ctx, &code, &fields),
        SupplierCommand::Edit { code, fields } => edit(ctx, &code, &fields),
    }
}

fn new(ctx: &Context, code: &str, fields: &Fields) -> Result<ExitCode> {
    validate::code("code", code).map_err(|e| refusal(code, &e))?;
    let blank = Supplier {
        code: code.to_owned(),
        name: String::new(),
        country: String::new(),
        city: None,
        business_type: BusinessType::Unknown,
        models: Models::default(),
        moq: None,
        dev_lead_days: None,
        notes: None,
    };
    let supplier = apply(blank, fields).map_err(|e| refusal(code, &e))?;
    for (field, value) in [("name", &supplier.name), ("country", &supplier.country)] {
        if value.is_empty() {
            let e = FieldError::new(field, None, format!("is required for a new supplier (--{field})"));
            return Err(refusal(code, &e));
        }
    }
    let mut store = ctx.open(OpenMode::Create)?;
    let w = store.begin(&ctx.actor)?;
    if w.read().supplier_id(code)?.is_some() {
        return Err(Error::Invalid(format!(
            "supplier {code} already exists; change it with `casebook supplier edit {code} --field value`"
        )));
    }
    w.insert_supplier(&supplier)?;
    w.commit()?;
    outln!("{code}: recorded");
    Ok(ExitCode::SUCCESS)
}

fn edit(ctx: &Context, code: &str, fields: &Fields) -> Result<ExitCode> {
    let mut store = ctx.open(OpenMode::Existing)?;
    let w = store.begin(&ctx.actor)?;
    let id = w.read().require_supplier(code)?;
    let old = w.read().supplier(id)?;
    let new = apply(old.clone(), fields).map_err(|e| refusal(code, &e))?;
    w.update_supplier(id, &new)?;
    w.commit()?;
    let changes = describe_changes(&old, &new);
    if changes.is_empty() {
        outln!("{code}: nothing changed");
    } else {
        outln!("{code}: {}", changes.join("; "));
    }
    Ok(ExitCode::SUCCESS)
}

fn refusal(code: &str, e: &FieldError) -> Error {
    let value = e.value.as_ref().map(|v| format!("{v:?} ")).unwrap_or_default();
    Error::Invalid(format!(
        "supplier {code}: --{}: {value}{}; nothing was changed",
        e.field.replace('_', "-"),
        e.message
    ))
}

/// `s` with every field given on the command line replaced, each checked.
fn apply(mut s: Supplier, f: &Fields) -> std::result::Result<Supplier, FieldError> {
    if let Some(name) = &f.name {
        validate::text("name", name, validate::NAME_MAX)?;
        s.name.clone_from(name);
    }
    if let Some(country) = &f.country {
        validate::country("country", country)?;
        s.country.clone_from(country);
    }
    if let Some(city) = &f.city {
        s.city = optional_line("city", city, validate::LINE_MAX)?;
    }
    if let Some(word) = &f.business_type {
        s.business_type = word.parse().map_err(|e: crate::model::VocabError| {
            FieldError::new("type", Some(word), format!("is not a business type; expected one of: {}", e.expected))
        })?;
    }
    if let Some(list) = &f.models {
        s.models = models(list)?;
    }
    if let Some(moq) = &f.moq {
        s.moq = optional_count("moq", moq)?;
    }
    if let Some(days) = &f.dev_lead_days {
        s.dev_lead_days = optional_count("dev_lead_days", days)?;
    }
    if let Some(notes) = &f.notes {
        validate::prose("notes", notes, validate::TEXT_MAX)?;
        s.notes = (!notes.trim().is_empty()).then(|| notes.clone());
    }
    Ok(s)
}

fn optional_line(field: &str, value: &str, max: usize) -> std::result::Result<Option<String>, FieldError> {
    if value.is_empty() {
        return Ok(None);
    }
    validate::text(field, value, max)?;
    Ok(Some(value.to_owned()))
}

fn optional_count(field: &str, value: &str) -> std::result::Result<Option<u32>, FieldError> {
    if value.is_empty() {
        return Ok(None);
    }
    match validate::count(field, value)? {
        0 => Err(FieldError::new(field, Some(value), "must be at least 1 (or '' to clear it)")),
        n => Ok(Some(n)),
    }
}

fn models(list: &str) -> std::result::Result<Models, FieldError> {
    let mut models = Models::default();
    for word in list.split(',').map(str::trim).filter(|w| !w.is_empty()) {
        match BusinessModel::parse(word) {
            Some(BusinessModel::Oem) => models.oem = true,
            Some(BusinessModel::Odm) => models.odm = true,
            None => {
                return Err(FieldError::new("models", Some(list), "expected oem, odm, \"oem,odm\" or '' for none"));
            }
        }
    }
    Ok(models)
}

/// "moq 300 → 500", one per changed field.
fn describe_changes(old: &Supplier, new: &Supplier) -> Vec<String> {
    let text = |v: Option<String>| v.unwrap_or_else(|| "—".to_owned());
    let pairs = [
        ("name", Some(old.name.clone()), Some(new.name.clone())),
        ("country", Some(old.country.clone()), Some(new.country.clone())),
        ("city", old.city.clone(), new.city.clone()),
        ("type", Some(old.business_type.to_string()), Some(new.business_type.to_string())),
        ("models", Some(old.models.label()), Some(new.models.label())),
        ("moq", old.moq.map(|v| v.to_string()), new.moq.map(|v| v.to_string())),
        ("dev-lead-days", old.dev_lead_days.map(|v| v.to_string()), new.dev_lead_days.map(|v| v.to_string())),
        ("notes", old.notes.clone(), new.notes.clone()),
    ];
    pairs.into_iter().filter(|(_, a, b)| a != b).map(|(f, a, b)| format!("{f} {} → {}", text(a), text(b))).collect()
}
