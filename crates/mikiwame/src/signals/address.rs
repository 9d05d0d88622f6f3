//! Address signals: `fraud_address`, `forwarding_service`, `forwarding_possible`,
//! `address_obfuscated`, `address_unparsed`, `postal_code_mismatch`.
//!
//! The ship-to address (the shipping address, else the buyer's) is parsed once and asked
//! of the [`History`]; the grade and forwarding level come back in the assessment, and
//! become reasons here.

use super::{Facts, Hit, ReasonCode};
use crate::address::{Address, Anomaly};
use crate::history::History;
use crate::index::{AddressCheck, ForwardingLevel, Grade};

/// The strength of `fraud_address` for a grade: the full weight for the same unit, less for
/// the same plot, least for the same block nearby.
pub fn grade_strength(grade: Grade) -> f64 {
    match grade {
        Grade::Danger => 1.0,
        Grade::Caution => 0.75,
        Grade::Warning => 0.4,
        Grade::None => 0.0,
    }
}

/// The reasons that an address and its check give, without asking any history.
///
/// ```
/// use mikiwame::address::{Address, Anomaly};
/// use mikiwame::index::{AddressCheck, Grade};
/// use mikiwame::signals::{address::reasons, ReasonCode};
///
/// let a = Address { anomalies: vec![Anomaly::PrefectureRepeated], ..Default::default() };
/// let mut check = AddressCheck::default();
/// check.address_match.level = Grade::Caution;
/// let codes: Vec<_> = reasons(&a, &check).iter().map(|h| h.code).collect();
/// assert_eq!(codes, [ReasonCode::FraudAddress, ReasonCode::AddressObfuscated]);
/// ```
pub fn reasons(address: &Address, check: &AddressCheck) -> Vec<Hit> {
    let mut out = Vec::new();
    let grade = check.address_match.level;
    if grade != Grade::None {
        out.push(Hit {
            code: ReasonCode::FraudAddress,
            strength: grade_strength(grade),
        });
    }
    match check.forwarding.level {
        ForwardingLevel::Service => out.push(Hit::new(ReasonCode::ForwardingService)),
        ForwardingLevel::Possible => out.push(Hit::new(ReasonCode::ForwardingPossible)),
        ForwardingLevel::None => {}
    }
    if address.is_obfuscated() {
        out.push(Hit::new(ReasonCode::AddressObfuscated));
    }
    if address.anomalies.contains(&Anomaly::Unparsed) {
        out.push(Hit::new(ReasonCode::AddressUnparsed));
    }
    if address.anomalies.contains(&Anomaly::PostalCodeMismatch) {
        out.push(Hit::new(ReasonCode::PostalCodeMismatch));
    }
    out
}

/// Checks the ship-to address against the history and adds its reasons; returns the check
/// for the assessment (the default, grade none, when there is no address).
pub(crate) fn check(facts: &Facts, history: &dyn History, out: &mut Vec<Hit>) -> AddressCheck {
    let Some(address) = &facts.address else {
        return AddressCheck::default();
    };
    let mut check = history.check_address(address);
    // Keep the stars consistent with the grade whatever the history filled in.
    check.address_match.stars = check.address_match.level.stars();
    out.extend(reasons(address, &check));
    check
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(a: &Address, c: &AddressCheck) -> Vec<ReasonCode> {
        reasons(a, c).iter().map(|h| h.code).collect()
    }

    #[test]
    fn grades_and_forwarding() {
        let a = Address::default();
        let mut c = AddressCheck::default();
        assert!(codes(&a, &c).is_empty());
        for (g, s) in [
            (Grade::Danger, 1.0),
            (Grade::Caution, 0.75),
            (Grade::Warning, 0.4),
        ] {
            c.address_match.level = g;
            let r = reasons(&a, &c);
            assert_eq!((r[0].code, r[0].strength), (ReasonCode::FraudAddress, s));
        }
        c.address_match.level = Grade::None;
        c.forwarding.level = ForwardingLevel::Service;
        assert_eq!(codes(&a, &c), [ReasonCode::ForwardingService]);
        c.forwarding.level = ForwardingLevel::Possible;
        assert_eq!(codes(&a, &c), [ReasonCode::ForwardingPossible]);
    }

    #[test]
    fn anomalies() {
        let c = AddressCheck::default();
        let with = |anomalies: Vec<Anomaly>| Address {
            anomalies,
            ..Default::default()
        };
        assert_eq!(
            codes(&with(vec![Anomaly::UnitMisplaced]), &c),
            [ReasonCode::AddressObfuscated]
        );
        assert_eq!(
            codes(&with(vec![Anomaly::Unparsed]), &c),
            [ReasonCode::AddressUnparsed]
        );
        assert_eq!(
            codes(&with(vec![Anomaly::PostalCodeMismatch]), &c),
            [ReasonCode::PostalCodeMismatch]
        );
        // Sloppiness that is not disguise adds nothing.
        assert!(codes(
            &with(vec![Anomaly::MixedSeparators, Anomaly::UnknownTown]),
            &c
        )
        .is_empty());
    }
}
