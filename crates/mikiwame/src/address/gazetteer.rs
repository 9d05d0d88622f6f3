//! The embedded gazetteer (stub).
