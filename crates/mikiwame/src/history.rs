//! What the scorer asks of the past: the fraud index and a store of earlier orders.
//!
//! The scorer sees history only through the [`History`] trait, so the engine does not
//! depend on how the past is kept: the memory-mapped fraud index implements it, a
//! persisted order store can implement it, and tests use [`MemoryHistory`].
//!
//! ```
//! use mikiwame::history::{History, MemoryHistory, NoHistory};
//!
//! let mut h = MemoryHistory::default();
//! h.emails.insert("fraud@example.com".into());
//! assert!(h.known_email("fraud@example.com"));
//! assert!(!NoHistory.known_email("fraud@example.com"));
//! ```

use std::collections::{HashMap, HashSet};

use crate::address::Address;
use crate::index::AddressCheck;
use crate::timestamp::Timestamp;

/// A source of past knowledge: fraud records, forwarders and earlier orders.
///
/// Implementations must be cheap to call from many threads at once. Every method answers
/// for keys already normalized by [`crate::contact`] (emails by
/// [`normalize_email`](crate::contact::normalize_email), phones in E.164).
pub trait History: Send + Sync {
    /// The address grade and forwarding level of a parsed address.
    fn check_address(&self, address: &Address) -> AddressCheck;
    /// True when a normalized email is in a past fraud record.
    fn known_email(&self, email: &str) -> bool;
    /// True when an E.164 phone number is in a past fraud record.
    fn known_phone(&self, e164: &str) -> bool;
    /// True when a card fingerprint is in a past fraud record.
    fn known_card(&self, fingerprint: &str) -> bool;
    /// Earlier orders that share `key`, for linking across orders (many buyers at one
    /// address, bursts from one card). The default keeps no orders.
    ///
    /// Must not depend on the order being scored, so that linking gives the same result
    /// whatever the batch order.
    fn linked_orders(&self, key: &LinkKey) -> Vec<Observation> {
        let _ = key;
        Vec::new()
    }
    /// False when [`History::linked_orders`] never returns an order, so that linking need
    /// not ask for the keys only one order of a batch has (most keys). The default, true,
    /// is always correct; a store that keeps no orders says false to be faster.
    fn keeps_orders(&self) -> bool {
        true
    }
}

/// A history that knows nothing: every address grades `none`, no contact is known.
/// Used when no index is given.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoHistory;

impl History for NoHistory {
    fn check_address(&self, _address: &Address) -> AddressCheck {
        AddressCheck::default()
    }
    fn known_email(&self, _email: &str) -> bool {
        false
    }
    fn known_phone(&self, _e164: &str) -> bool {
        false
    }
    fn known_card(&self, _fingerprint: &str) -> bool {
        false
    }
    fn keeps_orders(&self) -> bool {
        false
    }
}

/// A key under which orders are linked.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LinkKey {
    /// The shipping address: its block key, or for an address the parser could not read,
    /// its folded text (prefixed `raw:`).
    Address(String),
    /// A normalized email.
    Email(String),
    /// An E.164 phone number.
    Phone(String),
    /// A card fingerprint.
    Card(String),
    /// An IP address.
    Ip(String),
    /// All orders placed under a celebrity, gibberish or placeholder name.
    JokeNames,
}

/// What linking needs to know of one order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Observation {
    /// The order's ID (an order seen both in the batch and in a store counts once).
    pub order_id: String,
    /// When it was placed.
    pub at: Option<Timestamp>,
    /// The buyer's folded name.
    pub name: Option<String>,
    /// The buyer's normalized email.
    pub email: Option<String>,
    /// The card fingerprint.
    pub card: Option<String>,
}

/// An in-memory [`History`]: sets of known fraud contacts, graded addresses by block key,
/// and earlier orders by link key. For tests, examples and small deployments.
#[derive(Debug, Clone, Default)]
pub struct MemoryHistory {
    /// Normalized fraud emails.
    pub emails: HashSet<String>,
    /// Fraud phone numbers in E.164.
    pub phones: HashSet<String>,
    /// Fraud card fingerprints.
    pub cards: HashSet<String>,
    /// Address checks by block key.
    pub addresses: HashMap<String, AddressCheck>,
    /// Earlier orders by link key.
    pub orders: HashMap<LinkKey, Vec<Observation>>,
}

impl History for MemoryHistory {
    fn check_address(&self, address: &Address) -> AddressCheck {
        self.addresses
            .get(address.block_key().as_str())
            .cloned()
            .unwrap_or_default()
    }
    fn known_email(&self, email: &str) -> bool {
        self.emails.contains(email)
    }
    fn known_phone(&self, e164: &str) -> bool {
        self.phones.contains(e164)
    }
    fn known_card(&self, fingerprint: &str) -> bool {
        self.cards.contains(fingerprint)
    }
    fn linked_orders(&self, key: &LinkKey) -> Vec<Observation> {
        self.orders.get(key).cloned().unwrap_or_default()
    }
}

impl<H: History + ?Sized> History for Box<H> {
    fn check_address(&self, address: &Address) -> AddressCheck {
        (**self).check_address(address)
    }
    fn known_email(&self, email: &str) -> bool {
        (**self).known_email(email)
    }
    fn known_phone(&self, e164: &str) -> bool {
        (**self).known_phone(e164)
    }
    fn known_card(&self, fingerprint: &str) -> bool {
        (**self).known_card(fingerprint)
    }
    fn linked_orders(&self, key: &LinkKey) -> Vec<Observation> {
        (**self).linked_orders(key)
    }
    fn keeps_orders(&self) -> bool {
        (**self).keeps_orders()
    }
}
