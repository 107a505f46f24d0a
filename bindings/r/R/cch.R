# Case-cohort Cox regression, as survival::cch.
#
# `case_cohort()` takes cch's call: `Surv(time, status) ~ terms` (or Surv(start, stop,
# status)), `subcoh`, `id` and `stratum` as one-sided formulas (~var, evaluated in
# `data`) or vectors, `cohort.size` (one number, or one per stratum, named by level as
# table() gives them). The design matrix comes from R's model.frame()/model.matrix();
# the core fits cch's estimators and computes every number.

# A cch-style argument: `~var` evaluated in `data`, or the vector itself.
cch_column <- function(x, data, env) {
  if (inherits(x, "formula")) eval_in(x[[length(x)]], data, environment(x) %||% env) else x
}

case_cohort <- function(formula, data, subcoh, id, stratum = NULL, cohort.size,
                        method = "Prentice", robust = FALSE, conf_level = 0.95,
                        na_action = c("fail", "drop")) {
  call <- match.call()
  if (missing(data)) data <- NULL
  na_action <- check_na_action(na_action)
  if (missing(subcoh)) stop("argument `subcoh` is required", call. = FALSE)
  if (missing(cohort.size)) stop("argument `cohort.size` is required", call. = FALSE)
  surv <- parse_surv_lhs(formula)
  env <- environment(formula) %||% parent.frame()
  tt <- rhs_terms(formula, data, NULL, env)
  check_specials(tt, unsupported_specials("case_cohort"))
  mf <- frame_of(tt, data)
  sub <- cch_column(subcoh, data, parent.frame())
  if (is.logical(sub)) sub <- as.numeric(sub)
  pre <- c(surv_entries(surv, data, env),
           list(col_entry("subcohort", "subcoh", as_double_column(sub, "subcohort", "subcoh"))),
           opt_entry("id", if (!missing(id)) cch_column(id, data, parent.frame())),
           opt_entry("stratum", cch_column(stratum, data, parent.frame())))
  inp <- model_inputs(pre, mf, function(nm, j) "covariates", na_action)
  by_arg <- inp$by_arg
  miss <- inp$miss
  X <- model_design(fitted_terms(tt, attr(mf, "terms")), inp$mf, size = FALSE,
                   empty = "a case-cohort model needs at least one covariate")$X
  idv <- by_arg("id")
  stv <- by_arg("stratum")
  if (!is.numeric(cohort.size)) stop("argument `cohort.size` must be numeric", call. = FALSE)
  inputs <- list(time = by_arg("time"), event = by_arg("status"), entry = by_arg("entry"),
                 subcohort = by_arg("subcohort"), covariates = matrix_columns(X),
                 id = if (!is.null(idv)) as_grouping(factor_codes(idv)),
                 stratum = if (!is.null(stv)) as_grouping(factor_codes(stv)),
                 cohort_size = as.double(cohort.size),
                 cohort_size_names = if (!is.null(names(cohort.size))) names(cohort.size),
                 method = method, robust = robust, conf_level = conf_level,
                 labels = list(subcohort = "subcoh", cohort_size = "cohort.size",
                               cohort_size_names = "names(cohort.size)", event = "status"),
                 rows = miss$keep)
  out <- hrr_call("case_cohort", inputs)
  v <- out$value
  nm <- v$names
  stratified <- isTRUE(v$stratified)
  structure(list(
    coefficients = stats::setNames(v$coef, nm), var = v$var, naive.var = v$naive_var,
    phase2var = v$phase2_var, loglik = v$loglik, method = v$method, robust = v$robust,
    stratified = stratified,
    subcohort.size = if (stratified) stats::setNames(v$subcohort_size, v$stratum_levels) else v$subcohort_size,
    cohort.size = if (stratified) stats::setNames(v$cohort_size, v$stratum_levels) else v$cohort_size,
    iter = v$iterations, converged = v$converged, n = v$n, nevent = v$n_event,
    table = v$table, conf_level = v$conf_level, n_dropped = miss$n_dropped,
    call = call, formula = formula, inputs = inputs, ptr = out$fit),
    class = "hrr_cch")
}

print.summary.hrr_cch <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  f <- x$fit
  if (f$stratified) {
    cat("Exposure-stratified case-cohort analysis,", f$method, "method.\n")
    print(rbind(subcohort = f$subcohort.size, cohort = f$cohort.size), quote = FALSE)
  } else {
    cat("Case-cohort analysis, ", f$method, " method,\n with subcohort of ", f$subcohort.size,
        " from cohort of ", f$cohort.size, "\n", sep = "")
  }
  print_fit_table(x, coef_matrix_of(x$table), digits)
  cat("n= ", f$n, ", number of cases= ", f$nevent, deleted_note(f$n_dropped), "\n", sep = "")
  invisible(x)
}
