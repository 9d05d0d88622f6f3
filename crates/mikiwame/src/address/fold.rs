//! Character folding (stub; filled in next).
/// Folds text for matching.
pub fn fold(s: &str) -> String {
    s.to_string()
}
