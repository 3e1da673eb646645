//! After the sale, customer lifetime value and e-mail sequences on small inline logs.

use pathlight::analysis::clv::ClvOptions;
use pathlight::{AnalysisOptions, LoadConfig, Report, Workspace};

fn analyze(csv: &str, options: &AnalysisOptions) -> Report {
    let mut workspace = Workspace::new();
    let index = workspace.add_file("events.csv", csv.as_bytes().to_vec());
    let inspection = workspace.inspect(index, None).unwrap();
    workspace.load(&LoadConfig::from_inspections(&[inspection])).unwrap();
    workspace.analyze(options).unwrap()
}

fn purchase() -> AnalysisOptions {
    AnalysisOptions { conversion: Some("purchase".to_string()), ..AnalysisOptions::default() }
}

const SHOP: &str = "user,event,ts,revenue
u1,visit,2024-01-01T10:00:00Z,
u1,purchase,2024-01-01T11:00:00Z,20
u1,review_written,2024-01-02T11:00:00Z,
u1,purchase,2024-01-05T11:00:00Z,30
u2,visit,2024-01-01T10:00:00Z,
u2,purchase,2024-01-03T10:00:00Z,50
u2,referral_sent,2024-01-04T10:00:00Z,
u3,visit,2024-01-02T10:00:00Z,
u3,referral_sent,2024-01-02T11:00:00Z,
";

#[test]
fn after_sale_counts_repeats() {
    let after_sale = analyze(SHOP, &purchase()).after_sale.unwrap();
    assert_eq!(after_sale.buyers, 2);
    assert_eq!(after_sale.repeat_buyers, 1);
    assert_eq!(after_sale.repeat_purchase_rate, 0.5);
    let gap = after_sale.time_to_second_purchase.unwrap();
    assert_eq!(gap.median_ms, 4.0 * 86_400_000.0);
    assert_eq!(after_sale.revenue_per_customer, Some(50.0));
}

#[test]
fn after_sale_follow_ups_only_after_buying() {
    let after_sale = analyze(SHOP, &purchase()).after_sale.unwrap();
    let names: Vec<(&str, u64)> = after_sale.follow_ups.iter().map(|follow_up| (follow_up.event.as_str(), follow_up.buyers)).collect();
    // u3 refers without buying, so only u2 counts.
    assert_eq!(names, [("referral_sent", 1), ("review_written", 1)]);
}

#[test]
fn after_sale_null_without_conversion() {
    assert!(analyze(SHOP, &AnalysisOptions::default()).after_sale.is_none());
}

#[test]
fn clv_summarises_purchase_days() {
    let options = AnalysisOptions { clv: ClvOptions { cutoff: Some("2024-01-08".to_string()), fit: false, ..ClvOptions::default() }, ..purchase() };
    let clv = analyze(SHOP, &options).clv.unwrap();
    assert_eq!(clv.customers, 2);
    assert_eq!(clv.repeat_customers, 1);
    assert!(clv.bg_nbd.is_none());
    let u1 = clv.top_customers.iter().find(|customer| customer.person == "u1").unwrap();
    assert_eq!(u1.frequency, 1.0);
    assert_eq!(u1.recency, 4.0 / 7.0);
    assert_eq!(u1.age, 7.0 / 7.0);
    assert_eq!(u1.monetary, Some(30.0));
}

#[test]
fn clv_rejects_bad_cutoff() {
    let options = AnalysisOptions { clv: ClvOptions { cutoff: Some("30/09/1997".to_string()), ..ClvOptions::default() }, ..purchase() };
    let mut workspace = Workspace::new();
    let index = workspace.add_file("events.csv", SHOP.as_bytes().to_vec());
    let inspection = workspace.inspect(index, None).unwrap();
    workspace.load(&LoadConfig::from_inspections(&[inspection])).unwrap();
    let error = workspace.analyze(&options).unwrap_err().to_string();
    assert!(error.contains("YYYY-MM-DD"), "{error}");
}

const MAILS: &str = "email,event,ts,campaign
a@x.com,sent,2024-01-01T10:00:00Z,welcome
a@x.com,open,2024-01-01T11:00:00Z,welcome
a@x.com,sent,2024-01-03T10:00:00Z,tips
a@x.com,open,2024-01-03T11:00:00Z,tips
a@x.com,click,2024-01-03T11:05:00Z,tips
b@x.com,sent,2024-01-01T10:00:00Z,welcome
b@x.com,open,2024-01-01T12:00:00Z,welcome
b@x.com,sent,2024-01-03T10:00:00Z,tips
b@x.com,unsubscribe,2024-01-03T12:00:00Z,tips
c@x.com,sent,2024-01-02T10:00:00Z,welcome
c@x.com,sent,2024-01-04T10:00:00Z,tips
";

#[test]
fn email_steps_by_send_order() {
    let mut options = AnalysisOptions::default();
    options.email.min_recipients = 1;
    let email = analyze(MAILS, &options).email.unwrap();
    assert_eq!(email.message_source, "campaign");
    assert_eq!(email.people, 3);
    assert_eq!(email.steps.len(), 2);
    let (first, second) = (&email.steps[0], &email.steps[1]);
    assert_eq!((first.sent, first.opened, first.clicked), (3, 2, 0));
    assert_eq!((second.sent, second.opened, second.clicked, second.unsubscribed), (3, 1, 1, 1));
    // Message 2 opens at 1/3, exactly half of message 1's 2/3, and the rule needs below half.
    assert_eq!(email.falloff_message, None);
}

#[test]
fn email_falloff_with_higher_ratio() {
    let mut options = AnalysisOptions::default();
    options.email.min_recipients = 1;
    options.email.falloff_ratio = 0.6;
    assert_eq!(analyze(MAILS, &options).email.unwrap().falloff_message, Some(2));
}

#[test]
fn email_null_without_email_events() {
    assert!(analyze(SHOP, &purchase()).email.is_none());
}

/// Loads the first 50 lines of the CDNOW sample as the command line does with `--columns
/// customer,customer_index,date,cds,amount --map person=customer --map value=amount --date-event
/// date=purchase --keep-duplicates`.
fn analyze_cdnow_head(options: &AnalysisOptions) -> Report {
    let text = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/cdnow-head.txt")).unwrap();
    let mut workspace = Workspace::new();
    let index = workspace.add_file("cdnow-head.txt", text);
    let names: Vec<String> = ["customer", "customer_index", "date", "cds", "amount"].map(String::from).to_vec();
    let file = pathlight::ingest::FileConfig {
        index,
        column_names: names,
        mapping: pathlight::Mapping {
            person: Some("customer".into()),
            value: Some("amount".into()),
            date_events: vec![pathlight::ingest::DateEvent { column: "date".into(), name: "purchase".into() }],
            ..pathlight::Mapping::default()
        },
        ..pathlight::ingest::FileConfig::default()
    };
    workspace.load(&LoadConfig { files: vec![file], keep_duplicates: true, ..LoadConfig::default() }).unwrap();
    workspace.analyze(options).unwrap()
}

#[test]
fn clv_cdnow_head_summary() {
    let options = AnalysisOptions { clv: ClvOptions { cutoff: Some("1997-09-30".to_string()), top: 50, ..ClvOptions::default() }, ..AnalysisOptions::default() };
    let clv = analyze_cdnow_head(&options).clv.unwrap();
    assert_eq!(clv.customers, 13);
    assert_eq!(clv.purchase_event, None, "purchases are the events with a value");
    // Customer 00004 bought on 1997-01-01, 01-18, 08-02 and 12-12.
    let customer = clv.top_customers.iter().find(|customer| customer.person == "00004").unwrap();
    assert_eq!(customer.frequency, 2.0);
    assert_eq!(customer.recency, 213.0 / 7.0);
    assert_eq!(customer.age, 272.0 / 7.0);
    assert_eq!(customer.monetary, Some((29.73 + 14.96) / 2.0));
    assert_eq!(customer.holdout_purchases, 1);
}

#[test]
fn clv_cdnow_head_fit_is_finite() {
    let options = AnalysisOptions { clv: ClvOptions { cutoff: Some("1997-09-30".to_string()), ..ClvOptions::default() }, ..AnalysisOptions::default() };
    let clv = analyze_cdnow_head(&options).clv.unwrap();
    let model = clv.bg_nbd.unwrap();
    for parameter in [model.r, model.alpha, model.a, model.b] {
        assert!(parameter.is_finite(), "{model:?}");
        assert!(parameter > 0.0, "{model:?}");
    }
    assert!(model.log_likelihood < 0.0);
    assert!(clv.top_customers.iter().all(|customer| customer.expected_purchases.is_finite()));
}

#[test]
fn email_from_hubspot_export() {
    let csv = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/formats/hubspot_email_events.csv")).unwrap();
    let email = analyze(&csv, &AnalysisOptions::default()).email.unwrap();
    assert_eq!(email.message_source, "emailCampaignId");
    assert_eq!(email.people, 2);
    assert_eq!(email.email_events, 5);
    assert_eq!(email.steps[0].sent, 2);
    assert_eq!(email.steps[0].opened, 1);
}
