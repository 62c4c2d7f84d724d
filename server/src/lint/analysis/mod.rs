//! Analyses shared by several rules, computed once per lint and per function, so that results
//! can be reused for functions an edit did not touch.

pub mod metrics;
pub mod taint;
