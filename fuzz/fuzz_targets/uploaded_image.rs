#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| porticod::fuzzing::uploaded_image(data));
