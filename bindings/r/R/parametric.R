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
  tt <- rhs_terms(formula, data, "strata", specials_env(env, cluster = FALSE))
  check_specials(tt, unsupported_specials("parametric_survival", offset = FALSE))
  st_sp <- survival::untangle.specials(tt, "strata", 1L)
  mf0 <- frame_of(tt, data)
  inp <- model_inputs(c(surv_entries(surv, data, env), num_entry("weights", w)), mf0,
                      special_arg(st_sp, NULL, attr(tt, "offset")), na_action)
  by_arg <- inp$by_arg
  miss <- inp$miss
  mf <- inp$mf
  d <- model_design(model_terms(tt, st_sp$terms, attr(mf0, "terms")), mf)
  X <- d$X
  strata <- strata_codes(mf, st_sp$vars)
  offset <- stats::model.offset(mf)
  inputs <- list(time = by_arg("time"), status = by_arg("status"), entry = by_arg("entry"),
                 weights = by_arg("weights"), strata = as_grouping(strata),
                 covariates = if (ncol(X)) matrix_columns(X), intercept = d$intercept,
                 offset = if (!is.null(offset)) as.double(offset), dist = dist,
                 scale = as.double(scale), max_iter = ctrl$iter.max, eps = ctrl$eps,
                 init = if (!is.null(init)) as.double(init), labels = cox_labels, rows = miss$keep)
  out <- hrr_call("parametric_survival", inputs)
  v <- out$value
  structure(list(
    coefficients = stats::setNames(nan_to_na(v$coef), v$names),
    var = v$var, scale = stats::setNames(v$scale, if (length(v$scale) > 1L) v$strata_levels),
    shape = if (v$dist == "gompertz") v$shape,
    loglik = v$loglik, lr_test = test_vector(v$lr_test), df = v$df, iter = v$iterations,
    converged = v$converged, n = v$n, nevent = v$n_event, dist = v$dist,
    linear.predictors = stats::setNames(v$linear_predictors, rownames(mf)),
    table = v$table, conf_level = v$conf_level, n_dropped = miss$n_dropped,
    strata_levels = v$strata_levels, terms = d$terms, xlevels = d$xlevels,
    contrasts = d$contrasts, strata_vars = st_sp$vars, offset_terms = attr(tt, "offset"),
    formula = formula, call = call, inputs = inputs, ptr = out$fit),
    class = "hrr_survreg")
}

print.summary.hrr_survreg <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  f <- x$fit
  cat("Parametric survival regression (", f$dist, " distribution)\n", sep = "")
  print_fit_table(x, coef_matrix_of(x$table, "p", c("coef", "se", "z", "p"),
                                    c("Value", "Std. Error", "z")), digits)
  if (f$dist == "gompertz") cat("\nShape =", format(f$shape, digits = digits), "\n") else
    cat("\nScale", if (length(f$scale) > 1L) "per stratum", "=",
        paste(format(f$scale, digits = digits), collapse = "  "), "\n")
  cat(sprintf("\nLoglik(model)= %s   Loglik(intercept only)= %s\n",
              format(f$loglik[2L], digits = digits + 2L), format(f$loglik[1L], digits = digits + 2L)))
  if (f$lr_test[["df"]] > 0) {
    test_line("\t", f$lr_test, digits, "%sChisq= %s on %d degrees of freedom, p= %s \n")
  }
  cat("Number of Newton-Raphson Iterations:", f$iter, "\n")
  cat("n=", f$n, deleted_note(f$n_dropped), "\n", sep = "")
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
  nd <- list(args = args, rn = names(object$linear.predictors))
  if (!missing(newdata) && !is.null(newdata)) {
    offsets <- if (length(object$offset_terms)) {
      list(attr(object$terms, "variables")[[object$offset_terms[1L] + 1L]])
    }
    nd <- newdata_args(object, newdata, offsets, args)
    if (length(object$strata_vars)) {   # the strata() term on newdata, labels as fitted
      senv <- specials_env(environment(object$formula) %||% parent.frame(), cluster = FALSE)
      sv <- eval_in(str2lang(object$strata_vars[1L]), newdata, senv)
      nd$args$strata <- factor(as.character(sv[nd$ok]))
    }
  }
  out <- hrr_fit_call(ptr_or_refit(object, "parametric_survival"), "predict", nd$args)
  rn <- nd$rn
  shape <- function(v) {
    if (!is.null(nd$ok)) v <- fill_rows(v, nd$ok)
    if (is.matrix(v)) {
      dimnames(v) <- list(rn, if (type == "survival") format(times) else format(p))
      if (ncol(v) == 1L && type == "quantile") v <- v[, 1L]
      v
    } else stats::setNames(v, rn)
  }
  if (is.list(out) && !is.null(out$se_fit)) return(list(fit = shape(out$fit), se.fit = shape(out$se_fit)))
  shape(out)
}
