# Parametric survival regression (accelerated failure time), as survival::survreg.
#
# `parametric_survival()` builds the design from R's model.frame()/model.matrix()
# (factors, interactions, transformations; strata() gives a scale per stratum, offset()
# an offset) and passes it to the core, which fits the model and computes every number
# (coefficients, variance, tests, quantiles with standard errors, survival).

parametric_survival <- function(formula, data, dist = "weibull", weights = NULL, scale = 0,
                                init = NULL, control = list(iter.max = 30, eps = 1e-9),
                                na_action = c("fail", "drop")) {
  call <- match.call()
  if (missing(data)) data <- NULL
  na_action <- check_na_action(na_action)
  ctrl <- control_of(control, "list(iter.max = 30, eps = 1e-9)")
  surv <- parse_surv_lhs(formula)
  env <- environment(formula) %||% parent.frame()
  w <- resolve_weights(substitute(weights), data, parent.frame())
  # `.` is every column not in the response; strata() found without survival attached
  srenv <- new.env(parent = env)
  assign("strata", survival::strata, envir = srenv)
  tt <- rhs_terms(formula, data, "strata", srenv)
  check_specials(tt, unsupported_specials("parametric_survival", offset = FALSE))
  st_sp <- survival::untangle.specials(tt, "strata", 1L)
  mf <- if (is.null(data)) model.frame(tt, na.action = stats::na.pass) else
    model.frame(tt, data = data, na.action = stats::na.pass)
  mf_terms <- attr(mf, "terms")
  pre <- surv_entries(surv, data, env)
  if (!is.null(w)) pre <- c(pre, list(col_entry("weights", "weights",
                                                as_double_column(w, "weights", "weights"))))
  inp <- model_inputs(pre, mf, function(nm, j) {
    if (nm %in% st_sp$vars) "strata" else if (j %in% attr(tt, "offset")) "offset" else "covariates"
  }, na_action)
  by_arg <- inp$by_arg
  miss <- inp$miss
  mf <- inp$mf
  xterms <- if (length(st_sp$terms)) tt[-st_sp$terms] else tt
  xterms <- fitted_terms(xterms, mf_terms)
  intercept <- attr(xterms, "intercept") == 1L
  attr(xterms, "intercept") <- 1L
  check_two_levels(xterms, mf)
  check_design_size(xterms, mf)
  X <- model.matrix(xterms, mf)
  contrasts <- attr(X, "contrasts")
  X <- X[, attr(X, "assign") != 0L, drop = FALSE]
  strata <- NULL
  if (length(st_sp$vars)) {
    sv <- if (length(st_sp$vars) == 1L) mf[[st_sp$vars]] else
      do.call(survival::strata, c(unname(as.list(mf[st_sp$vars])), shortlabel = TRUE))
    strata <- factor_codes(sv)
  }
  offset <- stats::model.offset(mf)
  inputs <- list(time = by_arg("time"), status = by_arg("status"), entry = by_arg("entry"),
                 weights = by_arg("weights"), strata = as_grouping(strata),
                 covariates = if (ncol(X)) matrix_columns(X), intercept = intercept,
                 offset = if (!is.null(offset)) as.double(offset), dist = dist,
                 scale = as.double(scale), max_iter = ctrl$iter.max, eps = ctrl$eps,
                 init = if (!is.null(init)) as.double(init),
                 labels = list(max_iter = "control$iter.max", eps = "control$eps"), rows = miss$keep)
  out <- hrr_call("parametric_survival", inputs)
  v <- out$value
  pn <- rownames(v$var)
  structure(list(
    coefficients = stats::setNames(nan_to_na(v$coef), v$names),
    var = v$var, scale = stats::setNames(v$scale, if (length(v$scale) > 1L) v$strata_levels),
    shape = if (v$dist == "gompertz") v$shape,
    loglik = v$loglik, lr_test = test_vector(v$lr_test), df = v$df, iter = v$iterations,
    converged = v$converged, n = v$n, nevent = v$n_event, dist = v$dist,
    linear.predictors = stats::setNames(v$linear_predictors, rownames(mf)),
    table = v$table, conf_level = v$conf_level, n_dropped = miss$n_dropped,
    strata_levels = v$strata_levels, terms = xterms, xlevels = stats::.getXlevels(xterms, mf),
    contrasts = contrasts, strata_vars = st_sp$vars, offset_terms = attr(tt, "offset"),
    formula = formula, call = call, inputs = inputs, ptr = out$fit),
    class = "hrr_survreg")
}

coef.hrr_survreg <- function(object, ...) object$coefficients
vcov.hrr_survreg <- function(object, ...) object$var
nobs.hrr_survreg <- function(object, ...) object$n
logLik.hrr_survreg <- function(object, ...) {
  structure(object$loglik[2L], df = object$df, nobs = object$n, class = "logLik")
}

summary.hrr_survreg <- function(object, conf.int = 0.95, ..., .label = "conf.int") {
  fit_summary(object, conf.int, "parametric_survival", "summary.hrr_survreg", .label)
}

print.hrr_survreg <- function(x, ...) print_summary_of(x, ...)

print.summary.hrr_survreg <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  f <- x$fit
  cat("Parametric survival regression (", f$dist, " distribution)\n", sep = "")
  if (!is.null(f$call)) { cat("Call: "); print(f$call) }
  tab <- x$table
  m <- as.matrix(tab[, c("coef", "se", "z", "p")])
  dimnames(m) <- list(tab$term, c("Value", "Std. Error", "z", "p"))
  print(signif(m, digits))
  if (f$dist == "gompertz") cat("\nShape =", format(f$shape, digits = digits), "\n") else
    cat("\nScale", if (length(f$scale) > 1L) "per stratum", "=",
        paste(format(f$scale, digits = digits), collapse = "  "), "\n")
  cat(sprintf("\nLoglik(model)= %s   Loglik(intercept only)= %s\n",
              format(f$loglik[2L], digits = digits + 2L), format(f$loglik[1L], digits = digits + 2L)))
  t <- f$lr_test
  if (t[["df"]] > 0) {
    cat(sprintf("\tChisq= %s on %d degrees of freedom, p= %s \n",
                format(round(t[["statistic"]], 2)), as.integer(t[["df"]]),
                format.pval(t[["p_value"]], digits = digits)))
  }
  cat("Number of Newton-Raphson Iterations:", f$iter, "\n")
  cat("n=", f$n, if (f$n_dropped) sprintf(" (%d observations deleted due to missingness)", f$n_dropped), "\n", sep = "")
  invisible(x)
}

# Predictions as predict.survreg: type "lp", "quantile" (times by which a fraction p
# has had the event) or "survival" (S(t | x) at `times`), for the fitted rows or
# `newdata`; se.fit adds delta-method standard errors (lp, quantile).
predict.hrr_survreg <- function(object, newdata, type = "lp", p = c(0.1, 0.9), times = NULL,
                                se.fit = FALSE, ...) {
  args <- list(type = type, se = isTRUE(se.fit),
               p = if (type == "quantile") as.double(p),
               times = if (!is.null(times)) as.double(times))
  ok <- NULL
  rn <- names(object$linear.predictors)
  if (!missing(newdata) && !is.null(newdata)) {
    mf <- new_frame(object, newdata)
    X <- new_design(object, mf)
    env <- environment(object$formula) %||% parent.frame()
    off <- NULL
    if (length(object$offset_terms)) {
      off <- as.double(eval_in(attr(object$terms, "variables")[[object$offset_terms[1L] + 1L]],
                               newdata, env))
    }
    ok <- stats::complete.cases(X) & (if (is.null(off)) TRUE else !is.na(off))
    args$covariates <- matrix_columns(X[ok, , drop = FALSE])
    if (!is.null(off)) args$offset <- off[ok]
    if (length(object$strata_vars)) {   # the strata() term on newdata, labels as fitted
      senv <- new.env(parent = env)
      assign("strata", survival::strata, envir = senv)
      sv <- eval_in(str2lang(object$strata_vars[1L]), newdata, senv)
      args$strata <- factor(as.character(sv[ok]))
    }
    rn <- rownames(mf)
  }
  out <- hrr_fit_call(ptr_or_refit(object, "parametric_survival"), "predict", args)
  shape <- function(v) {
    if (!is.null(ok)) v <- fill_rows(v, ok)
    if (is.matrix(v)) {
      dimnames(v) <- list(rn, if (type == "survival") format(times) else format(p))
      if (ncol(v) == 1L && type == "quantile") v <- v[, 1L]
      v
    } else stats::setNames(v, rn)
  }
  if (is.list(out) && !is.null(out$se_fit)) return(list(fit = shape(out$fit), se.fit = shape(out$se_fit)))
  shape(out)
}
