//! Person-time on the Lexis diagram: splitting follow-up by time scales and tabulating
//! person-time and transitions.

pub mod lexis;

pub use lexis::{LexisData, LexisSplit, PersonTimeTable, SplitRows};
