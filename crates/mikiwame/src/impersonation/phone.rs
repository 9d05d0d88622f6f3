//! Phone numbers: exact matches against the profile's official and blocklisted numbers,
//! with the line type as a risk hint. Never fuzzy: one digit off is another subscriber.

use super::profile::BrandProfile;
use super::verdict::{PhoneAssessment, Reason, Verdict};
use crate::contact::{parse_phone, PhoneError, PhoneKind};

/// Screens one number; `region` (ISO 3166 alpha-2) reads national forms, default Japan.
pub(crate) fn screen(profile: &BrandProfile, input: &str, region: Option<&str>) -> PhoneAssessment {
    let phone = match parse_phone(input, region) {
        Ok(p) => p,
        Err(e) => {
            let reason = match e {
                PhoneError::UnknownRegion(_) => Reason::UnknownRegion,
                _ => Reason::InvalidNumber,
            };
            return PhoneAssessment {
                verdict: Verdict::Unknown,
                reasons: vec![reason],
                e164: None,
                kind: None,
            };
        }
    };
    let mut reasons = Vec::new();
    let verdict = if profile.blocklist_phones().contains(&phone.e164) {
        reasons.push(Reason::BlocklistedPhone);
        Verdict::Blocklisted
    } else if profile.official_phones().contains(&phone.e164) {
        reasons.push(Reason::OfficialPhone);
        Verdict::Official
    } else {
        Verdict::Unknown
    };
    if !phone.valid {
        reasons.push(Reason::InvalidNumber);
    }
    match phone.kind {
        PhoneKind::Voip => reasons.push(Reason::VoipNumber),
        PhoneKind::PremiumRate => reasons.push(Reason::PremiumRateNumber),
        _ => {}
    }
    reasons.sort_unstable();
    PhoneAssessment {
        verdict,
        reasons,
        e164: Some(phone.e164),
        kind: Some(phone.kind),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile() -> BrandProfile {
        BrandProfile::from_toml_str(
            "name = \"t\"\nofficial_phones = [\"0120-999-000\"]\nblocklist_phones = [\"050-3333-4444\"]",
            None,
        )
        .unwrap()
    }

    #[test]
    fn exact_matches_only() {
        let p = profile();
        assert_eq!(
            screen(&p, "０１２０ー９９９ー０００", None).verdict,
            Verdict::Official
        );
        assert_eq!(screen(&p, "0120-999-001", None).verdict, Verdict::Unknown);
        let b = screen(&p, "+81 50 3333 4444", None);
        assert_eq!(b.verdict, Verdict::Blocklisted);
        assert_eq!(b.reasons, [Reason::BlocklistedPhone, Reason::VoipNumber]);
    }

    #[test]
    fn unreadable_numbers_say_why() {
        let p = profile();
        assert_eq!(screen(&p, "call me", None).reasons, [Reason::InvalidNumber]);
        assert_eq!(
            screen(&p, "03-1234-5678", Some("ZZ")).reasons,
            [Reason::UnknownRegion]
        );
        let premium = screen(&p, "0990-123-456", None);
        assert_eq!(premium.kind, Some(PhoneKind::PremiumRate));
        assert!(premium.reasons.contains(&Reason::PremiumRateNumber));
    }
}
