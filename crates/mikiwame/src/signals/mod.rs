//! Signals: what an order shows, as reason codes (adding points) and data-quality codes.
//!
//! One module per family: [`dummy`] (placeholder data), [`contact`] (phones and emails),
//! [`names`], [`address`], [`order`] (items, amount, time, account), [`history`] (past
//! fraud records) and [`linking`] (across orders). Each code is documented on its variant
//! in [`ReasonCode`] and [`DataQuality`]: what triggers it and what typically triggers it
//! wrongly. The thresholds the signals use are part of the scoring model
//! ([`Thresholds`]), so that a shop's model can move them.

use crate::address::fold::fold_width_chars;
pub mod address;
mod codes;
pub mod contact;
mod domain_filter;
pub mod dummy;
pub mod history;
pub mod linking;
pub mod names;
pub mod order;

use serde::{Deserialize, Serialize};

pub use codes::{DataQuality, ReasonCode};

use crate::address::{normalize_with_postal_code, Address};
use crate::contact::{normalize_email, parse_phone, Phone};
use crate::history::History;
use crate::index::AddressCheck;
use crate::order::{Order, Party};
use crate::shop::Shop;
use crate::timestamp::Timestamp;

/// One reason found, with its strength (1.0 for a full hit; graded signals such as
/// `fraud_address` use less for weaker grades). Points are the model's weight times the
/// strength.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    /// The reason.
    pub code: ReasonCode,
    /// How strongly it holds, in (0, 1].
    pub strength: f64,
}

impl Hit {
    /// A full-strength hit.
    pub fn new(code: ReasonCode) -> Hit {
        Hit {
            code,
            strength: 1.0,
        }
    }
}

/// The thresholds the signals use: part of the scoring model file, with these defaults.
///
/// ```
/// let t = mikiwame::signals::Thresholds::default();
/// assert_eq!((t.night_from_hour, t.night_to_hour), (1, 5));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Thresholds {
    /// `high_amount` from this total, in yen (other currencies are not judged).
    pub high_amount_jpy: f64,
    /// Items in a high-value category (electronics …) count as high-risk from this unit
    /// price, in yen.
    pub high_value_item_jpy: f64,
    /// `night_order` from this hour (Japan time, inclusive) …
    pub night_from_hour: u32,
    /// … to this hour (exclusive).
    pub night_to_hour: u32,
    /// `new_account` when the account is younger than this many hours at order time.
    pub new_account_hours: f64,
    /// `shared_address_many_buyers` from this many distinct names, emails or cards.
    pub link_min_buyers: usize,
    /// `shared_contact_many_names` from this many distinct names.
    pub link_min_names: usize,
    /// `burst_orders` counts orders within this many minutes either side …
    pub burst_window_minutes: i64,
    /// … and fires from this many orders (the order itself included).
    pub burst_min_orders: usize,
    /// `name_series` counts joke-name orders within this many minutes either side …
    pub series_window_minutes: i64,
    /// … and fires from this many orders (the order itself included).
    pub series_min_orders: usize,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            high_amount_jpy: 100_000.0,
            high_value_item_jpy: 50_000.0,
            night_from_hour: 1,
            night_to_hour: 5,
            new_account_hours: 24.0,
            link_min_buyers: 3,
            link_min_names: 3,
            burst_window_minutes: 60,
            burst_min_orders: 3,
            series_window_minutes: 120,
            series_min_orders: 2,
        }
    }
}

/// What the signals read from one order, computed once: normalized contacts, folded
/// names, the parsed shipping address and times.
#[derive(Debug, Clone, Default)]
pub(crate) struct Facts {
    /// Normalized emails of buyer and receiver, without duplicates.
    pub emails: Vec<String>,
    /// Parsed phones of buyer and receiver (valid or not), without duplicate E.164.
    pub phones: Vec<Phone>,
    /// The buyer's folded name (the receiver's when there is no buyer name).
    pub name: Option<String>,
    /// [`names::fold_name`] of the buyer's and the receiver's names, when given.
    pub folded_names: [Option<String>; 2],
    /// True when an email was given that [`normalize_email`] cannot read.
    pub unreadable_email: bool,
    /// The parsed ship-to address.
    pub address: Option<Address>,
    /// The linking key of the ship-to address.
    pub address_key: Option<String>,
    /// The linking key of the buyer's own address when it differs in text from the ship-to.
    pub buyer_address_key: Option<String>,
    pub ordered_at: Option<Timestamp>,
    pub account_created_at: Option<Timestamp>,
    /// What the names are.
    pub names: names::NameFlags,
    /// True when a phone number was given that is not a valid number.
    pub invalid_phone: bool,
}

impl Facts {
    pub(crate) fn of(order: &Order) -> Facts {
        let parties = || order.buyer.iter().chain(order.shipping.iter());
        let mut emails: Vec<String> = Vec::new();
        let mut unreadable_email = false;
        for e in parties().filter_map(|p| p.email.as_deref()) {
            match normalize_email(e) {
                Some(n) => {
                    if !emails.contains(&n) {
                        emails.push(n);
                    }
                }
                None => unreadable_email |= !e.trim().is_empty(),
            }
        }
        let mut phones: Vec<Phone> = Vec::new();
        let mut invalid_phone = false;
        // At most two parties, so the phones seen fit in an array (no allocation).
        let mut seen: [Option<&str>; 2] = [None; 2];
        for (slot, p) in parties().filter_map(|p| p.phone.as_deref()).enumerate() {
            // Parsing is the costliest step of an order: the receiver's phone is often the
            // buyer's, written the same way.
            if seen.contains(&Some(p)) {
                continue;
            }
            seen[slot % 2] = Some(p);
            match parse_phone(p, None) {
                Ok(parsed) => {
                    invalid_phone |= !parsed.valid;
                    if !phones.iter().any(|q| q.e164 == parsed.e164) {
                        phones.push(parsed);
                    }
                }
                Err(_) => invalid_phone = true,
            }
        }
        let fold = |p: &Option<Party>| {
            p.as_ref()
                .and_then(|p| p.name.as_deref())
                .map(names::fold_name)
        };
        let folded_names = [fold(&order.buyer), fold(&order.shipping)];
        let name = folded_names
            .iter()
            .flatten()
            .find(|n| !n.is_empty())
            .cloned();
        let ship_to = order.ship_to();
        let address = ship_to.and_then(parse_address);
        let address_key = address.as_ref().and_then(address_link_key);
        let buyer_address_key = match (&order.buyer, ship_to) {
            (Some(b), Some(s)) if b.address.is_some() && b.address != s.address => {
                parse_address(b).as_ref().and_then(address_link_key)
            }
            _ => address_key.clone(),
        };
        Facts {
            emails,
            phones,
            name,
            address,
            address_key,
            buyer_address_key,
            ordered_at: order.ordered_at_ts(),
            account_created_at: order
                .account_created_at
                .as_deref()
                .and_then(Timestamp::parse),
            names: names::NameFlags::of(order, &folded_names),
            folded_names,
            unreadable_email,
            invalid_phone,
        }
    }

    /// What linking needs of this order, and the keys it links under.
    pub(crate) fn linkable(&self, order: &Order) -> linking::Linkable {
        use linking::KeyKind;
        let card = order
            .payment
            .as_ref()
            .and_then(|p| p.card_fingerprint.as_deref());
        let ip = order
            .ip
            .as_deref()
            .map(crate::ascii::trim)
            .filter(|s| !s.is_empty());
        let phones = || {
            self.phones
                .iter()
                .filter(|p| p.valid)
                .map(|p| p.e164.as_str())
        };
        let keys_size = self.address_key.as_ref().map_or(0, String::len)
            + self.emails.iter().map(String::len).sum::<usize>()
            + phones().map(str::len).sum::<usize>()
            + card.map_or(0, str::len)
            + ip.map_or(0, str::len);
        let fields = [
            self.name.as_deref(),
            self.emails.first().map(String::as_str),
            card,
        ];
        let mut link = linking::Linkable::new(&order.order_id, self.ordered_at, fields, keys_size);
        if let Some(k) = &self.address_key {
            link.push(KeyKind::Address, k);
        }
        for e in &self.emails {
            link.push(KeyKind::Email, e);
        }
        for p in phones() {
            link.push(KeyKind::Phone, p);
        }
        if let Some(c) = card {
            link.push(KeyKind::Card, c);
        }
        if let Some(ip) = ip {
            link.push(KeyKind::Ip, ip);
        }
        if self.names.joke() {
            link.push(KeyKind::JokeNames, "");
        }
        link
    }
}

fn parse_address(p: &Party) -> Option<Address> {
    let text = p.address.as_deref()?;
    // An address too long to parse is kept as unparsed text, not dropped: it still links.
    Some(
        normalize_with_postal_code(text, p.postal_code.as_deref()).unwrap_or_else(|_| Address {
            input: text.chars().take(200).collect(),
            anomalies: vec![crate::address::Anomaly::Unparsed],
            ..Default::default()
        }),
    )
}

/// The linking key of an address: its block key when the parser read a place and a lot
/// number, else its folded text (so that one unreadable address typed the same way still
/// links), else none for text too short to mean anything.
fn address_link_key(a: &Address) -> Option<String> {
    if a.is_complete() {
        return Some(a.block_key().into_string());
    }
    let folded: String = fold_width_chars(&a.input)
        .into_iter()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | 'ー' | '－' | '‐' | '−' | '―'))
        .flat_map(char::to_lowercase)
        .collect();
    (folded.chars().count() >= 6).then(|| format!("raw:{folded}"))
}

/// Everything found in one order on its own (before linking).
#[derive(Debug, Clone, Default)]
pub(crate) struct Evaluated {
    pub hits: Vec<Hit>,
    pub quality: Vec<DataQuality>,
    pub check: AddressCheck,
    /// What linking needs of the order.
    pub link: linking::Linkable,
}

/// Runs every per-order signal family.
pub(crate) fn evaluate(
    order: &Order,
    history: &dyn History,
    shop: &Shop,
    thresholds: &Thresholds,
) -> Evaluated {
    let facts = Facts::of(order);
    let mut hits = Vec::new();
    let mut quality = Vec::new();
    dummy::check(order, &facts, shop, &mut quality);
    contact::check(&facts, &mut hits);
    names::check(&facts, &mut hits);
    let check = address::check(&facts, history, &mut hits);
    self::order::check(order, &facts, thresholds, &mut hits);
    self::history::check(order, &facts, history, &mut hits);
    Evaluated {
        hits,
        quality,
        check,
        link: facts.linkable(order),
    }
}
