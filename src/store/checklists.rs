//! Checklist templates: versioned data shipped as migrations, each sealed by
//! a hash of its content once it is complete.

use std::collections::{HashMap, HashSet};

use rusqlite::{Connection, OptionalExtension};

use super::Reader;
use crate::error::Result;

impl Reader<'_> {
    /// Every template with the set of its question codes.
    pub fn template_codes(&self) -> Result<HashMap<String, HashSet<String>>> {
        let mut out: HashMap<String, HashSet<String>> = HashMap::new();
        for template in self.template_ids()? {
            out.entry(template).or_default();
        }
        let mut stmt = self.conn.prepare_cached("SELECT template, code FROM checklist_questions")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            out.entry(r.get(0)?).or_default().insert(r.get(1)?);
        }
        Ok(out)
    }

    pub fn template_ids(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare_cached("SELECT template FROM checklist_templates ORDER BY template")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

impl Reader<'_> {
    /// A checklist template with its questions in position order.
    pub fn template(&self, id: &str) -> Result<crate::assess::checklist::Template> {
        use crate::assess::checklist::{Question, Template};
        let title: String = self
            .conn
            .prepare_cached("SELECT title FROM checklist_templates WHERE template = ?1")?
            .query_row([id], |r| r.get(0))
            .optional()?
            .ok_or_else(|| crate::Error::NotFound(format!("no checklist template `{id}`")))?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT code, section, pillar, weight, critical, text, guidance FROM checklist_questions
             WHERE template = ?1 ORDER BY position",
        )?;
        let rows = stmt.query_map([id], |r| {
            Ok(Question {
                code: r.get(0)?,
                section: r.get(1)?,
                pillar: r.get(2)?,
                weight: r.get(3)?,
                critical: r.get(4)?,
                text: r.get(5)?,
                guidance: r.get(6)?,
            })
        })?;
        Ok(Template { id: id.to_owned(), title, questions: rows.collect::<rusqlite::Result<_>>()? })
    }
}

/// The hash of a template's content: title and every question with all its
/// columns, in position order. Sealed into new audits' seals and re-checked
/// by `casebook check`, so an edited weight or wording shows.
pub(crate) fn template_hash(conn: &Connection, template: &str) -> Result<String> {
    let title: String = conn
        .prepare_cached("SELECT title FROM checklist_templates WHERE template = ?1")?
        .query_row([template], |r| r.get(0))?;
    let mut stmt = conn.prepare_cached(
        "SELECT code, position, section, pillar, weight, critical, text, guidance FROM checklist_questions
         WHERE template = ?1 ORDER BY position, code",
    )?;
    let questions: Vec<serde_json::Value> = stmt
        .query_map([template], |r| {
            Ok(serde_json::json!([
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, i64>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, Option<String>>(7)?
            ]))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let content = serde_json::json!({ "template": template, "title": title, "questions": questions });
    Ok(super::fact_hash("template", &[content]))
}

/// Stores the hash of every template that has none yet. A migration that
/// adds a template calls this in its seed; after that the triggers keep the
/// template and its questions from changing.
pub(crate) fn seal_templates(conn: &Connection) -> Result<()> {
    let unsealed: Vec<String> = conn
        .prepare("SELECT template FROM checklist_templates WHERE content_hash IS NULL ORDER BY template")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for template in unsealed {
        let hash = template_hash(conn, &template)?;
        conn.execute("UPDATE checklist_templates SET content_hash = ?2 WHERE template = ?1", [&template, &hash])?;
    }
    Ok(())
}

impl Reader<'_> {
    /// Every template's stored hash against its content now, and against
    /// the content casebook ships (`reference`, a freshly migrated database):
    /// one sentence per problem, and how many templates.
    pub fn verify_templates(&self, reference: &Connection) -> Result<(Vec<String>, usize)> {
        let stored: Vec<(String, Option<String>)> = self
            .conn
            .prepare("SELECT template, content_hash FROM checklist_templates ORDER BY template")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut problems = Vec::new();
        for (template, hash) in &stored {
            let now = template_hash(self.conn, template)?;
            match hash {
                None => {
                    problems.push(format!("checklist template {template} has no hash: it was added outside casebook"));
                }
                Some(hash) if *hash != now => problems.push(format!(
                    "checklist template {template} was changed (a question's wording, weight, section or order): \
                     it no longer matches its hash"
                )),
                Some(_) => {}
            }
            let shipped = reference
                .prepare("SELECT content_hash FROM checklist_templates WHERE template = ?1")?
                .query_row([template], |r| r.get::<_, Option<String>>(0))
                .optional()?
                .flatten();
            if shipped.is_some_and(|shipped| shipped != now && Some(&shipped) != hash.as_ref()) {
                problems.push(format!(
                    "checklist template {template} differs from the one casebook ships, and so does its hash: \
                     it was edited and re-hashed"
                ));
            }
        }
        Ok((problems, stored.len()))
    }
}
