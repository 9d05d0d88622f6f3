//! Cross-language fixtures and end-to-end tests live in `tests/tests/` and `tests/fixtures/`.
