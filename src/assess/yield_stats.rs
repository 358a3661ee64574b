//! FPY, RTY and defect Pareto (placeholder, being written).
