//! Reading labelled orders: the order fields plus `label` (1/0) or `fraud` (true/false),
//! and an optional positive `weight`, in JSONL or CSV.

use std::io::BufRead;

use serde::Deserialize;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::order::{parse_json_row, BadRow, CsvRecords, Order, RowError};

/// One labelled order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Labelled {
    /// The order.
    pub order: Order,
    /// True when the order was confirmed fraud (a chargeback, a confirmed report).
    pub fraud: bool,
    /// How much the order counts (1 unless given): e.g. to undo a sample that kept only
    /// one legitimate order in ten, give those a weight of 10.
    pub weight: f64,
}

/// A labelled order, or the reason its row could not be used.
pub type LabelledRow = std::result::Result<Labelled, BadRow>;

#[derive(Deserialize)]
struct LabelFields {
    label: Option<Value>,
    fraud: Option<Value>,
    weight: Option<Value>,
}

/// Reads a label value: true/false, 1/0, or the same as text (also yes/no).
fn label_value(v: &Value) -> std::result::Result<bool, String> {
    match v {
        Value::Bool(b) => Ok(*b),
        Value::Number(n) if n.as_f64() == Some(1.0) => Ok(true),
        Value::Number(n) if n.as_f64() == Some(0.0) => Ok(false),
        Value::String(s) => label_text(s),
        other => Err(format!("expected 1/0 or true/false, found {other}")),
    }
}

fn label_text(s: &str) -> std::result::Result<bool, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" => Ok(true),
        "0" | "false" | "no" => Ok(false),
        other => Err(format!("expected 1/0 or true/false, found `{other}`")),
    }
}

fn weight_value(v: Option<&Value>) -> std::result::Result<f64, String> {
    let w = match v {
        None | Some(Value::Null) => return Ok(1.0),
        Some(Value::Number(n)) => n.as_f64(),
        Some(Value::String(s)) => s.trim().parse::<f64>().ok(),
        Some(_) => None,
    };
    match w {
        Some(w) if w > 0.0 && w <= MAX_ROW_WEIGHT => Ok(w),
        _ => Err(format!(
            "expected a positive number up to {MAX_ROW_WEIGHT}: a weight counts the row as that many orders"
        )),
    }
}

/// The largest weight a labelled row may carry ([`Labelled::weight`]). One row weighing 1e308 made training
/// numerically singular whatever the L2 strength, and evaluation print NaN.
pub const MAX_ROW_WEIGHT: f64 = 1_000_000.0;

/// Combines `label` and `fraud` (either may be given; both must then agree).
fn combine(
    label: Option<std::result::Result<bool, String>>,
    fraud: Option<std::result::Result<bool, String>>,
) -> std::result::Result<bool, (&'static str, String)> {
    let label = label.transpose().map_err(|m| ("label", m))?;
    let fraud = fraud.transpose().map_err(|m| ("fraud", m))?;
    match (label, fraud) {
        (Some(a), Some(b)) if a != b => Err((
            "label",
            "`label` and `fraud` disagree: give one of them".into(),
        )),
        (Some(a), _) | (None, Some(a)) => Ok(a),
        (None, None) => Err((
            "label",
            "missing: give `label` (1 fraud, 0 legitimate) or `fraud` (true/false)".into(),
        )),
    }
}

fn bad(order: &Order, row: u64, field: &str, message: String) -> BadRow {
    BadRow {
        order_id: Some(order.order_id.clone()),
        error: RowError {
            row,
            field: field.into(),
            message,
        },
    }
}

/// Reads one JSONL line (row `row`) as a labelled order.
///
/// ```
/// let l = mikiwame::learn::read_labelled_line(r#"{"order_id": "a", "fraud": true, "weight": 2}"#, 1).unwrap();
/// assert!(l.fraud && l.weight == 2.0);
/// let e = mikiwame::learn::read_labelled_line(r#"{"order_id": "b"}"#, 2).unwrap_err();
/// assert_eq!((e.error.row, e.error.field.as_str()), (2, "label"));
/// ```
pub fn read_labelled_line(line: &str, row: u64) -> LabelledRow {
    let order = parse_json_row(line, row)?;
    let fields: LabelFields = serde_json::from_str(line)
        .map_err(|e| bad(&order, row, "label", format!("unreadable: {e}")))?;
    let fraud = combine(
        fields
            .label
            .as_ref()
            .filter(|v| !v.is_null())
            .map(label_value),
        fields
            .fraud
            .as_ref()
            .filter(|v| !v.is_null())
            .map(label_value),
    )
    .map_err(|(f, m)| bad(&order, row, f, m))?;
    let weight = weight_value(fields.weight.as_ref()).map_err(|m| bad(&order, row, "weight", m))?;
    Ok(Labelled {
        order,
        fraud,
        weight,
    })
}

/// Reads labelled JSONL; blank lines are skipped but counted, so rows are line numbers.
/// The outer `Result` is an I/O failure of the reader.
pub fn read_labelled_jsonl<R: BufRead>(reader: R) -> impl Iterator<Item = Result<LabelledRow>> {
    crate::order::jsonl_rows(reader, read_labelled_line)
}

/// Reads labelled CSV: the flattened order columns plus `label` or `fraud`, and
/// optionally `weight`. Fails as a whole when the header has neither label column.
///
/// ```
/// let csv = "order_id,buyer_name,label,weight\nA-1,佐藤花子,0,\nA-2,徳川家康,1,3\nA-3,x,maybe,\n";
/// let rows: Vec<_> = mikiwame::learn::read_labelled_csv(csv.as_bytes()).unwrap()
///     .map(|r| r.unwrap()).collect();
/// assert!(!rows[0].as_ref().unwrap().fraud);
/// assert_eq!(rows[1].as_ref().unwrap().weight, 3.0);
/// assert_eq!(rows[2].as_ref().unwrap_err().error.row, 4);
/// ```
pub fn read_labelled_csv<R: std::io::Read>(
    reader: R,
) -> Result<impl Iterator<Item = Result<LabelledRow>>> {
    let records = CsvRecords::new(reader)?;
    let columns = records.columns().clone();
    let find = |name: &str| columns.find(name);
    let (label_col, fraud_col, weight_col) = (find("label"), find("fraud"), find("weight"));
    if label_col.is_none() && fraud_col.is_none() {
        return Err(Error::Input {
            row: 1,
            field: "label".into(),
            message:
                "the CSV header has no `label` or `fraud` column: add one (1 fraud, 0 legitimate)"
                    .into(),
        });
    }
    Ok(records.map(move |rec| {
        let rec = match rec {
            Ok(Ok(r)) => r,
            Ok(Err(bad)) => return Ok(Err(bad)),
            Err(e) => return Err(e),
        };
        let row = rec.position().map_or(0, |p| p.line());
        let cell = |c: Option<usize>| {
            c.and_then(|i| rec.get(i))
                .map(str::trim)
                .filter(|s| !s.is_empty())
        };
        Ok(columns.order(&rec, row).and_then(|order| {
            let fraud = combine(
                cell(label_col).map(label_text),
                cell(fraud_col).map(label_text),
            )
            .map_err(|(f, m)| bad(&order, row, f, m))?;
            let weight = weight_value(cell(weight_col).map(|s| Value::String(s.into())).as_ref())
                .map_err(|m| bad(&order, row, "weight", m))?;
            Ok(Labelled {
                order,
                fraud,
                weight,
            })
        }))
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jsonl_labels_survive_a_bom_and_a_line_that_is_not_utf8() {
        // Found by a review: one such line stopped `train` and `evaluate` altogether.
        let input: &[u8] = b"\xEF\xBB\xBF{\"order_id\":\"a\",\"label\":1}\r\n{\"order_id\":\"\xFF\",\"label\":0}\n\n{\"order_id\":\"c\",\"label\":0}";
        let rows: Vec<LabelledRow> = read_labelled_jsonl(input).map(|r| r.unwrap()).collect();
        assert_eq!(rows.len(), 3);
        assert!(rows[0].as_ref().unwrap().fraud);
        let bad = rows[1].as_ref().unwrap_err();
        assert_eq!(bad.error.row, 2);
        assert!(bad.error.message.contains("UTF-8"), "{}", bad.error.message);
        assert_eq!(rows[2].as_ref().unwrap().order.order_id, "c");
    }

    #[test]
    fn label_spellings() {
        for (json, fraud) in [
            (r#"{"order_id":"a","label":1}"#, true),
            (r#"{"order_id":"a","label":0}"#, false),
            (r#"{"order_id":"a","label":"1"}"#, true),
            (r#"{"order_id":"a","fraud":false}"#, false),
            (r#"{"order_id":"a","fraud":"TRUE","label":1}"#, true),
        ] {
            assert_eq!(read_labelled_line(json, 1).unwrap().fraud, fraud, "{json}");
        }
        for (json, field) in [
            (r#"{"order_id":"a","label":2}"#, "label"),
            (r#"{"order_id":"a","fraud":"x"}"#, "fraud"),
            (r#"{"order_id":"a","label":1,"fraud":false}"#, "label"),
            (r#"{"order_id":"a","label":1,"weight":-1}"#, "weight"),
            (r#"{"order_id":"a","label":1,"weight":"x"}"#, "weight"),
            // Found by a review: one such row made training singular.
            (r#"{"order_id":"a","label":1,"weight":1e308}"#, "weight"),
            (r#"{"order_id":"a","label":1,"weight":1000001}"#, "weight"),
            (r#"{"order_id":"a","label":1,"amount":"x"}"#, "amount"),
        ] {
            let e = read_labelled_line(json, 5).unwrap_err();
            assert_eq!((e.error.row, e.error.field.as_str()), (5, field), "{json}");
        }
    }

    #[test]
    fn csv_needs_a_label_column() {
        assert!(read_labelled_csv("order_id,buyer_name\na,b\n".as_bytes()).is_err());
        let rows: Vec<LabelledRow> =
            read_labelled_csv("order_id,fraud,amount\na,true,100\nb,,100\nc,false,x\n".as_bytes())
                .unwrap()
                .map(|r| r.unwrap())
                .collect();
        assert!(rows[0].as_ref().unwrap().fraud);
        assert_eq!(rows[1].as_ref().unwrap_err().error.field, "label");
        assert_eq!(rows[2].as_ref().unwrap_err().error.field, "amount");
    }
}
