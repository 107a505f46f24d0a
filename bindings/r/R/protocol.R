# The one bridge to the Rust core: arguments in, results out, for every method.
#
# hrr_call(method, args) runs hrrstats_core::api's `method` on a named list of
# arguments (double/integer/logical vectors, factors for groupings, named lists of
# columns, strings; a NULL is an absent argument) and returns its result converted once,
# generically (tables as data.frames, positions counted from 1, records as named lists).
# The core reads the arguments by name, parses every option and raises every error, so
# R and Python behave the same. `rows` (the rows of the caller's data that were kept after
# na_action = "drop") makes errors name the caller's row. Nothing here computes a
# statistic.

hrr_call <- function(method, args, rows = NULL, hint = NULL) {
  if (!is.null(rows)) args$rows <- rows
  hrr_warn(rust_value(hrr_call_(method, args), hint = hint))
}

# Issue a result's warnings (the anchors' warnings: non-convergence, infinite
# coefficients, ...) as R gives them; returns the result.
hrr_warn <- function(out) {
  if (is.list(out$value)) for (msg in out$value$warnings) warning(msg, call. = FALSE)
  out
}

hrr_fit_call <- function(fit, method, args = list(), hint = NULL) {
  rust_value(hrr_fit_call_(fit, method, args), hint = hint)
}

# The core's fit behind `x` (its `ptr`); after saveRDS()/readRDS() the pointer is gone and
# the fit is made again by `refit()` (which returns hrr_call()'s list(value, fit)).
fit_ptr <- function(x, refit) {
  if (!is.null(x$ptr) && hrr_fit_alive_(x$ptr)) x$ptr else refit()$fit
}

# fit_ptr() for a fit made by hrr_call(method, x$inputs).
ptr_or_refit <- function(x, method) fit_ptr(x, function() hrr_call(method, x$inputs))

# A grouping from factor_codes()/combine_factors() (1-based codes and labels) as the
# factor the core reads.
as_grouping <- function(g) {
  if (is.null(g)) return(NULL)
  structure(as.integer(g$codes), levels = as.character(g$levels), class = "factor")
}

# The example cohort
#
# A synthetic, registry-like cancer cohort (20,000 persons; deterministic): id, sex
# (1 male, 2 female), age (at diagnosis), year (of diagnosis, decimal), stage (1-4),
# region (health region, a factor), time (days of follow-up), status (1 died,
# 0 censored).
# @export
example_cohort <- function() hrr_call("example_cohort", list())$value
