//! Checklist templates: versioned data shipped as migrations.

use std::collections::{HashMap, HashSet};

use rusqlite::OptionalExtension;

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
