//! L2 — static analysis: Credo-class checks.

mod branches;
pub mod dbg_call;
pub mod expensive_empty_check;
pub mod filter_count;
pub mod fixme_comment;
pub mod iex_pry;
pub mod io_inspect;
pub mod large_number;
pub mod map_join;
pub mod negated_condition_with_else;
mod pipeline;
pub mod raise_in_rescue;
mod removal;
pub mod same_operands;
mod tags;
pub mod todo_comment;
pub mod unless_else;
pub mod unused_result;
