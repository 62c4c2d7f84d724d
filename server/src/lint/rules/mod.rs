//! The rules, grouped by rung (one module per rung, one file per rule). Rules fed by the
//! background mix gates are registered in [`mix_gates`].

pub mod l0_compiles;
pub mod l1_formatted;
pub mod l2_migrations;
pub mod l2_static;
pub mod l3_tested;
pub mod l4_typed;
pub mod l5_secure;
pub mod l6_observable;
pub mod l7_documented;
pub mod meta;
pub mod mix_gates;
mod reason_comment;

#[cfg(test)]
pub mod migration_test_support;
#[cfg(test)]
pub mod test_support;
