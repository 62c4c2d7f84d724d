//! L3 — tested: errors that tests cannot see because the code hides them, and tests that do not
//! run. (`test-failure` comes from the mix gate; `missing-test-file` needs the project index.)

mod handling;
pub mod silent_rescue;
pub mod skipped_test;
pub mod swallowed_error;
