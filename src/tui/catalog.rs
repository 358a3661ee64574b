//! Every supplier with its assessment (once computed) and whether it is on
//! the shortlist: what the Suppliers and Flags screens list. Suppliers come
//! first, from one quick read; assessments arrive later, all at once.

use std::collections::{HashMap, HashSet};

use crate::assess::verdict::{Assessment, Verdict};
use crate::model::Supplier;
use crate::store::{DraftRef, SupplierId};

#[derive(Debug)]
pub struct SupplierRow {
    pub id: SupplierId,
    pub supplier: Supplier,
    /// Code, name and city in lower case: what the text filter searches.
    pub search: String,
    /// Where the lower-cased name starts in `search` (sorting by name).
    name_at: usize,
    pub assessment: Option<Assessment>,
}

impl SupplierRow {
    pub fn new(id: SupplierId, supplier: Supplier) -> Self {
        let city = supplier.city.as_deref().unwrap_or_default();
        let code = supplier.code.to_lowercase();
        let search = format!("{code}\t{}\t{city}", supplier.name.to_lowercase());
        Self { id, supplier, name_at: code.len() + 1, search, assessment: None }
    }

    /// The name in lower case, then the city: the key names sort by.
    pub fn name_key(&self) -> &str {
        &self.search[self.name_at..]
    }

    pub fn verdict(&self) -> Option<Verdict> {
        self.assessment.as_ref().map(|a| a.verdict)
    }
}

/// Where the background assessment stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Assessing {
    Running,
    Done,
    Failed(String),
}

#[derive(Debug)]
pub struct Catalog {
    /// In supplier-code order.
    pub rows: Vec<SupplierRow>,
    by_id: HashMap<SupplierId, usize>,
    pub marked: HashSet<SupplierId>,
    pub assessing: Assessing,
    /// Suppliers re-assessed here while the background assessment ran: its
    /// (older) verdicts must not overwrite theirs.
    fresher: HashSet<SupplierId>,
    /// Bumped whenever assessments change, so screens know to rebuild
    /// their sorted and filtered views.
    pub generation: u64,
    /// Draft audits, oldest first: what the Suppliers screen offers to reopen.
    pub drafts: Vec<DraftRef>,
}

impl Catalog {
    pub fn new(suppliers: Vec<(SupplierId, Supplier)>, marked: HashSet<SupplierId>) -> Self {
        let rows: Vec<SupplierRow> = suppliers.into_iter().map(|(id, s)| SupplierRow::new(id, s)).collect();
        let by_id = rows.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
        Self {
            rows,
            by_id,
            marked,
            assessing: Assessing::Running,
            fresher: HashSet::new(),
            generation: 0,
            drafts: Vec::new(),
        }
    }

    pub fn index_of(&self, id: SupplierId) -> Option<usize> {
        self.by_id.get(&id).copied()
    }

    pub fn row(&self, id: SupplierId) -> Option<&SupplierRow> {
        self.index_of(id).map(|i| &self.rows[i])
    }

    /// The supplier's latest draft audit, if it has one.
    pub fn draft_of(&self, id: SupplierId) -> Option<&DraftRef> {
        self.drafts.iter().rev().find(|d| d.supplier == id)
    }

    pub fn is_marked(&self, id: SupplierId) -> bool {
        self.marked.contains(&id)
    }

    /// Files each assessment under its supplier (matched by code).
    pub fn set_assessments(&mut self, assessments: Vec<Assessment>) {
        let by_code: HashMap<&str, usize> =
            self.rows.iter().enumerate().map(|(i, r)| (r.supplier.code.as_str(), i)).collect();
        let placed: Vec<(usize, Assessment)> =
            assessments.into_iter().filter_map(|a| by_code.get(a.supplier.as_str()).map(|i| (*i, a))).collect();
        for (i, a) in placed {
            if !self.fresher.contains(&self.rows[i].id) {
                self.rows[i].assessment = Some(a);
            }
        }
        self.fresher.clear();
        self.assessing = Assessing::Done;
        self.generation += 1;
    }

    /// Puts one supplier's record and assessment in, just computed (a new
    /// supplier goes in code order).
    pub fn upsert(&mut self, id: SupplierId, supplier: Supplier, assessment: Assessment) {
        let mut row = SupplierRow::new(id, supplier);
        row.assessment = Some(assessment);
        if let Some(i) = self.index_of(id) {
            self.rows[i] = row;
        } else {
            let at = self.rows.partition_point(|r| r.supplier.code < row.supplier.code);
            self.rows.insert(at, row);
            self.by_id = self.rows.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
        }
        if self.assessing == Assessing::Running {
            self.fresher.insert(id);
        }
        self.generation += 1;
    }

    /// Takes the supplier list of `fresh` (after an import), keeping the
    /// assessments known so far until the new ones arrive.
    pub fn replace(&mut self, fresh: Catalog) {
        let mut old: HashMap<SupplierId, Assessment> =
            self.rows.drain(..).filter_map(|r| r.assessment.map(|a| (r.id, a))).collect();
        self.rows = fresh.rows;
        for row in &mut self.rows {
            row.assessment = old.remove(&row.id);
        }
        self.by_id = fresh.by_id;
        self.marked = fresh.marked;
        self.drafts = fresh.drafts;
        self.assessing = Assessing::Running;
        self.fresher.clear();
        self.generation += 1;
    }

    pub fn fail(&mut self, message: String) {
        self.assessing = Assessing::Failed(message);
        self.generation += 1;
    }

    /// Suppliers per verdict, in [`Verdict::ALL`] order.
    pub fn verdict_counts(&self) -> [usize; 4] {
        let mut counts = [0; 4];
        for v in self.rows.iter().filter_map(SupplierRow::verdict) {
            counts[verdict_index(v)] += 1;
        }
        counts
    }

    pub fn flag_total(&self) -> usize {
        self.rows.iter().filter_map(|r| r.assessment.as_ref()).map(|a| a.flags.len()).sum()
    }
}

pub fn verdict_index(verdict: Verdict) -> usize {
    Verdict::ALL.iter().position(|v| *v == verdict).unwrap_or_default()
}
