//! Verdicts, reason codes and text cues: the stable names callers rely on.

use serde::{Deserialize, Serialize};

use crate::contact::PhoneKind;

/// What a sender, URL or phone number is, as far as the brand profile tells.
///
/// The variants are ordered by precedence: when several apply, the greatest wins
/// (`blocklisted` > `official` > `lookalike` > `unknown`).
///
/// ```
/// use mikiwame::impersonation::Verdict;
/// assert!(Verdict::Blocklisted > Verdict::Official);
/// assert_eq!(Verdict::Lookalike.as_str(), "lookalike");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Nothing ties it to the brand.
    Unknown,
    /// It poses as the brand without being it.
    Lookalike,
    /// It belongs to the brand.
    Official,
    /// It is on the profile's blocklist.
    Blocklisted,
}

impl Verdict {
    /// The stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Unknown => "unknown",
            Verdict::Lookalike => "lookalike",
            Verdict::Official => "official",
            Verdict::Blocklisted => "blocklisted",
        }
    }
}

/// Why a verdict was given. Some reasons are risk hints that accompany any verdict
/// (`voip_number`, `ip_host`).
///
/// ```
/// use mikiwame::impersonation::Reason;
/// assert_eq!(Reason::EditDistance.as_str(), "edit_distance");
/// assert_eq!(serde_json::to_string(&Reason::UserinfoTrick).unwrap(), "\"userinfo_trick\"");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Reason {
    /// The domain is an official domain of the brand (or a subdomain of one).
    OfficialDomain,
    /// The number is an official number of the brand.
    OfficialPhone,
    /// The domain is on the blocklist.
    BlocklistedDomain,
    /// The number is on the blocklist.
    BlocklistedPhone,
    /// A brand keyword is a label, a hyphen token or part of a label of a foreign domain.
    BrandKeywordInDomain,
    /// The domain looks like the brand once confusable characters are mapped (UTS 39).
    ConfusableDomain,
    /// A label is one or two edits (Damerau) away from a brand string.
    EditDistance,
    /// An official domain is used as the left labels of a foreign domain.
    OfficialDomainAsSubdomain,
    /// The URL's user-info part names the brand (`https://amazon.co.jp@evil.example`).
    UserinfoTrick,
    /// An official domain appears in the path, query or fragment of a foreign URL.
    OfficialDomainOutsideHost,
    /// The sender's display name or local part names the brand.
    BrandInSenderName,
    /// The sender uses a free-mail provider.
    FreeMailSender,
    /// The caller's DMARC check failed for an official-looking sender.
    AuthenticationFailed,
    /// The URL's host is an IP address.
    IpHost,
    /// The URL could not be parsed.
    InvalidUrl,
    /// The sender is not an email address.
    InvalidSender,
    /// The phone number is not a valid number.
    InvalidNumber,
    /// The region hint is not an ISO 3166 alpha-2 code.
    UnknownRegion,
    /// A voice-over-IP number (050 in Japan): cheap and anonymous, a risk hint.
    VoipNumber,
    /// A premium-rate number: a risk hint.
    PremiumRateNumber,
}

impl Reason {
    /// The stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::OfficialDomain => "official_domain",
            Reason::OfficialPhone => "official_phone",
            Reason::BlocklistedDomain => "blocklisted_domain",
            Reason::BlocklistedPhone => "blocklisted_phone",
            Reason::BrandKeywordInDomain => "brand_keyword_in_domain",
            Reason::ConfusableDomain => "confusable_domain",
            Reason::EditDistance => "edit_distance",
            Reason::OfficialDomainAsSubdomain => "official_domain_as_subdomain",
            Reason::UserinfoTrick => "userinfo_trick",
            Reason::OfficialDomainOutsideHost => "official_domain_outside_host",
            Reason::BrandInSenderName => "brand_in_sender_name",
            Reason::FreeMailSender => "free_mail_sender",
            Reason::AuthenticationFailed => "authentication_failed",
            Reason::IpHost => "ip_host",
            Reason::InvalidUrl => "invalid_url",
            Reason::InvalidSender => "invalid_sender",
            Reason::InvalidNumber => "invalid_number",
            Reason::UnknownRegion => "unknown_region",
            Reason::VoipNumber => "voip_number",
            Reason::PremiumRateNumber => "premium_rate_number",
        }
    }
}

/// A verdict on a sender or URL with its reasons.
///
/// ```
/// use mikiwame::impersonation::{BrandProfile, Screener, Verdict};
/// let screener = Screener::new(BrandProfile::builtin("amazon").unwrap()).unwrap();
/// let a = screener.screen_url("https://www.amazon.co.jp/gp/css/order-history");
/// assert_eq!(a.verdict, Verdict::Official);
/// assert_eq!(a.domain.as_deref(), Some("amazon.co.jp"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    /// The verdict.
    pub verdict: Verdict,
    /// Why, in a stable order, without duplicates.
    pub reasons: Vec<Reason>,
    /// The registrable domain (Public Suffix List) of the host or sender, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
}

impl Assessment {
    /// An assessment with a verdict and reasons (sorted, deduplicated).
    pub(crate) fn new(verdict: Verdict, mut reasons: Vec<Reason>, domain: Option<String>) -> Self {
        reasons.sort_unstable();
        reasons.dedup();
        Assessment {
            verdict,
            reasons,
            domain,
        }
    }
}

/// A verdict on a phone number. Phone numbers match exactly or not at all: they are never
/// `lookalike`.
///
/// ```
/// use mikiwame::impersonation::{BrandProfile, Reason, Screener, Verdict};
/// let screener = Screener::new(BrandProfile::builtin("amazon").unwrap()).unwrap();
/// let a = screener.screen_phone("０５０－１２３４－５６７８", None);
/// assert_eq!(a.verdict, Verdict::Unknown);
/// assert_eq!(a.e164.as_deref(), Some("+815012345678"));
/// assert!(a.reasons.contains(&Reason::VoipNumber));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneAssessment {
    /// The verdict.
    pub verdict: Verdict,
    /// Why, and risk hints (`voip_number`, `premium_rate_number`, `invalid_number`).
    pub reasons: Vec<Reason>,
    /// The E.164 form, when the number could be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub e164: Option<String>,
    /// The line type, when the number could be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<PhoneKind>,
}

/// What a message is.
///
/// ```
/// use mikiwame::impersonation::TextVerdict;
/// assert_eq!(TextVerdict::Scam.as_str(), "scam");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextVerdict {
    /// No scam pattern, or only ones that ordinary messages share.
    Legit,
    /// Some scam cues: worth a look.
    Suspicious,
    /// A combination of cues that scams use.
    Scam,
}

impl TextVerdict {
    /// The stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            TextVerdict::Legit => "legit",
            TextVerdict::Suspicious => "suspicious",
            TextVerdict::Scam => "scam",
        }
    }
}

/// A scam cue found in a message.
///
/// The first ten come from the per-language lexicons; the last three from the URLs and
/// phone numbers found in the text.
///
/// ```
/// use mikiwame::impersonation::Cue;
/// assert_eq!(Cue::GiftCard.as_str(), "gift_card");
/// assert_eq!(Cue::from_name("remote_software"), Some(Cue::RemoteSoftware));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Cue {
    /// Pressure to act now ("within 24 hours", "至急", "immédiatement").
    Urgency,
    /// A threat to the account ("will be suspended", "アカウントを停止").
    AccountThreat,
    /// Paying outside the site (bank transfer, 振込, virement/RIB, 转账/安全账户).
    PaymentOffSite,
    /// Gift cards and prepaid vouchers (ギフトカード, Google Play, PCS, 礼品卡).
    GiftCard,
    /// An instruction to call a number.
    CallNumber,
    /// Remote-support software (AnyDesk, TeamViewer, 向日葵, 遠隔操作).
    RemoteSoftware,
    /// A request for passwords, codes, card numbers.
    CredentialRequest,
    /// A refund or compensation offered as bait.
    RefundLure,
    /// Paid fake orders or reviews (刷单).
    OrderBrushing,
    /// An order the recipient did not place.
    FakeOrder,
    /// A URL in the text is a lookalike of the brand.
    LookalikeLink,
    /// A URL in the text is blocklisted.
    BlocklistedLink,
    /// A phone number in the text is blocklisted.
    BlocklistedPhone,
}

impl Cue {
    /// Every cue, in order.
    pub const ALL: [Cue; 13] = [
        Cue::Urgency,
        Cue::AccountThreat,
        Cue::PaymentOffSite,
        Cue::GiftCard,
        Cue::CallNumber,
        Cue::RemoteSoftware,
        Cue::CredentialRequest,
        Cue::RefundLure,
        Cue::OrderBrushing,
        Cue::FakeOrder,
        Cue::LookalikeLink,
        Cue::BlocklistedLink,
        Cue::BlocklistedPhone,
    ];

    /// The stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Cue::Urgency => "urgency",
            Cue::AccountThreat => "account_threat",
            Cue::PaymentOffSite => "payment_off_site",
            Cue::GiftCard => "gift_card",
            Cue::CallNumber => "call_number",
            Cue::RemoteSoftware => "remote_software",
            Cue::CredentialRequest => "credential_request",
            Cue::RefundLure => "refund_lure",
            Cue::OrderBrushing => "order_brushing",
            Cue::FakeOrder => "fake_order",
            Cue::LookalikeLink => "lookalike_link",
            Cue::BlocklistedLink => "blocklisted_link",
            Cue::BlocklistedPhone => "blocklisted_phone",
        }
    }

    /// The cue with this stable name.
    pub fn from_name(name: &str) -> Option<Cue> {
        Cue::ALL.into_iter().find(|c| c.as_str() == name)
    }
}

/// The verdict on a message, its score and the cues found.
///
/// ```
/// use mikiwame::impersonation::{BrandProfile, Cue, Screener, TextVerdict};
/// let screener = Screener::new(BrandProfile::builtin("amazon").unwrap()).unwrap();
/// let a = screener.screen_text("Buy Apple gift cards now and send me the codes on the back.");
/// assert_eq!(a.verdict, TextVerdict::Scam);
/// assert!(a.cues.contains(&Cue::GiftCard) && a.cues.contains(&Cue::CredentialRequest));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextAssessment {
    /// The verdict.
    pub verdict: TextVerdict,
    /// 0 (nothing found) to 100.
    pub score: u8,
    /// The cues found, in a stable order, without duplicates.
    pub cues: Vec<Cue>,
    /// The reasons given for the URLs and phone numbers found in the text.
    pub reasons: Vec<Reason>,
}
