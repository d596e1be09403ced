#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| herald::fuzz::cursor(data));
