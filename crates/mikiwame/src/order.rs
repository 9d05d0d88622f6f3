//! Orders as shops send them: JSON (one object, or JSONL for batches) and flattened CSV.
//!
//! Only `order_id` is required. Every other field may be missing; a missing field lowers
//! what the signals can conclude, it never fails the row. A field that is present but
//! unreadable (an `amount` of `"abc"`, an `ordered_at` that is not a date) fails its row
//! with a [`RowError`] naming the row and the field, and the batch goes on.
//!
//! ```
//! use mikiwame::order::Order;
//!
//! let o = Order::from_json(r#"{"order_id": "A-1", "amount": "39,800",
//!     "buyer": {"name": "山田太郎", "address": "東京都世田谷区池尻1-2-3"}}"#).unwrap();
//! assert_eq!(o.amount, Some(39800.0));
//! // No `shipping`: the order ships to the buyer's address.
//! assert_eq!(o.ship_to().and_then(|p| p.address.as_deref()), Some("東京都世田谷区池尻1-2-3"));
//!
//! let err = Order::from_json(r#"{"order_id": "A-2", "amount": "abc"}"#).unwrap_err();
//! assert_eq!(err.field, "amount");
//! ```

use std::io::BufRead;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::timestamp::Timestamp;

pub(crate) mod quotes;
mod scan;

/// One order.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Order {
    /// The shop's order ID (required).
    pub order_id: String,
    /// When the order was placed (ISO 8601; without an offset, Japan time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ordered_at: Option<String>,
    /// The total amount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<f64>,
    /// ISO 4217 currency code; absent means JPY.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// The buyer (the billing party).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer: Option<Party>,
    /// The receiver; absent means shipping to the buyer's address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping: Option<Party>,
    /// The order lines.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<Item>,
    /// How the order is paid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment: Option<Payment>,
    /// The buyer's IP address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    /// The shop's customer ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<String>,
    /// When the customer account was created (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_created_at: Option<String>,
}

/// A buyer or a receiver.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Party {
    /// The name as written (kanji, kana or Latin).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The name's reading in kana (フリガナ).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_kana: Option<String>,
    /// The email address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The phone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// The postal code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// The address as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

/// One order line.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Item {
    /// The shop's product code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    /// The product category (`gift_card`, `prepaid_card`, `game_currency`, `electronics`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// How many.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<f64>,
    /// The price of one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_price: Option<f64>,
}

/// How an order is paid.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Payment {
    /// `card`, `cod`, `bank_transfer`, `convenience_store`, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// The card's first six to eight digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_bin: Option<String>,
    /// A stable, non-reversible fingerprint of the card from the payment provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_fingerprint: Option<String>,
}

impl Order {
    /// Reads one order from JSON, leniently: numbers may be written as strings
    /// (`"39,800"`, `"¥39800"`), text fields may be numbers, unknown fields are ignored.
    /// Errors name the field (`buyer.phone`, `items[2].quantity`) and use row 1.
    pub fn from_json(json: &str) -> Result<Order, RowError> {
        parse_json_row(json, 1).map_err(|bad| bad.error)
    }

    /// The party the order ships to: `shipping` when it has an address or a name, else the
    /// buyer.
    pub fn ship_to(&self) -> Option<&Party> {
        match &self.shipping {
            Some(s) if s.address.is_some() || s.name.is_some() => Some(s),
            _ => self.buyer.as_ref(),
        }
    }

    /// `ordered_at` as a [`Timestamp`], when given and readable.
    pub fn ordered_at_ts(&self) -> Option<Timestamp> {
        self.ordered_at.as_deref().and_then(Timestamp::parse)
    }
}

/// Where a row could not be read, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    /// The 1-based row: the line of a JSONL file, or the line of a CSV file where the
    /// record starts (the header is line 1).
    pub row: u64,
    /// The field concerned (`amount`, `buyer.phone`), or empty when the row as a whole is
    /// unreadable.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.field.is_empty() {
            write!(f, "row {}: {}", self.row, self.message)
        } else {
            write!(
                f,
                "row {}, field `{}`: {}",
                self.row, self.field, self.message
            )
        }
    }
}

impl std::error::Error for RowError {}

impl From<RowError> for Error {
    fn from(e: RowError) -> Self {
        Error::Input {
            row: e.row,
            field: e.field,
            message: e.message,
        }
    }
}

/// A row that could not be read: the error, and the order ID when one could be read, so
/// that the output row can still name the order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BadRow {
    /// The order ID, when readable.
    pub order_id: Option<String>,
    /// What went wrong.
    pub error: RowError,
}

/// One input row: an order or the reason it could not be read.
pub type Row = std::result::Result<Order, BadRow>;

/// [`parse_json_row`] for a line as raw bytes: a line that is not UTF-8 is an error row
/// (readers that split a buffer into lines themselves need no check of their own).
///
/// ```
/// let bad = mikiwame::order::parse_json_line(b"{\"order_id\": \"\xff\"}", 2).unwrap_err();
/// assert_eq!(bad.error.row, 2);
/// assert!(bad.error.message.contains("UTF-8"));
/// ```
pub fn parse_json_line(line: &[u8], row: u64) -> Row {
    // Lines are mostly multi-byte Japanese text, where std's check runs byte by byte; the
    // SIMD check takes a fraction of the time (the error's position is not needed).
    match simdutf8::basic::from_utf8(line) {
        Ok(text) => parse_json_row(text, row),
        Err(_) => Err(BadRow {
            order_id: None,
            error: RowError {
                row,
                field: String::new(),
                message: "the line is not valid UTF-8: convert it to UTF-8".into(),
            },
        }),
    }
}

/// Reads one JSONL line (or one JSON document) as row `row`.
///
/// ```
/// let bad = mikiwame::order::parse_json_row(r#"{"order_id": 7, "buyer": {"phone": []}}"#, 3).unwrap_err();
/// assert_eq!((bad.order_id.as_deref(), bad.error.row, bad.error.field.as_str()), (Some("7"), 3, "buyer.phone"));
/// ```
pub fn parse_json_row(line: &str, row: u64) -> Row {
    // Fast paths: most rows are well typed and read straight into an `Order` in one pass
    // (`scan`), or else through serde's derive, without the intermediate `Value`; anything
    // unusual goes the lenient way, which also words errors.
    let typed = scan::order(line).or_else(|| serde_json::from_str::<Order>(line).ok());
    if let Some(mut order) = typed {
        if order.tidy() {
            return Ok(order);
        }
    }
    parse_json_row_lenient(line, row)
}

/// The field (`amount`, `buyer.phone`, `items[0].quantity`) whose value the text of a
/// JSON row has reached at byte `at`, as the order's errors name fields. For a row that
/// serde_json refuses over one value (a number out of range), so that the error row names
/// the field.
fn path_at(line: &str, at: usize) -> Option<String> {
    enum Frame {
        Object(Option<String>),
        Array(usize),
    }
    let mut stack: Vec<Frame> = Vec::new();
    let (mut in_string, mut escaped) = (false, false);
    let (mut text, mut last_string) = (String::new(), None);
    for (i, c) in line.char_indices() {
        if i >= at {
            break;
        }
        if in_string {
            match (escaped, c) {
                (true, _) => {
                    escaped = false;
                    text.push(c);
                }
                (false, '\\') => escaped = true,
                (false, '"') => {
                    in_string = false;
                    last_string = Some(std::mem::take(&mut text));
                }
                (false, _) => text.push(c),
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '{' => stack.push(Frame::Object(None)),
            '[' => stack.push(Frame::Array(0)),
            '}' | ']' => {
                stack.pop();
            }
            ':' => {
                if let Some(Frame::Object(key)) = stack.last_mut() {
                    *key = last_string.take();
                }
            }
            ',' => match stack.last_mut() {
                Some(Frame::Array(n)) => *n += 1,
                Some(Frame::Object(key)) => *key = None,
                None => {}
            },
            _ => {}
        }
    }
    let mut path = String::new();
    for frame in &stack {
        match frame {
            Frame::Object(Some(key)) => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
            }
            Frame::Object(None) => {}
            Frame::Array(n) => path.push_str(&format!("[{n}]")),
        }
    }
    (!path.is_empty()).then_some(path)
}

/// The `order_id` written in a row that is not JSON, when it is a plain string or number
/// (so that the error row can still be matched to the order).
fn order_id_in_text(line: &str) -> Option<String> {
    let after = &line[line.find("\"order_id\"")? + "\"order_id\"".len()..];
    let value = after.trim_start().strip_prefix(':')?.trim_start();
    let id = match value.strip_prefix('"') {
        Some(quoted) => &quoted[..quoted.find(['"', '\\'])?],
        None => {
            &value[..value
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(value.len())]
        }
    };
    let id = id.trim();
    (!id.is_empty()).then(|| id.to_string())
}

/// Trims text as the lenient reader does (empty means absent, an empty party is no party).
/// False when the order needs the lenient reader: an empty `order_id` or an unreadable
/// timestamp, whose errors it words.
impl Order {
    fn tidy(&mut self) -> bool {
        fn t(s: &mut Option<String>) {
            if let Some(v) = s {
                let trimmed = crate::ascii::trim(v);
                if trimmed.is_empty() {
                    *s = None;
                } else if trimmed.len() != v.len() {
                    *v = trimmed.to_string();
                }
            }
        }
        fn party(p: &mut Option<Party>) {
            if let Some(x) = p {
                for f in [
                    &mut x.name,
                    &mut x.name_kana,
                    &mut x.email,
                    &mut x.phone,
                    &mut x.postal_code,
                    &mut x.address,
                ] {
                    t(f);
                }
                if *x == Party::default() {
                    *p = None;
                }
            }
        }
        let trimmed = crate::ascii::trim(&self.order_id);
        if trimmed.is_empty() {
            return false;
        }
        if trimmed.len() != self.order_id.len() {
            self.order_id = trimmed.to_string();
        }
        for f in [
            &mut self.ordered_at,
            &mut self.currency,
            &mut self.ip,
            &mut self.customer_id,
            &mut self.account_created_at,
        ] {
            t(f);
        }
        party(&mut self.buyer);
        party(&mut self.shipping);
        for i in &mut self.items {
            t(&mut i.sku);
            t(&mut i.category);
        }
        if let Some(p) = &mut self.payment {
            t(&mut p.method);
            t(&mut p.card_bin);
            t(&mut p.card_fingerprint);
        }
        [&self.ordered_at, &self.account_created_at]
            .into_iter()
            .flatten()
            .all(|s| Timestamp::parse(s).is_some())
    }
}

fn parse_json_row_lenient(line: &str, row: u64) -> Row {
    let value: Value = serde_json::from_str(line).map_err(|e| BadRow {
        order_id: order_id_in_text(line),
        error: RowError {
            row,
            // serde_json refuses the whole row over one number it cannot hold: name it.
            field: e
                .to_string()
                .starts_with("number out of range")
                .then(|| path_at(line, e.column().saturating_sub(1)))
                .flatten()
                .unwrap_or_default(),
            message: crate::error::json_row_problem(&e),
        },
    })?;
    let Value::Object(obj) = value else {
        let got = match value {
            Value::Array(_) => "an array",
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Object(_) => "an object",
        };
        return Err(BadRow {
            order_id: None,
            error: RowError {
                row,
                field: String::new(),
                message: format!(
                    "expected a JSON object for the order, got {got}: write one order a line, \
                     as {{\"order_id\": \"A-1\", ...}}"
                ),
            },
        });
    };
    let order_id = text(&obj, "order_id", "").ok().flatten();
    order_from_object(&obj).map_err(|(field, message)| BadRow {
        order_id,
        error: RowError {
            row,
            field,
            message,
        },
    })
}

/// A field path and a message.
type FieldError = (String, String);

fn order_from_object(obj: &Map<String, Value>) -> std::result::Result<Order, FieldError> {
    let order_id = text(obj, "order_id", "")?
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| ("order_id".to_string(), "required, and missing".to_string()))?;
    let items = match obj.get("items") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(lines)) => lines
            .iter()
            .enumerate()
            .map(|(i, v)| item_from_value(v, &format!("items[{i}]")))
            .collect::<std::result::Result<_, _>>()?,
        Some(_) => return Err(("items".into(), "expected an array of items".into())),
    };
    let payment = match object(obj, "payment", "")? {
        None => None,
        Some(p) => Some(Payment {
            method: text(p, "method", "payment.")?,
            card_bin: text(p, "card_bin", "payment.")?,
            card_fingerprint: text(p, "card_fingerprint", "payment.")?,
        }),
    };
    Ok(Order {
        ordered_at: timestamp_text(obj, "ordered_at", "")?,
        amount: number(obj, "amount", "")?,
        currency: text(obj, "currency", "")?,
        buyer: party(obj, "buyer")?,
        shipping: party(obj, "shipping")?,
        items,
        payment,
        ip: text(obj, "ip", "")?,
        customer_id: text(obj, "customer_id", "")?,
        account_created_at: timestamp_text(obj, "account_created_at", "")?,
        order_id,
    })
}

fn party(obj: &Map<String, Value>, key: &str) -> std::result::Result<Option<Party>, FieldError> {
    let Some(p) = object(obj, key, "")? else {
        return Ok(None);
    };
    let prefix = format!("{key}.");
    let party = Party {
        name: text(p, "name", &prefix)?,
        name_kana: text(p, "name_kana", &prefix)?,
        email: text(p, "email", &prefix)?,
        phone: text(p, "phone", &prefix)?,
        postal_code: text(p, "postal_code", &prefix)?,
        address: text(p, "address", &prefix)?,
    };
    Ok((party != Party::default()).then_some(party))
}

fn item_from_value(v: &Value, path: &str) -> std::result::Result<Item, FieldError> {
    let Value::Object(o) = v else {
        return Err((path.to_string(), "expected an object for the item".into()));
    };
    let prefix = format!("{path}.");
    Ok(Item {
        sku: text(o, "sku", &prefix)?,
        category: text(o, "category", &prefix)?,
        quantity: number(o, "quantity", &prefix)?,
        unit_price: number(o, "unit_price", &prefix)?,
    })
}

fn object<'a>(
    obj: &'a Map<String, Value>,
    key: &str,
    prefix: &str,
) -> std::result::Result<Option<&'a Map<String, Value>>, FieldError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(o)) => Ok(Some(o)),
        Some(_) => Err((format!("{prefix}{key}"), "expected an object".into())),
    }
}

/// A text field: strings are trimmed (empty means absent), numbers and booleans are taken
/// as written (phone numbers and postal codes often arrive as numbers).
fn text(
    obj: &Map<String, Value>,
    key: &str,
    prefix: &str,
) -> std::result::Result<Option<String>, FieldError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => {
            let t = s.trim();
            Ok((!t.is_empty()).then(|| t.to_string()))
        }
        // A number past 2^53 that is no 64-bit integer was read as a float, which keeps
        // only its first 16 or 17 digits: two IDs 18446744073709551616 and …617 would
        // come out the same. Refused rather than changed.
        Some(Value::Number(n))
            if n.as_f64()
                .is_some_and(|f| f.abs() >= 9_007_199_254_740_992.0)
                && n.is_f64() =>
        {
            Err((
                format!("{prefix}{key}"),
                format!(
                    "this number has more digits than can be kept exactly: write it as a \
                     string (\"{key}\": \"…\")"
                ),
            ))
        }
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(Value::Bool(b)) => Ok(Some(b.to_string())),
        Some(_) => Err((format!("{prefix}{key}"), "expected text".into())),
    }
}

fn timestamp_text(
    obj: &Map<String, Value>,
    key: &str,
    prefix: &str,
) -> std::result::Result<Option<String>, FieldError> {
    let value = text(obj, key, prefix)?;
    check_timestamp(value, &format!("{prefix}{key}"))
}

fn check_timestamp(
    value: Option<String>,
    path: &str,
) -> std::result::Result<Option<String>, FieldError> {
    match value {
        Some(s) if Timestamp::parse(&s).is_none() => Err((
            path.to_string(),
            format!(
                "`{}` is not a date and time: write ISO 8601 such as 2026-11-20T13:45:00+09:00",
                s.chars().take(40).collect::<String>()
            ),
        )),
        other => Ok(other),
    }
}

fn number(
    obj: &Map<String, Value>,
    key: &str,
    prefix: &str,
) -> std::result::Result<Option<f64>, FieldError> {
    let path = || format!("{prefix}{key}");
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => match n.as_f64() {
            Some(f) if f.is_finite() => Ok(Some(f)),
            _ => Err((path(), "number out of range".into())),
        },
        Some(Value::String(s)) => parse_number(s).map_err(|m| (path(), m)),
        Some(_) => Err((path(), "expected a number".into())),
    }
}

/// Reads a number as people write amounts: `39800`, `39,800`, `¥39,800`, `39800円`,
/// full-width digits. Empty means absent.
fn parse_number(s: &str) -> std::result::Result<Option<f64>, String> {
    let folded = crate::address::fold::fold_width(s);
    let cleaned: String = folded
        .trim()
        .trim_start_matches(['¥', '$', '€', '£'])
        .trim_end_matches('円')
        .chars()
        .filter(|c| *c != ',' && *c != '_' && !c.is_whitespace())
        .collect();
    if cleaned.is_empty() {
        return Ok(None);
    }
    match cleaned.parse::<f64>() {
        Ok(f) if f.is_finite() => Ok(Some(f)),
        _ => Err(format!(
            "`{}` is not a number",
            s.chars().take(40).collect::<String>()
        )),
    }
}

/// Reads JSONL orders from `reader`, one row per non-blank line (blank lines are skipped
/// but counted, so row numbers are line numbers).
///
/// The outer `Result` is an I/O failure of the reader (which ends the stream); the inner
/// [`Row`] is one order or one bad row.
///
/// ```
/// let input = "{\"order_id\":\"a\"}\n\n{\"order_id\":\n{\"order_id\":\"c\"}\n";
/// let rows: Vec<_> = mikiwame::order::read_jsonl(input.as_bytes()).map(|r| r.unwrap()).collect();
/// assert_eq!(rows.len(), 3);
/// assert_eq!(rows[1].as_ref().unwrap_err().error.row, 3);
/// assert_eq!(rows[2].as_ref().unwrap().order_id, "c");
/// // A line that is not UTF-8 is a bad row; the rows after it are read.
/// let input: &[u8] = b"{\"order_id\":\"a\"}\n{\"order_id\":\"\xff\"}\n{\"order_id\":\"c\"}\n";
/// let rows: Vec<_> = mikiwame::order::read_jsonl(input).map(|r| r.unwrap()).collect();
/// assert_eq!(rows[1].as_ref().unwrap_err().error.row, 2);
/// assert_eq!(rows[2].as_ref().unwrap().order_id, "c");
/// ```
pub fn read_jsonl<R: BufRead>(reader: R) -> impl Iterator<Item = Result<Row>> {
    jsonl_rows(reader, parse_json_row)
}

/// The lines of a JSONL stream through `parse`, with 1-based line numbers as row numbers;
/// blank lines are skipped but counted. A byte order mark before the first line is
/// dropped, and a line that is not UTF-8 is a bad row of its own (a review found that it
/// ended the whole stream). The outer `Result` is an I/O failure of the reader.
pub(crate) fn jsonl_rows<R: BufRead, T>(
    mut reader: R,
    parse: impl Fn(&str, u64) -> std::result::Result<T, BadRow>,
) -> impl Iterator<Item = Result<std::result::Result<T, BadRow>>> {
    let mut row = 0u64;
    let mut buf = Vec::new();
    std::iter::from_fn(move || loop {
        buf.clear();
        match reader.read_until(b'\n', &mut buf) {
            Err(e) => return Some(Err(Error::io("input", e))),
            Ok(0) => return None,
            Ok(_) => {}
        }
        row += 1;
        let bytes = match (row, buf.strip_prefix(b"\xEF\xBB\xBF")) {
            (1, Some(rest)) => rest,
            _ => &buf[..],
        };
        let Ok(line) = std::str::from_utf8(bytes) else {
            return Some(Ok(Err(BadRow {
                order_id: None,
                error: RowError {
                    row,
                    field: String::new(),
                    message: "the row is not valid UTF-8: save the file as UTF-8".into(),
                },
            })));
        };
        if line.trim().is_empty() {
            continue;
        }
        return Some(Ok(parse(line.trim_end_matches(['\n', '\r']), row)));
    })
}

/// The flattened CSV columns, in the order written by [`CSV_COLUMNS`].
///
/// Item columns may hold several items separated by `;`, aligned by position
/// (`item_category` = `gift_card;electronics`).
pub const CSV_COLUMNS: &[&str] = &[
    "order_id",
    "ordered_at",
    "amount",
    "currency",
    "buyer_name",
    "buyer_name_kana",
    "buyer_email",
    "buyer_phone",
    "buyer_postal_code",
    "buyer_address",
    "shipping_name",
    "shipping_name_kana",
    "shipping_email",
    "shipping_phone",
    "shipping_postal_code",
    "shipping_address",
    "item_sku",
    "item_category",
    "item_quantity",
    "item_unit_price",
    "payment_method",
    "payment_card_bin",
    "payment_card_fingerprint",
    "ip",
    "customer_id",
    "account_created_at",
];

/// Where each known column sits in a CSV header (unknown columns are ignored).
#[derive(Debug, Clone)]
pub struct CsvColumns {
    positions: Vec<Option<usize>>,
    /// The header's names, trimmed and in lower case: for columns beyond the order's
    /// ([`CsvColumns::find`]) and for errors that name a column.
    names: Vec<String>,
}

impl CsvColumns {
    /// Maps a header row. Column names are matched trimmed and case-insensitively. Fails
    /// when there is no `order_id` column.
    pub fn from_header<'a>(header: impl IntoIterator<Item = &'a str>) -> Result<CsvColumns> {
        let names: Vec<String> = header
            .into_iter()
            .map(|h| h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase())
            .collect();
        let positions: Vec<Option<usize>> = CSV_COLUMNS
            .iter()
            .map(|c| names.iter().position(|n| n == c))
            .collect();
        if positions[0].is_none() {
            return Err(Error::Input {
                row: 1,
                field: "order_id".into(),
                message: "the CSV header has no `order_id` column: add one (see the flattened column names in DESIGN.md)".into(),
            });
        }
        // A known column twice: which one holds the data is anyone's guess (the first was
        // taken silently).
        if let Some(twice) = CSV_COLUMNS
            .iter()
            .find(|c| names.iter().filter(|n| n == c).count() > 1)
        {
            return Err(Error::Input {
                row: 1,
                field: (*twice).into(),
                message: quotes::column_twice_problem(twice),
            });
        }
        Ok(CsvColumns { positions, names })
    }

    /// A bad row for a record with more fields than the header has names, when one of
    /// the extra fields holds text: a comma in an unquoted field (an address, a name) has
    /// split it, and every field after it sits in the wrong column. Extra fields that are
    /// all empty (trailing commas, as spreadsheets write) are no problem.
    ///
    /// ```
    /// use mikiwame::order::CsvColumns;
    /// let cols = CsvColumns::from_header(["order_id", "shipping_address", "amount"]).unwrap();
    /// let split = csv::StringRecord::from(vec!["A-1", "東京都世田谷区池尻1-2-3", "ハイツ101", "9800"]);
    /// let bad = cols.extra_fields(&split, 2).unwrap();
    /// assert_eq!((bad.error.row, bad.error.field.as_str()), (2, ""));
    /// assert!(bad.error.message.contains("4 fields"));
    /// let trailing = csv::StringRecord::from(vec!["A-2", "東京都世田谷区池尻1-2-3", "9800", "", ""]);
    /// assert!(cols.extra_fields(&trailing, 3).is_none());
    /// ```
    pub fn extra_fields(&self, record: &csv::StringRecord, row: u64) -> Option<BadRow> {
        let width = self.names.len();
        if record.len() <= width || record.iter().skip(width).all(|f| f.trim().is_empty()) {
            return None;
        }
        Some(BadRow {
            order_id: self.get(&|i| record.get(i), 0).map(str::to_string),
            error: RowError {
                row,
                field: String::new(),
                message: quotes::split_row_problem(record.len(), width),
            },
        })
    }

    /// The position of the header column `name` (matched trimmed and case-insensitively,
    /// as known columns are), for columns beyond the order's, such as a training label.
    ///
    /// ```
    /// let cols = mikiwame::order::CsvColumns::from_header(["order_id", " Label "]).unwrap();
    /// assert_eq!(cols.find("label"), Some(1));
    /// assert_eq!(cols.find("weight"), None);
    /// ```
    pub fn find(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n.eq_ignore_ascii_case(name))
    }

    /// The error row for a record whose last field opened a quote that never closed, so
    /// that the rest of the input was read into that field ([`CsvRecords`] finds these).
    ///
    /// ```
    /// use mikiwame::order::CsvColumns;
    /// let cols = CsvColumns::from_header(["order_id", "buyer_name"]).unwrap();
    /// let rec = csv::StringRecord::from(vec!["A-1", "山田\nA-2,佐藤\nA-3,鈴木\n"]);
    /// let bad = cols.unclosed_quote(&rec, 2);
    /// assert_eq!(bad.order_id.as_deref(), Some("A-1"));
    /// assert_eq!((bad.error.row, bad.error.field.as_str()), (2, "buyer_name"));
    /// assert!(bad.error.message.contains("2 more lines"));
    /// ```
    pub fn unclosed_quote(&self, record: &csv::StringRecord, row: u64) -> BadRow {
        let last = record.len().saturating_sub(1);
        BadRow {
            order_id: self.get(&|i| record.get(i), 0).map(str::to_string),
            error: RowError {
                row,
                field: self.names.get(last).cloned().unwrap_or_default(),
                message: quotes::unclosed_problem(record.get(last).unwrap_or(""), "not scored"),
            },
        }
    }

    /// A bad row for a record that swallowed later rows into a quoted field (two stray
    /// quotes), or `None` when no field holds lines that read as rows.
    ///
    /// ```
    /// use mikiwame::order::CsvColumns;
    /// let cols = CsvColumns::from_header(["order_id", "buyer_name", "amount"]).unwrap();
    /// let swallowed = csv::StringRecord::from(vec!["A-2", "oops,200\nA-3,y,300\nA-4,z", "400"]);
    /// let bad = cols.swallowed_rows(&swallowed, 3).unwrap();
    /// assert_eq!((bad.error.row, bad.error.field.as_str()), (3, "buyer_name"));
    /// assert!(bad.error.message.contains("runs over 3 lines, and 1 of the later ones"));
    /// let two_lines = csv::StringRecord::from(vec!["A-5", "東京都世田谷区池尻1-2-3\nハイツ池尻101", "900"]);
    /// assert!(cols.swallowed_rows(&two_lines, 7).is_none());
    /// ```
    pub fn swallowed_rows(&self, record: &csv::StringRecord, row: u64) -> Option<BadRow> {
        // Most records hold no line break: one scan of the record's text says so.
        memchr::memchr2(b'\n', b'\r', record.as_slice().as_bytes())?;
        let columns = self.names.len();
        let (at, rows) = record
            .iter()
            .enumerate()
            .map(|(i, f)| {
                (
                    i,
                    quotes::row_shaped_lines(f, columns, record.get(0).unwrap_or("")),
                )
            })
            .find(|(_, n)| *n > 0)?;
        Some(BadRow {
            order_id: self.get(&|i| record.get(i), 0).map(str::to_string),
            error: RowError {
                row,
                field: self.names.get(at).cloned().unwrap_or_default(),
                message: quotes::swallowed_problem(
                    record.get(at).unwrap_or(""),
                    rows,
                    "not scored",
                ),
            },
        })
    }

    /// The trimmed, non-empty cell of column `column` (an index into [`CSV_COLUMNS`]).
    fn get<'r>(&self, cell: &impl Fn(usize) -> Option<&'r str>, column: usize) -> Option<&'r str> {
        let v = cell(self.positions[column]?)?.trim();
        (!v.is_empty()).then_some(v)
    }

    /// Turns one CSV record (at line `row`) into an order.
    ///
    /// ```
    /// use mikiwame::order::CsvColumns;
    /// let cols = CsvColumns::from_header(["order_id", "buyer_name", "amount", "item_category"]).unwrap();
    /// let rec = csv::StringRecord::from(vec!["B-1", "佐藤花子", "12,000", "gift_card;book"]);
    /// let o = cols.order(&rec, 2).unwrap();
    /// assert_eq!(o.buyer.unwrap().name.as_deref(), Some("佐藤花子"));
    /// assert_eq!(o.items.len(), 2);
    /// ```
    pub fn order(&self, record: &csv::StringRecord, row: u64) -> Row {
        self.order_from(|i| record.get(i), row)
    }

    /// As [`CsvColumns::order`], for a record given cell by cell: `cell(i)` is the cell of
    /// the `i`-th header column, `None` when missing (a DataFrame's columns, without
    /// building a record per row).
    ///
    /// ```
    /// use mikiwame::order::CsvColumns;
    /// let cols = CsvColumns::from_header(["amount", "order_id"]).unwrap();
    /// let cells = [Some("1000"), Some("B-2")];
    /// let o = cols.order_from(|i| cells.get(i).copied().flatten(), 2).unwrap();
    /// assert_eq!((o.order_id.as_str(), o.amount), ("B-2", Some(1000.0)));
    /// ```
    pub fn order_from<'r>(&self, cell: impl Fn(usize) -> Option<&'r str>, row: u64) -> Row {
        use column as c;
        let owned = |col: usize| self.get(&cell, col).map(str::to_string);
        let fail = |field: &str, message: String| BadRow {
            order_id: owned(c::ORDER_ID),
            error: RowError {
                row,
                field: field.to_string(),
                message,
            },
        };
        let order_id =
            owned(c::ORDER_ID).ok_or_else(|| fail("order_id", "required, and missing".into()))?;
        // The six party columns follow each other in CSV_COLUMNS, from `first`.
        let party = |first: usize| -> Option<Party> {
            let p = Party {
                name: owned(first),
                name_kana: owned(first + 1),
                email: owned(first + 2),
                phone: owned(first + 3),
                postal_code: owned(first + 4),
                address: owned(first + 5),
            };
            (p != Party::default()).then_some(p)
        };
        let num = |col: usize| -> std::result::Result<Option<f64>, BadRow> {
            match self.get(&cell, col) {
                None => Ok(None),
                Some(s) => parse_number(s).map_err(|m| fail(CSV_COLUMNS[col], m)),
            }
        };
        let ts = |col: usize| -> std::result::Result<Option<String>, BadRow> {
            check_timestamp(owned(col), CSV_COLUMNS[col]).map_err(|(f, m)| fail(&f, m))
        };
        let list = |col: usize| -> Vec<&str> {
            self.get(&cell, col)
                .map(|s| s.split(';').map(str::trim).collect())
                .unwrap_or_default()
        };
        let (skus, cats, qtys, prices) = (
            list(c::ITEM_SKU),
            list(c::ITEM_SKU + 1),
            list(c::ITEM_SKU + 2),
            list(c::ITEM_SKU + 3),
        );
        let n = skus.len().max(cats.len()).max(qtys.len()).max(prices.len());
        let mut items = Vec::with_capacity(n);
        for i in 0..n {
            let field_num = |v: &[&str], field: &str| -> std::result::Result<Option<f64>, BadRow> {
                match v.get(i) {
                    None => Ok(None),
                    Some(s) => parse_number(s).map_err(|m| fail(field, m)),
                }
            };
            let field_text =
                |v: &[&str]| v.get(i).filter(|s| !s.is_empty()).map(|s| (*s).to_string());
            items.push(Item {
                sku: field_text(&skus),
                category: field_text(&cats),
                quantity: field_num(&qtys, "item_quantity")?,
                unit_price: field_num(&prices, "item_unit_price")?,
            });
        }
        let payment = Payment {
            method: owned(c::PAYMENT_METHOD),
            card_bin: owned(c::PAYMENT_METHOD + 1),
            card_fingerprint: owned(c::PAYMENT_METHOD + 2),
        };
        Ok(Order {
            ordered_at: ts(c::ORDERED_AT)?,
            amount: num(c::AMOUNT)?,
            currency: owned(c::CURRENCY),
            buyer: party(c::BUYER),
            shipping: party(c::SHIPPING),
            items,
            payment: (payment != Payment::default()).then_some(payment),
            ip: owned(c::IP),
            customer_id: owned(c::CUSTOMER_ID),
            account_created_at: ts(c::ACCOUNT_CREATED_AT)?,
            order_id,
        })
    }
}

/// Positions in [`CSV_COLUMNS`] (checked by a test), so that reading a record looks no
/// column name up.
mod column {
    pub const ORDER_ID: usize = 0;
    pub const ORDERED_AT: usize = 1;
    pub const AMOUNT: usize = 2;
    pub const CURRENCY: usize = 3;
    pub const BUYER: usize = 4;
    pub const SHIPPING: usize = 10;
    pub const ITEM_SKU: usize = 16;
    pub const PAYMENT_METHOD: usize = 20;
    pub const IP: usize = 23;
    pub const CUSTOMER_ID: usize = 24;
    pub const ACCOUNT_CREATED_AT: usize = 25;
}

/// Reads CSV orders (with a header row of the flattened names) from `reader`.
///
/// A record that the CSV reader cannot decode (invalid UTF-8, broken quoting) becomes a bad
/// row; the batch goes on. Fails as a whole only when the header has no `order_id`.
///
/// ```
/// let input = "order_id,buyer_name,amount\nA-1,佐藤花子,1000\nA-2,鈴木一郎,abc\n";
/// let rows: Vec<_> = mikiwame::order::read_csv(input.as_bytes()).unwrap().map(|r| r.unwrap()).collect();
/// assert!(rows[0].is_ok());
/// let bad = rows[1].as_ref().unwrap_err();
/// assert_eq!((bad.error.row, bad.error.field.as_str()), (3, "amount"));
/// ```
pub fn read_csv<R: std::io::Read>(reader: R) -> Result<impl Iterator<Item = Result<Row>>> {
    let records = CsvRecords::new(reader)?;
    let columns = records.columns().clone();
    Ok(records.map(move |rec| {
        rec.map(|r| {
            r.and_then(|r| {
                let row = r.position().map_or(0, |p| p.line());
                columns.order(&r, row)
            })
        })
    }))
}

/// The records of CSV orders after their header, for callers that turn them into orders
/// themselves ([`read_csv`] does; `mikiwame score` does it on many threads).
///
/// A record that cannot be decoded (invalid UTF-8) is a bad row, and so is a record whose
/// last field opens a quote that never closes: the reader took the rest of the input into
/// that field, and it is reported ([`CsvColumns::unclosed_quote`]) instead of scored. To
/// know the last record, the reader stays one record ahead. Fails only on read errors.
///
/// ```
/// use mikiwame::order::CsvRecords;
/// let input = "order_id,buyer_name\nA-1,佐藤\nA-2,\"鈴木\nA-3,山田\n";
/// let rows: Vec<_> = CsvRecords::new(input.as_bytes()).unwrap().map(|r| r.unwrap()).collect();
/// assert_eq!(rows.len(), 2, "A-3 went into A-2's name");
/// assert_eq!(&rows[0].as_ref().unwrap()[0], "A-1");
/// let bad = rows[1].as_ref().unwrap_err();
/// assert_eq!((bad.order_id.as_deref(), bad.error.field.as_str()), (Some("A-2"), "buyer_name"));
/// let records = CsvRecords::new("order_id\nA-1\n".as_bytes()).unwrap();
/// assert!(format!("{records:?}").starts_with("CsvRecords"));
/// ```
pub struct CsvRecords<R: std::io::Read> {
    records: csv::StringRecordsIntoIter<quotes::QuoteWatch<R>>,
    /// The record after the one handed out last.
    ahead: Option<csv::Result<csv::StringRecord>>,
    watched: quotes::Watched,
    columns: CsvColumns,
}

impl<R: std::io::Read> CsvRecords<R> {
    /// Reads the header. Fails when it cannot be read or has no `order_id` column.
    pub fn new(reader: R) -> Result<CsvRecords<R>> {
        let (watch, watched) = quotes::QuoteWatch::new(reader);
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(true)
            .from_reader(watch);
        let header = rdr.headers().map_err(csv_error)?.clone();
        let columns = CsvColumns::from_header(header.iter())?;
        let mut records = rdr.into_records();
        let ahead = records.next();
        Ok(CsvRecords {
            records,
            ahead,
            watched,
            columns,
        })
    }

    /// Where the known columns sit in the header.
    pub fn columns(&self) -> &CsvColumns {
        &self.columns
    }
}

impl<R: std::io::Read> std::fmt::Debug for CsvRecords<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CsvRecords")
            .field("columns", &self.columns)
            .finish_non_exhaustive()
    }
}

impl<R: std::io::Read> Iterator for CsvRecords<R> {
    /// A record or the bad row it makes; `Err` on a read error, which ends the input.
    type Item = Result<std::result::Result<csv::StringRecord, BadRow>>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut current = self.ahead.take()?;
        // The line the record starts on, as an editor shows it (not the csv crate's count).
        let line = match &current {
            Ok(r) => r.position(),
            Err(e) => e.position(),
        }
        .map(|p| self.watched.line_at(p.byte()));
        self.ahead = self.records.next();
        let last = self.ahead.is_none();
        if let (Ok(r), Some(line)) = (&mut current, line) {
            if let Some(mut pos) = r.position().cloned() {
                pos.set_line(line);
                r.set_position(Some(pos));
            }
        }
        Some(match current {
            Ok(r) if last && self.watched.unclosed() => {
                Ok(Err(self.columns.unclosed_quote(&r, line.unwrap_or(0))))
            }
            Ok(r) => {
                let row = line.unwrap_or(0);
                match self
                    .columns
                    .swallowed_rows(&r, row)
                    .or_else(|| self.columns.extra_fields(&r, row))
                {
                    Some(bad) => Ok(Err(bad)),
                    None => Ok(Ok(r)),
                }
            }
            Err(e) if matches!(e.kind(), csv::ErrorKind::Io(_)) => Err(csv_error(e)),
            Err(e) => {
                let mut bad = csv_bad_row(&e);
                bad.error.row = line.unwrap_or(bad.error.row);
                Ok(Err(bad))
            }
        })
    }
}

/// A bad row for a CSV record that could not be decoded.
pub fn csv_bad_row(e: &csv::Error) -> BadRow {
    BadRow {
        order_id: None,
        error: RowError {
            row: e.position().map_or(0, |p| p.line()),
            field: String::new(),
            message: format!("unreadable CSV record: {e}"),
        },
    }
}

fn csv_error(e: csv::Error) -> Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => Error::io("input", io),
        other => Error::Input {
            row: 1,
            field: String::new(),
            message: format!("unreadable CSV header: {other:?}"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_must_be_strict_utf8() {
        let line = |inner: &[u8]| {
            let mut l = br#"{"order_id":"u1","buyer":{"name":""#.to_vec();
            l.extend_from_slice(inner);
            l.extend_from_slice(br#""}}"#);
            l
        };
        let ok = parse_json_line(&line("山田太郎 🐈".as_bytes()), 1).unwrap();
        assert_eq!(
            ok.buyer.and_then(|b| b.name).as_deref(),
            Some("山田太郎 🐈")
        );
        for bad in [
            &b"\xc0\xaf"[..],    // overlong '/'
            b"\xe0\x80\xaf",     // overlong, three bytes
            b"\xed\xa0\x80",     // a UTF-16 surrogate
            b"\xf4\x90\x80\x80", // above U+10FFFF
            b"\xe5\xb1",         // a character cut short
            b"\x80",             // a lone continuation byte
            b"\xff",
        ] {
            let err = parse_json_line(&line(bad), 4).unwrap_err();
            assert_eq!(err.error.row, 4, "{bad:?}");
            assert!(err.error.message.contains("UTF-8"), "{bad:?}");
        }
    }

    /// The design document's example order (also read by `scan`'s tests).
    pub(super) const FULL: &str = r#"{"order_id": "A-1001", "ordered_at": "2026-11-20T13:45:00+09:00", "amount": 39800, "currency": "JPY",
 "buyer":    {"name": "山田太郎", "name_kana": "ヤマダタロウ", "email": "taro@example.jp",
              "phone": "090-1234-5678", "postal_code": "154-0001", "address": "東京都世田谷区池尻1-2-3"},
 "shipping": {"name": "山田太郎", "phone": "090-1234-5678", "postal_code": "154-0001",
              "address": "東京都世田谷区池尻1-2-3 ハイツ池尻101"},
 "items":    [{"sku": "GC-10000", "category": "gift_card", "quantity": 2, "unit_price": 10000}],
 "payment":  {"method": "card", "card_bin": "411111", "card_fingerprint": "f9a1..."},
 "ip": "203.0.113.7", "customer_id": "c-42", "account_created_at": "2026-11-20T13:30:00+09:00"}"#;

    #[test]
    fn design_example_reads() {
        let o = Order::from_json(FULL).unwrap();
        assert_eq!(o.order_id, "A-1001");
        assert_eq!(o.items[0].quantity, Some(2.0));
        assert_eq!(
            o.payment.as_ref().unwrap().card_bin.as_deref(),
            Some("411111")
        );
        assert_eq!(
            o.ship_to().unwrap().address.as_deref(),
            Some("東京都世田谷区池尻1-2-3 ハイツ池尻101")
        );
        // The strict serde form reads the same document to the same order.
        let strict: Order = serde_json::from_str(FULL).unwrap();
        assert_eq!(strict, o);
    }

    #[test]
    fn a_column_twice_is_refused_and_a_split_row_is_an_error() {
        // Found by a review: the first `amount` was taken silently, and fields beyond the
        // header were dropped.
        let e = CsvColumns::from_header(["order_id", "amount", "Amount"]).unwrap_err();
        assert!(e.to_string().contains("`amount` twice"), "{e}");
        let input = "order_id,shipping_address,amount\nA1,東京都世田谷区池尻1-2-3,ハイツ101,9800\nA2,東京都世田谷区池尻1-2-3,9800,,\n";
        let rows: Vec<Row> = read_csv(input.as_bytes())
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        let bad = rows[0].as_ref().unwrap_err();
        assert_eq!((bad.error.row, bad.order_id.as_deref()), (2, Some("A1")));
        assert_eq!(rows[1].as_ref().unwrap().amount, Some(9800.0));
    }

    #[test]
    fn two_stray_quotes_make_an_error_row_of_the_swallowing_record() {
        // Found by a review: A3 and A4 went into A2's name, and the batch said 0 errors.
        let input =
            "order_id,buyer_name,amount\nA1,x,100\nA2,\"oops,200\nA3,y,300\nA4,\"z,400\nA5,w,500\n";
        let rows: Vec<Row> = read_csv(input.as_bytes())
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        let ids: Vec<&str> = rows
            .iter()
            .map(|r| match r {
                Ok(o) => o.order_id.as_str(),
                Err(b) => b.order_id.as_deref().unwrap_or(""),
            })
            .collect();
        assert_eq!(ids, ["A1", "A2", "A5"]);
        let bad = rows[1].as_ref().unwrap_err();
        assert_eq!((bad.error.row, bad.error.field.as_str()), (3, "buyer_name"));
        // An address over two lines is an address, even with commas in a narrow file
        // (found by a second review).
        let input = "order_id,shipping_address,amount\nB1,\"Flat 3\n12 Baker Street, London, NW1 6XE\",100\n";
        let rows: Vec<Row> = read_csv(input.as_bytes())
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        assert!(rows[0].is_ok(), "{:?}", rows[0]);
        let input = "order_id,shipping_address\nB1,\"東京都世田谷区池尻1-2-3\nハイツ池尻101\"\n";
        let rows: Vec<Row> = read_csv(input.as_bytes())
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        assert!(rows[0].is_ok());
    }

    #[test]
    fn rows_refused_over_one_number_name_its_field_and_the_order() {
        // Found by a review: `"amount": 1e400` gave an error row with no field and no ID.
        for (line, field, id) in [
            (r#"{"order_id":"a","amount":1e400}"#, "amount", Some("a")),
            (
                r#"{"order_id":"b","ordered_at":"2026-11-20T15:09:00","buyer":{"name":"x\"y","phone":1e999}}"#,
                "buyer.phone",
                Some("b"),
            ),
            (
                r#"{"order_id": 42, "items":[{"quantity":1},{"quantity":-1e999}]}"#,
                "items[1].quantity",
                Some("42"),
            ),
            // A syntax error names no field: the row's text is not to be trusted there.
            (r#"{"order_id":"c","amount":1,,}"#, "", Some("c")),
        ] {
            let bad = parse_json_row(line, 3).unwrap_err();
            assert_eq!(bad.error.field, field, "{line}");
            assert_eq!(bad.order_id.as_deref(), id, "{line}");
        }
    }

    #[test]
    fn numbers_too_long_to_keep_are_refused_not_rounded() {
        // Found by a review: 18446744073709551616 and …617 both became
        // "1.8446744073709552e+19", one ID for two orders.
        for (line, field) in [
            (r#"{"order_id":18446744073709551616}"#, "order_id"),
            (
                r#"{"order_id":"a","customer_id":123456789012345678901234}"#,
                "customer_id",
            ),
        ] {
            let bad = parse_json_row(line, 4).unwrap_err();
            assert_eq!(
                (bad.error.row, bad.error.field.as_str()),
                (4, field),
                "{line}"
            );
        }
        let ok = |line: &str| parse_json_row(line, 1).unwrap().order_id;
        assert_eq!(
            ok(r#"{"order_id":18446744073709551615}"#),
            "18446744073709551615"
        );
        assert_eq!(
            ok(r#"{"order_id":-9223372036854775808}"#),
            "-9223372036854775808"
        );
        assert_eq!(ok(r#"{"order_id":12.5}"#), "12.5");
    }

    #[test]
    fn only_order_id_is_required() {
        let o = Order::from_json(r#"{"order_id": "x"}"#).unwrap();
        assert_eq!(o.buyer, None);
        assert_eq!(o.ship_to(), None);
        let e = Order::from_json(r#"{"amount": 1}"#).unwrap_err();
        assert_eq!(e.field, "order_id");
        let e = Order::from_json(r#"{"order_id": "  "}"#).unwrap_err();
        assert_eq!(e.field, "order_id");
    }

    #[test]
    fn field_paths_in_errors() {
        let cases = [
            (r#"{"order_id":"a","ordered_at":"tomorrow"}"#, "ordered_at"),
            (
                r#"{"order_id":"a","items":[{},{"quantity":"x"}]}"#,
                "items[1].quantity",
            ),
            (r#"{"order_id":"a","items":{}}"#, "items"),
            (
                r#"{"order_id":"a","shipping":{"address":{}}}"#,
                "shipping.address",
            ),
            (r#"{"order_id":"a","payment":"card"}"#, "payment"),
            (
                r#"{"order_id":"a","account_created_at":"2026-02-30"}"#,
                "account_created_at",
            ),
            (r#"[1,2]"#, ""),
            (r#"{"order_id":"#, ""),
        ];
        for (json, field) in cases {
            assert_eq!(Order::from_json(json).unwrap_err().field, field, "{json}");
        }
    }

    #[test]
    fn lenient_values() {
        let o = Order::from_json(
            r#"{"order_id": 12, "amount": "¥３９,８００", "buyer": {"phone": 9012345678, "name": ""}}"#,
        )
        .unwrap();
        assert_eq!(o.order_id, "12");
        assert_eq!(o.amount, Some(39800.0));
        assert_eq!(o.buyer.unwrap().phone.as_deref(), Some("9012345678"));
        // An empty shipping object is no shipping.
        let o = Order::from_json(r#"{"order_id":"a","shipping":{"name":""}}"#).unwrap();
        assert_eq!(o.shipping, None);
    }

    #[test]
    fn csv_rows_and_errors() {
        let input = "order_id,buyer_name,shipping_address,amount,ordered_at,payment_card_bin,extra\n\
                     C-1,佐藤花子,大阪府大阪市北区梅田1-1-1,5000,2026-11-20T01:00:00+09:00,411111,zzz\n\
                     C-2,,,\"1,000\",bad-date,,\n\
                     ,nobody,,,,,\n";
        let rows: Vec<Row> = read_csv(input.as_bytes())
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        assert_eq!(rows.len(), 3);
        let o = rows[0].as_ref().unwrap();
        assert_eq!(
            o.ship_to().unwrap().address.as_deref(),
            Some("大阪府大阪市北区梅田1-1-1")
        );
        assert_eq!(
            o.payment.as_ref().unwrap().card_bin.as_deref(),
            Some("411111")
        );
        let bad = rows[1].as_ref().unwrap_err();
        assert_eq!(bad.order_id.as_deref(), Some("C-2"));
        assert_eq!((bad.error.row, bad.error.field.as_str()), (3, "ordered_at"));
        assert_eq!(rows[2].as_ref().unwrap_err().error.field, "order_id");
        assert!(read_csv("id,name\n1,x\n".as_bytes()).is_err());
    }

    #[test]
    fn rows_that_are_not_orders_say_where_and_what() {
        let message = |d: &str| parse_json_row(d, 7).unwrap_err().error.message;
        let cut = message(r#"{"order_id":"#);
        assert!(cut.contains("cut short") && !cut.contains("line"), "{cut}");
        // Byte 8 of the row is the second comma.
        let bad = message(r#"{"a":1,,}"#);
        assert!(bad.ends_with("(at byte 8 of the row)"), "{bad}");
        assert!(message("[1, 2]").contains("got an array"));
        assert!(message("null").contains("got null"));
        assert!(message(r#""A-1""#).contains("got a string"));
    }

    #[test]
    fn fast_and_lenient_paths_agree() {
        let docs = [
            FULL,
            r#"{"order_id":" a ","buyer":{"name":"  ","email":" x@y.jp "},"shipping":{}}"#,
            r#"{"order_id":"a","payment":{},"items":[{"sku":"","quantity":1.5}]}"#,
            r#"{"order_id":"a","ordered_at":" 2026-11-20T01:00:00Z ","ip":""}"#,
            r#"{"order_id":"a","buyer":null,"items":[],"extra":{"x":1}}"#,
            r#"{"order_id":"a","amount":1e3,"currency":"JPY"}"#,
        ];
        for d in docs {
            let fast = parse_json_row(d, 1);
            let lenient = parse_json_row_lenient(d, 1);
            assert_eq!(fast, lenient, "{d}");
            assert!(fast.is_ok(), "{d}");
        }
        // Rows the fast path hands over keep the lenient reader's errors.
        for (d, field) in [
            (r#"{"order_id":"","amount":1}"#, "order_id"),
            (r#"{"order_id":"a","ordered_at":"soon"}"#, "ordered_at"),
        ] {
            assert_eq!(parse_json_row(d, 4).unwrap_err().error.field, field);
        }
    }

    proptest::proptest! {
        #[test]
        fn fast_path_equals_lenient(
            id in "[ a-z0-9]{0,4}",
            text in proptest::option::of("\\PC{0,8}"),
            at in proptest::option::of("2026-11-2[0-9]T[0-2][0-9]:[0-5][0-9]:00(Z|\\+09:00)? ?"),
            amount in proptest::option::of(-1e7f64..1e7),
            quantity in proptest::option::of(0u32..5),
        ) {
            let doc = serde_json::json!({
                "order_id": id, "ordered_at": at, "amount": amount, "ip": text,
                "buyer": {"name": text, "phone": text},
                "shipping": {"address": text},
                "items": [{"category": text, "quantity": quantity}],
                "payment": {"card_fingerprint": text},
            })
            .to_string();
            proptest::prop_assert_eq!(parse_json_row(&doc, 9), parse_json_row_lenient(&doc, 9));
        }
    }

    #[test]
    fn column_positions_match_the_names() {
        use column as c;
        let at = |i: usize| CSV_COLUMNS[i];
        assert_eq!(
            [
                at(c::ORDER_ID),
                at(c::ORDERED_AT),
                at(c::AMOUNT),
                at(c::CURRENCY)
            ],
            ["order_id", "ordered_at", "amount", "currency"]
        );
        for (first, prefix) in [(c::BUYER, "buyer"), (c::SHIPPING, "shipping")] {
            for (k, field) in [
                "name",
                "name_kana",
                "email",
                "phone",
                "postal_code",
                "address",
            ]
            .iter()
            .enumerate()
            {
                assert_eq!(at(first + k), format!("{prefix}_{field}"));
            }
        }
        let items = [
            "item_sku",
            "item_category",
            "item_quantity",
            "item_unit_price",
        ];
        assert_eq!(&CSV_COLUMNS[c::ITEM_SKU..c::ITEM_SKU + 4], items);
        let payment = [
            "payment_method",
            "payment_card_bin",
            "payment_card_fingerprint",
        ];
        assert_eq!(
            &CSV_COLUMNS[c::PAYMENT_METHOD..c::PAYMENT_METHOD + 3],
            payment
        );
        assert_eq!(
            [at(c::IP), at(c::CUSTOMER_ID), at(c::ACCOUNT_CREATED_AT)],
            ["ip", "customer_id", "account_created_at"]
        );
        assert_eq!(CSV_COLUMNS.len(), 26);
    }

    #[test]
    fn csv_multi_items() {
        let cols = CsvColumns::from_header([
            "order_id",
            "item_category",
            "item_quantity",
            "item_unit_price",
        ])
        .unwrap();
        let rec = csv::StringRecord::from(vec!["a", "gift_card;electronics", "2;1", "5000;"]);
        let o = cols.order(&rec, 2).unwrap();
        assert_eq!(o.items.len(), 2);
        assert_eq!(o.items[1].category.as_deref(), Some("electronics"));
        assert_eq!(o.items[1].unit_price, None);
        let rec = csv::StringRecord::from(vec!["a", "gift_card", "two", ""]);
        assert_eq!(
            cols.order(&rec, 5).unwrap_err().error.field,
            "item_quantity"
        );
    }
}
