//! Order signals: `high_risk_items`, `high_amount`, `night_order`, `new_account`,
//! `billing_shipping_mismatch`.

use crate::address::fold::fold_width_chars;
use rustc_hash::FxHashMap as HashMap;
use std::sync::OnceLock;

use super::names::data_lines;
use super::{Facts, Hit, ReasonCode, Thresholds};
use crate::order::{Item, Order};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Risk {
    Always,
    HighValue,
}

fn fold_category(c: &str) -> String {
    fold_width_chars(c)
        .into_iter()
        .flat_map(char::to_lowercase)
        .map(|c| if c == ' ' || c == '-' { '_' } else { c })
        .collect::<String>()
        .trim_matches('_')
        .to_string()
}

fn categories() -> &'static HashMap<String, Risk> {
    static MAP: OnceLock<HashMap<String, Risk>> = OnceLock::new();
    MAP.get_or_init(|| {
        data_lines(include_str!("../../data/high_risk_categories.tsv"))
            .filter_map(|l| {
                let (cat, kind) = l.split_once('\t')?;
                let risk = match kind.trim() {
                    "always" => Risk::Always,
                    _ => Risk::HighValue,
                };
                Some((fold_category(cat), risk))
            })
            .collect()
    })
}

/// True when an item is easily resold: its category is on `data/high_risk_categories.tsv`
/// as `always` (gift cards, prepaid cards, game currency), or as `high_value`
/// (electronics …) with a unit price from `high_value_item_jpy`.
///
/// ```
/// use mikiwame::order::Item;
/// use mikiwame::signals::{order::is_high_risk_item, Thresholds};
/// let t = Thresholds::default();
/// let gc = Item { category: Some("Gift Card".into()), ..Default::default() };
/// let tv = Item { category: Some("electronics".into()), unit_price: Some(12_000.0), ..Default::default() };
/// assert!(is_high_risk_item(&gc, &t) && !is_high_risk_item(&tv, &t));
/// ```
pub fn is_high_risk_item(item: &Item, thresholds: &Thresholds) -> bool {
    let Some(cat) = item.category.as_deref() else {
        return false;
    };
    // Categories are nearly always codes such as `gift_card`, which fold to themselves:
    // look them up as they are, without folding into a new string.
    let plain = cat
        .bytes()
        .all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'_'))
        && !cat.starts_with('_')
        && !cat.ends_with('_');
    let risk = if plain {
        categories().get(cat)
    } else {
        categories().get(&fold_category(cat))
    };
    match risk {
        Some(Risk::Always) => true,
        Some(Risk::HighValue) => item
            .unit_price
            .is_some_and(|p| p >= thresholds.high_value_item_jpy),
        None => false,
    }
}

/// The order's total: `amount`, else the sum of the items' quantity times unit price.
///
/// A negative quantity counts as none: a review found that -1 times a negative price
/// made a large positive total and fired `high_amount`. A negative price stays (a
/// coupon's line lowers the total).
///
/// ```
/// use mikiwame::order::{Item, Order};
/// use mikiwame::signals::order::order_total;
/// let item = |q: f64, p: f64| Item { quantity: Some(q), unit_price: Some(p), ..Default::default() };
/// let o = Order { items: vec![item(2.0, 5_000.0), item(1.0, -1_000.0)], ..Default::default() };
/// assert_eq!(order_total(&o), Some(9_000.0));
/// let odd = Order { items: vec![item(-1.0, -50_000.0)], ..Default::default() };
/// assert_eq!(order_total(&odd), Some(0.0));
/// ```
pub fn order_total(order: &Order) -> Option<f64> {
    order.amount.or_else(|| {
        let priced: Vec<f64> = order
            .items
            .iter()
            .filter_map(|i| Some(i.unit_price? * i.quantity.unwrap_or(1.0).max(0.0)))
            .collect();
        (!priced.is_empty()).then(|| priced.iter().sum())
    })
}

/// Adds the order reasons.
pub(crate) fn check(order: &Order, facts: &Facts, t: &Thresholds, out: &mut Vec<Hit>) {
    if order.items.iter().any(|i| is_high_risk_item(i, t)) {
        out.push(Hit::new(ReasonCode::HighRiskItems));
    }
    let yen = order
        .currency
        .as_deref()
        .is_none_or(|c| crate::ascii::trim(c).eq_ignore_ascii_case("JPY"));
    if yen && order_total(order).is_some_and(|a| a >= t.high_amount_jpy) {
        out.push(Hit::new(ReasonCode::HighAmount));
    }
    if let Some(at) = facts.ordered_at {
        let h = at.jst_hour();
        let night = if t.night_from_hour <= t.night_to_hour {
            h >= t.night_from_hour && h < t.night_to_hour
        } else {
            // A window across midnight (23 to 5).
            h >= t.night_from_hour || h < t.night_to_hour
        };
        if night {
            out.push(Hit::new(ReasonCode::NightOrder));
        }
    }
    if let (Some(at), Some(created)) = (facts.ordered_at, facts.account_created_at) {
        // An account "created" slightly after the order is clock skew: still new.
        let age_hours = (at.0 - created.0) as f64 / 3600.0;
        if age_hours < t.new_account_hours && age_hours > -1.0 {
            out.push(Hit::new(ReasonCode::NewAccount));
        }
    }
    let names_differ = match &facts.folded_names {
        [Some(buyer), Some(receiver)] => buyer != receiver,
        _ => false,
    };
    if names_differ
        && facts.address_key.is_some()
        && facts.buyer_address_key.is_some()
        && facts.address_key != facts.buyer_address_key
    {
        out.push(Hit::new(ReasonCode::BillingShippingMismatch));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// What the lookup without folding relies on.
        #[test]
        fn plain_categories_fold_to_themselves(c in "[a-z0-9_]{0,12}") {
            proptest::prop_assume!(!c.starts_with('_') && !c.ends_with('_'));
            proptest::prop_assert_eq!(fold_category(&c), c);
        }
    }

    #[test]
    fn categories_fold_before_lookup() {
        let t = Thresholds::default();
        let item = |c: &str| Item {
            category: Some(c.into()),
            ..Default::default()
        };
        for c in [
            "gift_card",
            "Gift Card",
            "ＧＩＦＴ－ＣＡＲＤ",
            " gift-card ",
        ] {
            assert!(is_high_risk_item(&item(c), &t), "{c}");
        }
        assert!(!is_high_risk_item(&item("book"), &t));
    }
}
