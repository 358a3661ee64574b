//! What `/` searches in each pane of the Supplier screen: every word the
//! pane shows for an item.

use super::supplier::Pane;
use super::supplier_panes::evidence_items;
use crate::tui::data::SupplierDetail;
use crate::tui::input::contains_folded;

/// Whether item `i` of `pane` says `needle` (lower case).
pub fn says(detail: &SupplierDetail, pane: Pane, i: usize, needle: &str) -> bool {
    let has = |texts: &[&str]| texts.iter().any(|t| contains_folded(t, needle));
    match pane {
        Pane::Flags => detail.assessment.flags.get(i).is_some_and(|f| {
            let at = super::flags::where_of(f);
            has(&[f.rule.as_str(), f.severity.as_str(), &at, &f.message])
        }),
        Pane::Evidence => evidence_items(detail).nth(i).is_some_and(|(pillar, j)| {
            let day = j.collected_on.to_string();
            has(&[pillar.label(), j.kind.as_str(), j.strength.as_str(), &day, &j.audit, &j.description])
        }),
        Pane::Audits => detail.audits.get(i).is_some_and(|a| {
            let (day, grade) = (a.audit.visited_on.to_string(), a.grade.map(|g| g.to_string()).unwrap_or_default());
            let amends = a.audit.amends.as_deref().unwrap_or_default();
            has(&[&a.audit.id, &day, a.audit.kind.as_str(), a.audit.status.as_str(), &a.audit.auditor, &grade, amends])
        }),
        Pane::Findings => detail.open_findings.get(i).is_some_and(|f| {
            let due = f.finding.due_on.to_string();
            let owner = f.finding.owner.as_deref().unwrap_or_default();
            has(&[f.finding.severity.as_str(), &due, &f.audit, owner, &f.finding.description])
        }),
        Pane::Claims => detail.all_claims.get(i).is_some_and(|row| {
            let (c, day) = (&row.claim, row.claim.stated_on.to_string());
            let voided = row.voided.as_ref().map(|v| format!("voided {}", v.reason)).unwrap_or_default();
            has(&[c.capability.as_str(), c.source.as_str(), &day, &c.statement, &voided])
        }),
        Pane::History => detail.history.get(i).is_some_and(|h| {
            let texts = [h.at.as_str(), &h.actor, h.action.as_str(), h.entity.as_str(), &h.key];
            has(&texts)
                || [&h.field, &h.old, &h.new].iter().any(|t| t.as_deref().is_some_and(|t| contains_folded(t, needle)))
        }),
    }
}
