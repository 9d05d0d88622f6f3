//! Latin-script addresses (stub).
