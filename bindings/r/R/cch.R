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
  mf <- if (is.null(data)) model.frame(tt, na.action = stats::na.pass) else
    model.frame(tt, data = data, na.action = stats::na.pass)
  mf_terms <- attr(mf, "terms")
  sub <- cch_column(subcoh, data, parent.frame())
  if (is.logical(sub)) sub <- as.numeric(sub)
  pre <- c(surv_entries(surv, data, env),
           list(col_entry("subcohort", "subcoh", as_double_column(sub, "subcohort", "subcoh"))))
  if (!missing(id) && !is.null(id)) pre <- c(pre, list(col_entry("id", "id", cch_column(id, data, parent.frame()))))
  if (!is.null(stratum)) pre <- c(pre, list(col_entry("stratum", "stratum", cch_column(stratum, data, parent.frame()))))
  inp <- model_inputs(pre, mf, function(nm, j) "covariates", na_action)
  by_arg <- inp$by_arg
  miss <- inp$miss
  mf <- inp$mf
  xterms <- fitted_terms(tt, mf_terms)
  attr(xterms, "intercept") <- 1L
  if (length(attr(xterms, "term.labels")) == 0L) {
    stop("argument `formula`: a case-cohort model needs at least one covariate", call. = FALSE)
  }
  check_two_levels(xterms, mf)
  X <- model.matrix(xterms, mf)
  X <- X[, attr(X, "assign") != 0L, drop = FALSE]
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

coef.hrr_cch <- function(object, ...) object$coefficients
vcov.hrr_cch <- function(object, ...) object$var
nobs.hrr_cch <- function(object, ...) object$n

summary.hrr_cch <- function(object, conf.int = 0.95, ..., .label = "conf.int") {
  fit_summary(object, conf.int, "case_cohort", "summary.hrr_cch", .label)
}

confint.hrr_cch <- function(object, parm, level = 0.95, ...) {
  confint_from_summary(object, parm, level, ...)
}

print.hrr_cch <- function(x, ...) print_summary_of(x, ...)

print.summary.hrr_cch <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  f <- x$fit
  if (f$stratified) {
    cat("Exposure-stratified case-cohort analysis,", f$method, "method.\n")
    print(rbind(subcohort = f$subcohort.size, cohort = f$cohort.size), quote = FALSE)
  } else {
    cat("Case-cohort analysis, ", f$method, " method,\n with subcohort of ", f$subcohort.size,
        " from cohort of ", f$cohort.size, "\n", sep = "")
  }
  if (!is.null(f$call)) { cat("Call: "); print(f$call) }
  tab <- x$table
  m <- as.matrix(tab[, c("coef", "exp_coef", "se", "z", "p")])
  dimnames(m) <- list(tab$term, c("coef", "exp(coef)", "se(coef)", "z", "p"))
  print(signif(m, digits))
  cat("n= ", f$n, ", number of cases= ", f$nevent,
      if (f$n_dropped) sprintf(" (%d observations deleted due to missingness)", f$n_dropped), "\n", sep = "")
  invisible(x)
}
