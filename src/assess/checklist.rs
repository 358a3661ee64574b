//! Checklist templates and audit scoring (placeholder, being written).
