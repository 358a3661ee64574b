//! Checklist templates: versioned data shipped as migrations.

use std::collections::{HashMap, HashSet};

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
