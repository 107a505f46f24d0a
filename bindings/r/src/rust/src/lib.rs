//! R bindings of hrrstats (extendr): one generic bridge to the core (`protocol`), no
//! statistics and no per-method code. Every public method is
//! `hrrstats_core::api::call(name, args)`; `hrr_call_()` returns
//! `list(ok = TRUE, value = ...)` or `list(ok = FALSE, message = ...)` (core errors
//! rendered with rows counted from 1), and the R layer turns the latter into an
//! ordinary R error with `stop()`. Panics are caught, never crossing into R.

use extendr_api::prelude::*;

mod protocol;

extendr_module! {
    mod hrrstats;
    use protocol;
}
