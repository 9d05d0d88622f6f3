//! The Japanese address parser (stub).
use super::Address;
pub(crate) fn parse(input: &str, _postal: Option<&str>) -> Address {
    Address {
        input: input.to_string(),
        ..Default::default()
    }
}
