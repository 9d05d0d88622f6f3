//! A one-pass reader for well-formed JSON orders: the common case, read straight into an
//! [`Order`] without serde's per-field machinery.
//!
//! It gives up (returns `None`) on anything it is not sure of: a syntax error, a text field
//! written as a number, a `null` list, a duplicate field, a lone surrogate escape. The
//! caller then reads the row with serde and, failing that, the lenient reader, which also
//! words the errors. So for every input this reader either agrees with serde's derive (the
//! property test below checks it) or stays out of the way.

use super::{Item, Order, Party, Payment};

/// Reads `line` as one order, or `None` when the serde path should decide.
pub(super) fn order(line: &str) -> Option<Order> {
    let mut s = Scanner {
        text: line,
        bytes: line.as_bytes(),
        pos: 0,
        depth: 0,
    };
    let mut order = Order::default();
    let mut id = None;
    let mut seen = 0u32;
    s.ws();
    s.object(|s, key| {
        let bit = match key {
            "order_id" => 0,
            "ordered_at" => 1,
            "amount" => 2,
            "currency" => 3,
            "buyer" => 4,
            "shipping" => 5,
            "items" => 6,
            "payment" => 7,
            "ip" => 8,
            "customer_id" => 9,
            "account_created_at" => 10,
            _ => return s.skip_value(),
        };
        // A duplicate field: serde refuses it, the lenient reader decides.
        first_time(&mut seen, bit)?;
        match bit {
            0 => id = Some(s.string()?),
            1 => order.ordered_at = s.opt_string()?,
            2 => order.amount = s.opt_number()?,
            3 => order.currency = s.opt_string()?,
            4 => order.buyer = s.party()?,
            5 => order.shipping = s.party()?,
            6 => order.items = s.items()?,
            7 => order.payment = s.payment()?,
            8 => order.ip = s.opt_string()?,
            9 => order.customer_id = s.opt_string()?,
            _ => order.account_created_at = s.opt_string()?,
        }
        Some(())
    })?;
    s.ws();
    if s.pos != s.bytes.len() {
        return None;
    }
    order.order_id = id?;
    Some(order)
}

struct Scanner<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    /// Nesting of skipped values: deep input goes to serde, which has its own limit,
    /// instead of exhausting the stack here.
    depth: u32,
}

/// The position of the first `"`, `\\` or control character (below U+0020) in `bytes`.
///
/// Eight bytes at a time (SWAR): a string's text is read once per order and field, and a
/// byte-by-byte test took about a sixth of the scanner's instructions. In each word, a byte
/// equal to `"` or `\\` becomes zero after the XOR, and `(v - 0x01…) & !v & 0x80…` marks
/// zero bytes; `(x - 0x20…) & !x & 0x80…` marks bytes below 0x20. A borrow can mark a byte
/// falsely only above (after) a truly marked one, so the lowest mark is the first match.
fn special_at(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut words = bytes.chunks_exact(8);
    let mut at = 0;
    for w in words.by_ref() {
        // `chunks_exact` gives eight bytes each time; the conversion cannot fail.
        let Ok(w) = <[u8; 8]>::try_from(w) else { break };
        let x = u64::from_le_bytes(w);
        let quote = x ^ (ONES * u64::from(b'"'));
        let backslash = x ^ (ONES * u64::from(b'\\'));
        let marks = ((quote.wrapping_sub(ONES) & !quote)
            | (backslash.wrapping_sub(ONES) & !backslash)
            | (x.wrapping_sub(ONES * 0x20) & !x))
            & HIGH;
        if marks != 0 {
            return Some(at + (marks.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    words
        .remainder()
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
        .map(|i| at + i)
}

/// Deeper unknown values than this are left to serde.
const MAX_DEPTH: u32 = 64;

impl<'a> Scanner<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// JSON whitespace only (not Unicode's).
    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, b: u8) -> Option<()> {
        (self.peek() == Some(b)).then(|| self.pos += 1)
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        self.bytes[self.pos..]
            .starts_with(word)
            .then(|| self.pos += word.len())
    }

    /// `{ "key": value, ... }`, calling `field` with the scanner after each key's colon.
    fn object(&mut self, mut field: impl FnMut(&mut Self, &str) -> Option<()>) -> Option<()> {
        self.eat(b'{')?;
        self.ws();
        if self.eat(b'}').is_some() {
            return Some(());
        }
        loop {
            self.ws();
            let key = self.key()?;
            self.ws();
            self.eat(b':')?;
            self.ws();
            field(self, key)?;
            self.ws();
            match self.peek()? {
                b',' => self.pos += 1,
                b'}' => {
                    self.pos += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// `null` (true) or something else (false, nothing consumed).
    fn null(&mut self) -> bool {
        self.literal(b"null").is_some()
    }

    fn opt_string(&mut self) -> Option<Option<String>> {
        if self.null() {
            return Some(None);
        }
        self.string().map(Some)
    }

    fn opt_number(&mut self) -> Option<Option<f64>> {
        if self.null() {
            return Some(None);
        }
        self.number().map(Some)
    }

    /// Moves to the next `"`, `\\` or control character of a string; `None` at the end.
    fn plain_run(&mut self) -> Option<u8> {
        let n = special_at(self.bytes.get(self.pos..)?)?;
        self.pos += n;
        self.peek()
    }

    /// An object key, borrowed; `None` for a key with escapes (serde decides those).
    fn key(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let start = self.pos;
        (self.plain_run()? == b'"').then_some(())?;
        self.pos += 1;
        let text: &'a str = self.text;
        text.get(start..self.pos - 1)
    }

    /// A string, unescaped; `None` on control characters, bad escapes or lone surrogates.
    fn string(&mut self) -> Option<String> {
        self.eat(b'"')?;
        let start = self.pos;
        // The plain run up to the closing quote or the first escape.
        match self.plain_run()? {
            b'"' => {
                let s = self.text.get(start..self.pos)?.to_string();
                self.pos += 1;
                return Some(s);
            }
            b'\\' => {}
            _ => return None,
        }
        let mut out = String::from(self.text.get(start..self.pos)?);
        loop {
            let run = self.pos;
            if self.plain_run()? < 0x20 {
                return None;
            }
            out.push_str(self.text.get(run..self.pos)?);
            if self.eat(b'"').is_some() {
                return Some(out);
            }
            self.pos += 1; // the backslash
            let c = match self.peek()? {
                b'"' => '"',
                b'\\' => '\\',
                b'/' => '/',
                b'b' => '\u{8}',
                b'f' => '\u{c}',
                b'n' => '\n',
                b'r' => '\r',
                b't' => '\t',
                b'u' => {
                    self.pos += 1;
                    let hi = self.hex4()?;
                    let c = if (0xD800..0xDC00).contains(&hi) {
                        self.literal(b"\\u")?;
                        let lo = self.hex4()?;
                        if !(0xDC00..0xE000).contains(&lo) {
                            return None;
                        }
                        char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))?
                    } else {
                        char::from_u32(hi)?
                    };
                    out.push(c);
                    continue;
                }
                _ => return None,
            };
            self.pos += 1;
            out.push(c);
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.text.get(self.pos..self.pos + 4)?;
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        self.pos += 4;
        u32::from_str_radix(digits, 16).ok()
    }

    /// A JSON number, by the JSON grammar (no leading zeros, no `+`, no bare `.`), with the
    /// very `f64` the derive gives for every digit string: short whole numbers converted
    /// here (exactly, as serde_json does), the rest by serde_json itself (its float
    /// parsing is its own, not always the standard library's).
    fn number(&mut self) -> Option<f64> {
        let start = self.pos;
        let negative = self.eat(b'-').is_some();
        let whole_start = self.pos;
        match self.peek()? {
            b'0' => self.pos += 1,
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        let whole = self.bytes.get(whole_start..self.pos)?;
        let (mut fraction_len, mut zero_fraction) = (0, true);
        if self.eat(b'.').is_some() {
            let from = self.pos;
            if !self.peek()?.is_ascii_digit() {
                return None;
            }
            self.digits();
            let fraction = self.bytes.get(from..self.pos)?;
            fraction_len = fraction.len();
            zero_fraction = fraction.iter().all(|&b| b == b'0');
        }
        let mut exponent = false;
        if matches!(self.peek(), Some(b'e' | b'E')) {
            exponent = true;
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if !self.peek()?.is_ascii_digit() {
                return None;
            }
            self.digits();
        }
        // Short integers (quantities, prices in yen), also with a fraction of zeros only
        // (`23520.0`, as Python and pandas write whole floats). serde_json reads an
        // integer as u64 or i64 and converts it, and a decimal as its digits (fraction
        // included) divided by a power of ten: with at most 15 digits in all, both are
        // exact, so the value here is the very one serde_json gives. (With more digits
        // its division can round: `444135612754299.00` is one off.)
        if !exponent
            && zero_fraction
            && whole.first() != Some(&b'0')
            && whole.len() + fraction_len <= 15
        {
            let n = whole.iter().fold(0u64, |n, b| n * 10 + u64::from(b - b'0')) as f64;
            return Some(if negative { -n } else { n });
        }
        serde_json::from_str::<f64>(self.text.get(start..self.pos)?).ok()
    }

    fn digits(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
    }

    /// Skips any value, checking its syntax.
    fn skip_value(&mut self) -> Option<()> {
        if self.depth >= MAX_DEPTH {
            return None;
        }
        self.depth += 1;
        let skipped = match self.peek()? {
            b'"' => self.string().map(drop),
            b'{' => self.object(|s, _| s.skip_value()),
            b'[' => self.array(|s| s.skip_value()),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            _ => self.number().map(drop),
        };
        self.depth -= 1;
        skipped
    }

    /// `[ value, ... ]`, calling `element` for each.
    fn array(&mut self, mut element: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        self.eat(b'[')?;
        self.ws();
        if self.eat(b']').is_some() {
            return Some(());
        }
        loop {
            self.ws();
            element(self)?;
            self.ws();
            match self.peek()? {
                b',' => self.pos += 1,
                b']' => {
                    self.pos += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    fn party(&mut self) -> Option<Option<Party>> {
        if self.null() {
            return Some(None);
        }
        let mut p = Party::default();
        let mut seen = 0u32;
        self.object(|s, key| {
            let (bit, slot) = match key {
                "name" => (0, &mut p.name),
                "name_kana" => (1, &mut p.name_kana),
                "email" => (2, &mut p.email),
                "phone" => (3, &mut p.phone),
                "postal_code" => (4, &mut p.postal_code),
                "address" => (5, &mut p.address),
                _ => return s.skip_value(),
            };
            first_time(&mut seen, bit)?;
            *slot = s.opt_string()?;
            Some(())
        })?;
        Some(Some(p))
    }

    fn payment(&mut self) -> Option<Option<Payment>> {
        if self.null() {
            return Some(None);
        }
        let mut p = Payment::default();
        let mut seen = 0u32;
        self.object(|s, key| {
            let (bit, slot) = match key {
                "method" => (0, &mut p.method),
                "card_bin" => (1, &mut p.card_bin),
                "card_fingerprint" => (2, &mut p.card_fingerprint),
                _ => return s.skip_value(),
            };
            first_time(&mut seen, bit)?;
            *slot = s.opt_string()?;
            Some(())
        })?;
        Some(Some(p))
    }

    fn items(&mut self) -> Option<Vec<Item>> {
        let mut items = Vec::new();
        self.array(|s| {
            let mut item = Item::default();
            let mut seen = 0u32;
            s.object(|s, key| {
                let bit = match key {
                    "sku" => 0,
                    "category" => 1,
                    "quantity" => 2,
                    "unit_price" => 3,
                    _ => return s.skip_value(),
                };
                first_time(&mut seen, bit)?;
                match bit {
                    0 => item.sku = s.opt_string()?,
                    1 => item.category = s.opt_string()?,
                    2 => item.quantity = s.opt_number()?,
                    _ => item.unit_price = s.opt_number()?,
                }
                Some(())
            })?;
            items.push(item);
            Some(())
        })?;
        Some(items)
    }
}

/// Marks field `bit` as seen; `None` when it was seen before (a duplicate key, which the
/// fast reader leaves to the slower ones).
fn first_time(seen: &mut u32, bit: u32) -> Option<()> {
    if *seen & (1 << bit) != 0 {
        return None;
    }
    *seen |= 1 << bit;
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What serde's derive reads, before tidying: the reference.
    fn serde(line: &str) -> Option<Order> {
        serde_json::from_str::<Order>(line).ok()
    }

    fn agree(line: &str) {
        let fast = order(line);
        if let Some(f) = &fast {
            assert_eq!(Some(f), serde(line).as_ref(), "{line}");
        }
    }

    #[test]
    fn reads_the_design_example_and_agrees_on_odd_inputs() {
        // The design example with an unknown field the reader must skip.
        let base = super::super::tests::FULL;
        let full = &format!(
            "{}, \"x\": [1, {{\"y\": null}}, true]}}",
            base.trim_end().trim_end_matches('}')
        );
        assert!(order(full).is_some());
        agree(full);
        for line in [
            r#"{"order_id":"a\"b\\c\/\u00e9\ud83d\ude00\n"}"#,
            r#"{"order_id":"a","amount":-0.5e-3,"items":[{"quantity":1E2}]}"#,
            r#"{"order_id":"a","amount":12345678901234567890}"#,
            r#"{"order_id":"a","amount":01}"#,
            r#"{"order_id":"a","amount":1.}"#,
            r#"{"order_id":"a","amount":"1"}"#,
            r#"{"order_id":7}"#,
            r#"{"order_id":"a","order_id":"b"}"#,
            r#"{"order_id":"a","items":null}"#,
            r#"{"order_id":"a","buyer":{"name":"x","name":"y"}}"#,
            r#"{"order_id":"a"} x"#,
            r#"{"order_id":"a",}"#,
            r#"{"order_id":"\ud800"}"#,
            "{\"order_id\":\"a\tb\"}",
            r#"{"order_id":"a","buyer":null,"shipping":{},"payment":{"method":null}}"#,
            r#"{"order_id":"a","extra":[1,2,[3,{"k":"v"}]],"more":-0}"#,
            r#"{"amount":1}"#,
            r#"{"order\u005fid":"a"}"#,
            r#"{"order_id":"a","amount":-0,"x":1e999}"#,
            r#"{"order_id":"a","amount":-0.0,"items":[{"quantity":0.0,"unit_price":23520.00}]}"#,
            r#"{"order_id":"a","amount":9007199254740993.0,"items":[{"quantity":1.0e3}]}"#,
            r#"{"order_id":"a","amount":123456789012345678.000}"#,
            r#"[]"#,
            "",
        ] {
            agree(line);
        }
        assert!(order(r#"{"order_id":"a","amount":01}"#).is_none());
        let deep = format!(
            r#"{{"order_id":"a","x":{}{}}}"#,
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        assert!(order(&deep).is_none());
        assert!(order(r#"{"order_id":"a","order_id":"b"}"#).is_none());
        assert_eq!(
            order(r#"{"order_id":"a\"b\u00e9\ud83d\ude00"}"#)
                .unwrap()
                .order_id,
            "a\"bé😀"
        );
    }

    proptest::proptest! {
        /// The word-at-a-time search finds what a byte-by-byte search finds, at any
        /// offset and with any bytes around (multi-byte UTF-8, bytes above 0x7F).
        #[test]
        fn special_at_equals_a_byte_search(
            bytes in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::num::u8::ANY,
                    proptest::sample::select(vec![b'"', b'\\', 0x1F, 0x20, 0x21, 0x5B, 0x5D, 0xA2, 0xDC]),
                ],
                0..40,
            ),
        ) {
            let naive = bytes.iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20);
            proptest::prop_assert_eq!(special_at(&bytes), naive);
        }

        #[test]
        fn agrees_with_serde(
            id in "\\PC{0,6}",
            text in proptest::option::of("[ -~é日\\\\\"\\n]{0,8}"),
            amount in proptest::option::of(proptest::num::f64::ANY),
            big in proptest::option::of(proptest::num::i64::ANY),
            quantity in proptest::option::of(0u32..5),
            cut in 0usize..400,
        ) {
            let doc = serde_json::json!({
                "order_id": id, "ordered_at": text, "amount": amount, "ip": text,
                "buyer": {"name": text, "phone": text, "extra": [big, {"a": text}]},
                "shipping": {"address": text},
                "items": [{"category": text, "quantity": quantity, "unit_price": big}],
                "payment": {"card_fingerprint": text},
            })
            .to_string();
            agree(&doc);
            proptest::prop_assert!(order(&doc).is_some(), "{}", doc);
            let ints = format!(r#"{{"order_id":"i","amount":{},"items":[{{"quantity":{}}}]}}"#, big.unwrap_or(0) % 1_000_000_000_000_000, big.unwrap_or(-7) / 1000);
            agree(&ints);
            proptest::prop_assert!(order(&ints).is_some(), "{}", ints);
            // Whole numbers written as floats (`23520.0`), near and past 2^53 too.
            let zeros = ".000".get(..(big.unwrap_or(1) % 3).unsigned_abs() as usize + 2).unwrap_or(".0");
            let whole = big.unwrap_or(3) >> (big.unwrap_or(0) & 63);
            let floats = format!(r#"{{"order_id":"f","amount":{whole}{zeros},"items":[{{"unit_price":-{}{zeros}}}]}}"#, whole.unsigned_abs() % 100_000);
            agree(&floats);
            proptest::prop_assert!(order(&floats).is_some(), "{}", floats);
            // Truncated and altered documents: never an order serde would not give.
            let cut = doc.char_indices().map(|(i, _)| i).nth(cut).unwrap_or(doc.len());
            agree(&doc[..cut]);
            let altered: String = doc.replacen(':', " : ", 2).replacen(',', ",,", 1);
            agree(&altered);
        }
    }
}
