//! Pure assessment: checklist scores, yield statistics, evidence rules,
//! verdicts and flags. No SQL, no terminal: inputs in, results out.

pub mod checklist;
pub mod figures;
pub mod policy;
pub mod rules;
pub mod spc;
pub mod strata;
pub mod verdict;
pub mod yield_stats;
