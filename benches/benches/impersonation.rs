//! Impersonation screening speed: per URL, per sender, per 200-character message, and a
//! blocklist lookup in a 1,000,000-entry fst set.
#![allow(missing_docs)] // criterion_group! generates an undocumented pub fn

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use mikiwame::impersonation::{Blocklist, BrandProfile, Screener};

const URLS: &[&str] = &[
    "https://www.amazon.co.jp/gp/css/order-history?ref_=nav_orders_first",
    "https://amazon.co.jp.account-verify.example/signin?session=8f2a",
    "http://xn--mazon-3ve.com/ap/signin",
    "https://amazom-security.net/login",
    "https://www.rakuten.co.jp/shop/item/12345",
    "https://evil.example/%61mazon.co.jp/login?next=/gp/yourstore",
    "https://amazon-refund.pages.dev/",
    "https://news.example.com/2024/05/article.html",
];

const SENDERS: &[&str] = &[
    "Amazon.co.jp <shipment-tracking@amazon.co.jp>",
    "Amazon Customer Service <amazon.support.jp@gmail.com>",
    "=?UTF-8?B?44Ki44Oe44K+44Oz?= <info@hotmail.co.jp>",
    "Amazon <no-reply@amazon.co.jp.mail-security.example>",
    "Yamato Transport <mail@kuronekoyamato.co.jp>",
    "Security Team <alerts@amaz0n-account.net>",
];

/// Messages of about 200 characters each, in the four languages.
fn messages() -> Vec<String> {
    let base = [
        "URGENT: your Amazon account has been suspended because of unusual activity. Verify your account within 24 hours at http://amazon-verify.example/ or call us at +1 888 555 0199 to cancel this order.",
        "【Amazon】お客様のアカウントで不正ログインが検出されました。24時間以内に本人確認を行わない場合、アカウントを停止します。ギフトカードでのお支払いの場合は裏面の番号を教えてください。詳細は https://amaz0n.co.jp/verify からご確認ください。サポートセンター 050-1234-5678",
        "Bonjour, votre colis a été expédié et sera livré demain au point relais. Si vous n'avez pas passé cette commande, appelez le 01 80 00 00 00. Amazon ne vous demandera jamais de payer par carte cadeau ou virement.",
        "您的亚马逊账户异常，账户将被冻结。为办理退款，请立即下载向日葵远程控制软件，并将资金转账到安全账户。请勿向任何人透露验证码。客服电话 +86 400 800 1234，详情请访问 http://amazon-cn.example/verify 核实身份。",
    ];
    base.iter().map(|m| m.chars().take(200).collect()).collect()
}

fn bench(c: &mut Criterion) {
    let screener =
        Screener::new(BrandProfile::builtin("amazon").expect("builtin profile")).expect("screener");
    let mut i = 0usize;
    c.bench_function("screen_url", |b| {
        b.iter(|| {
            i = (i + 1) % URLS.len();
            black_box(screener.screen_url(black_box(URLS[i])))
        })
    });
    let mut i = 0usize;
    c.bench_function("screen_sender", |b| {
        b.iter(|| {
            i = (i + 1) % SENDERS.len();
            black_box(screener.screen_sender(black_box(SENDERS[i]), None))
        })
    });
    let msgs = messages();
    let mut i = 0usize;
    c.bench_function("screen_text_200_chars", |b| {
        b.iter(|| {
            i = (i + 1) % msgs.len();
            black_box(screener.screen_text(black_box(&msgs[i])))
        })
    });

    // A million synthetic blocklisted domains, built in sorted order (streaming).
    let entries = (0..1_000_000u32).map(|n| format!("phish-{n:07}.example"));
    let blocklist = Blocklist::from_sorted(entries).expect("sorted entries");
    assert_eq!(blocklist.len(), 1_000_000);
    let probes: Vec<String> = (0..1024u32)
        .map(|n| {
            if n % 2 == 0 {
                format!("phish-{:07}.example", n * 977)
            } else {
                format!("harmless-{n}.example")
            }
        })
        .collect();
    let mut i = 0usize;
    c.bench_function("blocklist_contains_1m", |b| {
        b.iter(|| {
            i = (i + 1) % probes.len();
            black_box(blocklist.contains(black_box(&probes[i])))
        })
    });
    // The same list behind a profile: a URL screened against a million-entry blocklist.
    let big = Screener::new(
        BrandProfile::builtin("amazon")
            .expect("builtin profile")
            .with_blocklist_domains(blocklist),
    )
    .expect("screener");
    c.bench_function("screen_url_blocklisted_1m", |b| {
        b.iter(|| {
            black_box(big.screen_url(black_box("https://login.phish-0004242.example/signin")))
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
