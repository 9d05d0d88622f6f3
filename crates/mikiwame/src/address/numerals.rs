//! Kanji numerals (stub).
