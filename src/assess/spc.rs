//! p-charts, Laney p′ and run rules (placeholder, being written).
