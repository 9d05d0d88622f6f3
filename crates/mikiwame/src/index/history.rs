//! The index as the scorer's [`History`]: address grades and known contacts.

use crate::address::Address;
use crate::history::History;

use super::keys::Kind;
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
        !self.known(Kind::Email, Some(email)).is_empty()
    }

    fn known_phone(&self, e164: &str) -> bool {
        // Already in E.164: looked up as it is, without parsing it again.
        !self.known(Kind::Phone, Some(e164)).is_empty()
    }

    fn known_card(&self, fingerprint: &str) -> bool {
        !Index::known_card(self, fingerprint).is_empty()
    }

    /// The index holds fraud records, not orders.
    fn keeps_orders(&self) -> bool {
        false
    }
}
