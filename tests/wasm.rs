//! The wasm boundary, run in headless Chromium by `wasm-pack test --headless --chrome`.
#![cfg(target_arch = "wasm32")]

use js_sys::{Object, Reflect, JSON};
use pathlight::wasm::Analyzer;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const EVENTS: &str = "user,event,ts\nu1,visit,2024-01-01T10:00:00Z\nu1,purchase,2024-01-01T10:05:00Z\nu2,visit,2024-01-02T09:00:00Z\n";

fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(key)).unwrap()
}

/// Reads a file in two chunks, splitting the bytes of one character between them.
fn add_events(analyzer: &mut Analyzer) -> JsValue {
    let bytes = EVENTS.as_bytes();
    let index = analyzer.begin_file("events.csv", Some(bytes.len() as f64));
    analyzer.push_chunk(index, &bytes[..20]).unwrap();
    analyzer.push_chunk(index, &bytes[20..]).unwrap();
    analyzer.finish_file(index).unwrap()
}

fn load_config(inspection: &JsValue) -> JsValue {
    let file = Object::new();
    Reflect::set(&file, &"index".into(), &get(inspection, "index")).unwrap();
    Reflect::set(&file, &"mapping".into(), &get(inspection, "mapping")).unwrap();
    let files = js_sys::Array::of1(&file);
    let config = Object::new();
    Reflect::set(&config, &"time_zone".into(), &"UTC".into()).unwrap();
    Reflect::set(&config, &"files".into(), &files).unwrap();
    config.into()
}

#[wasm_bindgen_test]
fn inspection_proposes_the_mapping() {
    let mut analyzer = Analyzer::new();
    let inspection = add_events(&mut analyzer);
    assert_eq!(get(&inspection, "delimiter").as_string().as_deref(), Some(","));
    let mapping = get(&inspection, "mapping");
    assert_eq!(get(&mapping, "person").as_string().as_deref(), Some("user"));
    assert_eq!(get(&mapping, "event").as_string().as_deref(), Some("event"));
    assert_eq!(get(&mapping, "time").as_string().as_deref(), Some("ts"));
}

#[wasm_bindgen_test]
fn load_drops_text_until_read_again() {
    let mut analyzer = Analyzer::new();
    let inspection = add_events(&mut analyzer);
    let index = get(&inspection, "index").as_f64().unwrap() as usize;
    assert!(!analyzer.is_released(index).unwrap());
    let first = analyzer.load(load_config(&inspection)).unwrap();
    assert!(analyzer.is_released(index).unwrap());
    assert!(analyzer.load(load_config(&inspection)).is_err());

    // Read again, the file counts as dropped until all of its bytes are back.
    analyzer.read_again(index).unwrap();
    assert!(analyzer.is_released(index).unwrap());
    analyzer.push_chunk(index, EVENTS.as_bytes()).unwrap();
    assert!(!analyzer.is_released(index).unwrap());
    analyzer.clear_load();
    let again = analyzer.load(load_config(&inspection)).unwrap();
    assert_eq!(JSON::stringify(&again).unwrap(), JSON::stringify(&first).unwrap());

    // A size that is not a number is ignored.
    let other = analyzer.begin_file("other.csv", Some(f64::NAN));
    analyzer.push_chunk(other, EVENTS.as_bytes()).unwrap();
    assert!(analyzer.finish_file(other).is_ok());
}

#[wasm_bindgen_test]
fn load_then_analyze_many_times() {
    let mut analyzer = Analyzer::new();
    let inspection = add_events(&mut analyzer);
    let summary = analyzer.load(load_config(&inspection)).unwrap();
    assert_eq!(get(&summary, "people").as_f64(), Some(2.0));
    assert_eq!(get(&summary, "suggested_conversion").as_string().as_deref(), Some("purchase"));

    let options = JSON::parse(r#"{"conversion":"purchase","funnel":{"steps":[{"event":"visit"},{"event":"purchase"}],"window":"1h"}}"#).unwrap();
    let report = JSON::parse(&analyzer.analyze(options).unwrap()).unwrap();
    let summary = get(&report, "summary");
    assert_eq!(get(&summary, "converters").as_f64(), Some(1.0));
    let steps = get(&get(&report, "funnel"), "steps");
    let second = Reflect::get_u32(&steps, 1).unwrap();
    assert_eq!(get(&second, "people").as_f64(), Some(1.0));

    let narrower = JSON::parse(r#"{"conversion":"purchase","funnel":{"steps":[{"event":"visit"},{"event":"purchase"}],"window":"1m"}}"#).unwrap();
    let report = JSON::parse(&analyzer.analyze(narrower).unwrap()).unwrap();
    let steps = get(&get(&report, "funnel"), "steps");
    let second = Reflect::get_u32(&steps, 1).unwrap();
    assert_eq!(get(&second, "people").as_f64(), Some(0.0));
}

#[wasm_bindgen_test]
fn errors_are_readable_js_errors() {
    let analyzer = Analyzer::new();
    let error = analyzer.analyze(JsValue::NULL).err().map(JsValue::from).unwrap();
    let message = get(&error, "message").as_string().unwrap();
    assert!(message.contains("No data is loaded yet"), "{message}");

    let mut analyzer = Analyzer::new();
    let inspection = add_events(&mut analyzer);
    analyzer.load(load_config(&inspection)).unwrap();
    let bad = JSON::parse(r#"{"funnel":{"steps":[{"event":"visit"}],"window":"soon"}}"#).unwrap();
    let error = analyzer.analyze(bad).err().map(JsValue::from).unwrap();
    let message = get(&error, "message").as_string().unwrap();
    assert!(message.contains("\"soon\" is not a duration"), "{message}");
}

#[wasm_bindgen_test]
fn invalid_options_are_rejected() {
    let mut analyzer = Analyzer::new();
    let inspection = add_events(&mut analyzer);
    analyzer.load(load_config(&inspection)).unwrap();
    let bad = JSON::parse(r#"{"paths":{"top":"many"}}"#).unwrap();
    let error = analyzer.analyze(bad).err().map(JsValue::from).unwrap();
    let message = get(&error, "message").as_string().unwrap();
    assert!(message.starts_with("Invalid analysis options"), "{message}");
}

#[wasm_bindgen_test]
fn misspelt_option_is_rejected() {
    let mut analyzer = Analyzer::new();
    let inspection = add_events(&mut analyzer);
    analyzer.load(load_config(&inspection)).unwrap();
    let misspelt = JSON::parse(r#"{"funnel":{"steps":[{"event":"visit"}],"windw":"1h"}}"#).unwrap();
    let error = analyzer.analyze(misspelt).err().map(JsValue::from).unwrap();
    let message = get(&error, "message").as_string().unwrap();
    assert!(message.contains("unknown field `windw`"), "{message}");
}

#[wasm_bindgen_test]
fn parse_setup_fills_defaults() {
    let setup = pathlight::wasm::parse_setup(r#"{"version":1,"analysis":{"conversion":"purchase"}}"#).unwrap();
    assert_eq!(get(&get(&setup, "analysis"), "conversion").as_string().as_deref(), Some("purchase"));
    assert_eq!(get(&get(&setup, "load"), "time_zone").as_string().as_deref(), Some("UTC"));
    assert_eq!(get(&get(&get(&setup, "analysis"), "attribution"), "markov_order").as_f64(), Some(1.0));
}

#[wasm_bindgen_test]
fn parse_setup_error_names_field() {
    let error = JsValue::from(pathlight::wasm::parse_setup(r#"{"version":1,"load":{"strict":"yes"}}"#).unwrap_err());
    let message = get(&error, "message").as_string().unwrap();
    assert!(message.starts_with("Invalid setup: load.strict: invalid type: string \"yes\""), "{message}");
}
