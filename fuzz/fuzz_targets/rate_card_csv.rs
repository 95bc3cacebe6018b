#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| porticod::fuzzing::rate_card_csv(data));
