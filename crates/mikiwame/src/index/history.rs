//! The index as the scorer's [`History`]: address grades and known contacts.

use crate::address::Address;
use crate::history::History;

use super::keys::{canonical_card, Kind};
use super::{AddressCheck, Index};

/// An [`Index`] answers the scorer's history questions directly from the memory-mapped
/// file: no copy, shared by every thread.
///
/// ```
/// use mikiwame::history::History;
/// use mikiwame::index::{FraudRecord, IndexBuilder};
///
/// let mut b = IndexBuilder::new();
/// b.add_fraud(&FraudRecord { email: Some("fraud@example.com".into()), ..Default::default() });
/// let index = mikiwame::index::Index::new(b.finish_to_vec().unwrap()).unwrap();
/// assert!(History::known_email(&index, "fraud@example.com"));
/// assert!(!History::known_email(&index, "buyer@example.com"));
/// ```
impl History for Index {
    fn check_address(&self, address: &Address) -> AddressCheck {
        Index::check(self, address)
    }

    fn known_email(&self, email: &str) -> bool {
        // Already normalized (the trait's contract, and `normalize_email` is idempotent):
        // looked up as it is.
        self.known_contact(Kind::Email, email)
    }

    fn known_phone(&self, e164: &str) -> bool {
        // Already in E.164: looked up as it is, without parsing it again.
        self.known_contact(Kind::Phone, e164)
    }

    fn known_card(&self, fingerprint: &str) -> bool {
        canonical_card(fingerprint).is_some_and(|c| self.known_contact(Kind::Card, &c))
    }

    /// The index holds fraud records, not orders.
    fn keeps_orders(&self) -> bool {
        false
    }
}

impl Index {
    /// True when the contact key `kind` + `canonical` is in the index: through the contact
    /// filter ([`super::contacts`]), then, for a possible hit, down the automaton.
    fn known_contact(&self, kind: Kind, canonical: &str) -> bool {
        self.contacts.may_hold(self, kind, canonical.as_bytes())
            && !self.known(kind, Some(canonical)).is_empty()
    }
}
