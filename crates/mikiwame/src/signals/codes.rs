//! The reason codes and data-quality codes: the stable names callers act on.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! stable_codes {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident { $( $(#[$vmeta:meta])* $variant:ident => $text:literal, )* }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name { $( $(#[$vmeta])* $variant, )* }

        impl $name {
            /// Every code, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The stable snake_case name: the contract of the output.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text,)* }
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($text => Ok($name::$variant),)*
                    other => Err(format!("unknown {} `{}`", stringify!($name), other)),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = std::borrow::Cow::<str>::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

stable_codes! {
    /// Why an order scored as it did. Each code adds points (log-odds) to the score.
    ///
    /// Every variant says what triggers it and what typically triggers it wrongly.
    ///
    /// ```
    /// use mikiwame::signals::ReasonCode;
    /// assert_eq!(ReasonCode::FraudAddress.as_str(), "fraud_address");
    /// assert_eq!("name_series".parse::<ReasonCode>(), Ok(ReasonCode::NameSeries));
    /// assert!(ReasonCode::BurstOrders.is_linking());
    /// ```
    pub enum ReasonCode {
        /// The shipping address matches a past fraud record (grade danger, caution or
        /// warning; the points scale with the grade). False positives: a new tenant in a
        /// unit where fraud happened; for caution and warning, neighbours in the same
        /// building or block.
        FraudAddress => "fraud_address",
        /// The shipping address is the block of a known parcel-forwarding service. False
        /// positives: genuine overseas customers of a shop that sells abroad (set
        /// `ships_to_forwarders`).
        ForwardingService => "forwarding_service",
        /// Signs of a forwarding service: a customer code, forwarding words, a known
        /// forwarder's building or neighbourhood. False positives: offices in the same
        /// building as a forwarder.
        ForwardingPossible => "forwarding_possible",
        /// The buyer's or receiver's email (normalized) is in a past fraud record. False
        /// positives: a victim whose address was used by a fraudster.
        KnownFraudEmail => "known_fraud_email",
        /// The buyer's or receiver's phone (E.164) is in a past fraud record. False
        /// positives: recycled mobile numbers, victims' numbers.
        KnownFraudPhone => "known_fraud_phone",
        /// The card fingerprint is in a past fraud record. False positives: the card's
        /// owner after the card was reissued under the same fingerprint.
        KnownFraudCard => "known_fraud_card",
        /// The shipping address is written in a way typical of disguise (prefecture or
        /// city repeated, room before the lot number, a phone number or care-of inside).
        /// False positives: hurried typing, copy-paste from forms.
        AddressObfuscated => "address_obfuscated",
        /// The postal code does not belong to the address. False positives: towns merged
        /// or renumbered, typos by honest buyers.
        PostalCodeMismatch => "postal_code_mismatch",
        /// Nothing usable could be read from the shipping address. False positives:
        /// foreign or very unusual addresses the parser does not know.
        AddressUnparsed => "address_unparsed",
        /// A phone number is not a valid number in its country's plan (Japan: mobile
        /// 070/080/090, IP 050, landline area-code shapes, toll-free 0120/0800; others by
        /// the international plan). False positives: new number ranges the bundled
        /// metadata does not know yet.
        InvalidPhone => "invalid_phone",
        /// The email's domain (or a parent domain) is on the bundled list of disposable
        /// mail services. False positives: a legitimate service later added to the list.
        DisposableEmail => "disposable_email",
        /// The email's local part looks machine-generated (long runs of consonants, many
        /// letter/digit alternations, hexadecimal strings). False positives: addresses
        /// issued by employers or schools as ID codes.
        RandomEmail => "random_email",
        /// The name (or its reading) is a celebrity's, a historical figure's or a famous
        /// fictional character's (徳川家康, 坂本龍馬). False positives: real people who share
        /// such a name.
        CelebrityName => "celebrity_name",
        /// The name looks like keyboard mash or repeated kana (asdf, りるれれれ, あわあわ,
        /// ｱｱｱ). False positives: rare names with a character three times in a row.
        GibberishName => "gibberish_name",
        /// The kana reading does not fit the name (a kana name spelled differently, a
        /// common surname read otherwise). False positives: rare readings of common
        /// surnames, married names given with the maiden reading.
        NameMismatch => "name_mismatch",
        /// Many different buyers (names, emails or cards) ship to one building plot
        /// (`block_key`), in the batch or the history store. False positives: apartment
        /// blocks and offices with many residents.
        SharedAddressManyBuyers => "shared_address_many_buyers",
        /// One phone or email is used under many different names. False positives:
        /// families or offices ordering for several people.
        SharedContactManyNames => "shared_contact_many_names",
        /// Several orders from one card, email or IP close in time. False positives:
        /// shared office or mobile-carrier IPs, buyers splitting a cart.
        BurstOrders => "burst_orders",
        /// Orders under celebrity, gibberish or placeholder names arrive close in time
        /// (one actor testing names). False positives: a shop's own test orders.
        NameSeries => "name_series",
        /// The order contains easily resold goods: gift cards, prepaid cards, game
        /// currency, or high-value electronics. False positives: genuine gifts.
        HighRiskItems => "high_risk_items",
        /// The amount is unusually high (model threshold). False positives: business
        /// buyers, seasonal purchases.
        HighAmount => "high_amount",
        /// Ordered late at night, Japan time (model hours). False positives: night-shift
        /// workers, buyers abroad.
        NightOrder => "night_order",
        /// The customer account was created shortly before the order. False positives:
        /// every genuine first-time buyer.
        NewAccount => "new_account",
        /// Shipping goes to another person at another address than the buyer's. Not in
        /// DESIGN.md's first list; added with the order signals. False positives: gifts,
        /// orders sent to a workplace.
        BillingShippingMismatch => "billing_shipping_mismatch",
    }
}

impl ReasonCode {
    /// True for codes that come from linking orders together rather than from one order
    /// alone; these depend on the rest of the batch and on the history store.
    pub fn is_linking(self) -> bool {
        matches!(
            self,
            ReasonCode::SharedAddressManyBuyers
                | ReasonCode::SharedContactManyNames
                | ReasonCode::BurstOrders
                | ReasonCode::NameSeries
        )
    }
}

stable_codes! {
    /// Data-quality warnings: the buyer data looks like placeholders, so the score is
    /// unreliable. Reported apart from reasons and adding no points.
    ///
    /// ```
    /// use mikiwame::signals::DataQuality;
    /// assert_eq!(DataQuality::ShopContactAsBuyer.as_str(), "shop_contact_as_buyer");
    /// ```
    pub enum DataQuality {
        /// The buyer's or receiver's name is a placeholder (購入者, テスト, test, 名無し,
        /// ああああ). False positives: none known beyond the placeholder words themselves.
        DummyName => "dummy_name",
        /// A phone number is a placeholder (00-0000-0000, all one digit, or a sequential
        /// subscriber number such as 090-1234-5678). False positives: very rare genuine
        /// numbers with such digits.
        DummyPhone => "dummy_phone",
        /// An email is a placeholder (test@test.com, a@a.com, example domains) or not an
        /// email address at all. False positives: people whose real mailbox is `test@…`.
        DummyEmail => "dummy_email",
        /// The shop's own phone, email or name was typed in as the buyer's or receiver's.
        /// False positives: staff ordering from their own shop.
        ShopContactAsBuyer => "shop_contact_as_buyer",
        /// Neither the buyer nor the shipping address is given. False positives: digital
        /// goods that ship nowhere.
        MissingAddress => "missing_address",
    }
}
