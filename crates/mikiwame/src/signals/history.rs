//! History signals: `known_fraud_email`, `known_fraud_phone`, `known_fraud_card`, asked of
//! the [`History`] (the fraud index) with normalized keys.

use super::{Facts, Hit, ReasonCode};
use crate::history::History;
use crate::order::Order;

/// Adds the history reasons of one order.
pub(crate) fn check(order: &Order, facts: &Facts, history: &dyn History, out: &mut Vec<Hit>) {
    if facts.emails.iter().any(|e| history.known_email(e)) {
        out.push(Hit::new(ReasonCode::KnownFraudEmail));
    }
    if facts.phones.iter().any(|p| history.known_phone(&p.e164)) {
        out.push(Hit::new(ReasonCode::KnownFraudPhone));
    }
    let card = order
        .payment
        .as_ref()
        .and_then(|p| p.card_fingerprint.as_deref())
        .map(crate::ascii::trim)
        .filter(|c| !c.is_empty());
    if card.is_some_and(|c| history.known_card(c)) {
        out.push(Hit::new(ReasonCode::KnownFraudCard));
    }
}
