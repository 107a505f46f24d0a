# Flexible parametric (Royston-Parmar) survival models, as Stata's stpm2 and rstpm2.
#
# `flexible_parametric()` builds the design from R's model.frame()/model.matrix() and
# passes it to the core, which fits the model and computes every number (coefficients,
# variance, predictions with delta-method standard errors, standardisation).

flexible_parametric <- function(formula, data, df = 3, knots = NULL, boundary_knots = NULL,
                                scale = "hazard", tvc = NULL, bhazard = NULL, weights = NULL,
                                control = list(iter.max = 50, eps = 1e-12),
                                na_action = c("fail", "drop")) {
  call <- match.call()
  if (missing(data)) data <- NULL
  na_action <- check_na_action(na_action)
  ctrl <- control_of(control, "list(iter.max = 50, eps = 1e-12)")
  surv <- parse_surv_lhs(formula)
  env <- environment(formula) %||% parent.frame()
  w <- resolve_weights(substitute(weights), data, parent.frame())
  bh <- resolve_weights(substitute(bhazard), data, parent.frame(), arg = "bhazard")
  tt <- rhs_terms(formula, data, NULL, env)
  check_specials(tt, unsupported_specials("flexible_parametric"))
  mf <- frame_of(tt, data)
  pre <- c(surv_entries(surv, data, env), num_entry("weights", w), num_entry("bhazard", bh))
  inp <- model_inputs(pre, mf, function(nm, j) "covariates", na_action)
  by_arg <- inp$by_arg
  d <- model_design(fitted_terms(tt, attr(mf, "terms")), inp$mf, size = FALSE)
  X <- d$X
  if (!is.null(tvc) && (!is.list(tvc) || is.null(names(tvc)))) {
    stop("argument `tvc` must be a named list: covariate = degrees of freedom, e.g. list(x = 2)",
         call. = FALSE)
  }
  inputs <- list(time = by_arg("time"), status = by_arg("status"), entry = by_arg("entry"),
                 weights = by_arg("weights"), bhazard = by_arg("bhazard"),
                 covariates = if (ncol(X)) matrix_columns(X), df = as.double(df),
                 knots = if (!is.null(knots)) as.double(knots),
                 boundary_knots = if (!is.null(boundary_knots)) as.double(boundary_knots),
                 scale = scale, tvc = if (!is.null(tvc)) lapply(tvc, as.double),
                 max_iter = ctrl$iter.max, eps = ctrl$eps, labels = cox_labels,
                 rows = inp$miss$keep)
  out <- hrr_call("flexible_parametric", inputs)
  v <- out$value
  structure(list(
    coefficients = stats::setNames(nan_to_na(v$coef), v$names), var = v$var, loglik = v$loglik,
    df = v$df, iter = v$iterations, converged = v$converged, n = v$n, nevent = v$n_event,
    scale = v$scale, knots = v$knots, covariates = v$covariates, table = v$table,
    conf_level = v$conf_level, relative = isTRUE(v$relative), n_dropped = inp$miss$n_dropped,
    terms = d$terms, xlevels = d$xlevels, contrasts = d$contrasts, formula = formula,
    call = call, inputs = inputs, ptr = out$fit),
    class = "hrr_flexsurv")
}

print.summary.hrr_flexsurv <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  f <- x$fit
  cat("Flexible parametric survival model (scale \"", f$scale, "\")\n", sep = "")
  print_fit_table(x, coef_matrix_of(x$table, "p", c("coef", "se", "z", "p"),
                                    c("Estimate", "Std. Error", "z")), digits)
  cat("\nKnots (time):", paste(format(f$knots, digits = digits), collapse = " "), "\n")
  cat("Log-likelihood:", format(f$loglik, digits = digits + 3L), "\n")
  cat("n=", f$n, ", events=", format(f$nevent), deleted_note(f$n_dropped), "\n", sep = "")
  invisible(x)
}

# The covariate columns of `newdata` as the fit's design (for predictions).
flex_rows <- function(object, newdata) {
  if (is.null(newdata) || !length(object$covariates)) return(NULL)
  X <- new_design(object, new_frame(object, newdata))
  if (anyNA(X)) stop("argument `newdata`: missing values in the covariates", call. = FALSE)
  matrix_columns(X)
}

# Predictions at `times` for each row of `newdata`: type "survival", "hazard", "cumhaz",
# "hr" (each row against `reference`, a data frame with one row or one per row) or
# "rmst"; a data frame: row, time, estimate, std_err (delta method), lower, upper.
predict.hrr_flexsurv <- function(object, newdata = NULL, type = "survival", times, reference = NULL,
                                 level = 0.95, ...) {
  if (missing(times)) stop("argument `times` is required", call. = FALSE)
  args <- list(type = type, times = as.double(times), covariates = flex_rows(object, newdata),
               reference = flex_rows(object, reference), conf_level = level)
  out <- hrr_fit_call(ptr_or_refit(object, "flexible_parametric"), "predict", args)
  out$row <- as.integer(out$row)
  out
}

# Regression standardisation: the mean over the rows of `newdata` of S(t | x) (type
# "survival") or of the RMST up to t ("rmst"), with its delta-method standard error.
# With `reference` (a second data set), also the contrast: newdata's minus reference's.
standardize <- function(object, times, newdata, type = "survival", reference = NULL, level = 0.95) {
  if (!inherits(object, "hrr_flexsurv")) stop("argument `object` must be a flexible_parametric() fit", call. = FALSE)
  args <- list(type = type, times = as.double(times), covariates = flex_rows(object, newdata),
               reference = flex_rows(object, reference), conf_level = level)
  hrr_fit_call(ptr_or_refit(object, "flexible_parametric"), "standardize", args)
}

# Survival, hazard, cumulative hazard or hazard ratio over time with pointwise CI bands,
# one line per row of `newdata`.
plot.hrr_flexsurv <- function(x, newdata = NULL, type = "survival", times = NULL, reference = NULL,
                              ci = TRUE, col = NULL, xlab = "Time", ylab = NULL, ...) {
  if (is.null(times)) times <- seq(x$knots[1L], x$knots[length(x$knots)], length.out = 100)
  p <- predict(x, newdata, type = type, times = times, reference = reference)
  rows <- unique(p$row)
  col <- col %||% seq_along(rows)
  ylab <- ylab %||% switch(type, hr = "Hazard ratio", survival = "Survival", hazard = "Hazard",
                           cumhaz = "Cumulative hazard", rmst = "RMST")
  yl <- range(if (ci) c(p$lower, p$upper) else p$estimate, finite = TRUE)
  graphics::plot(range(times), yl, type = "n", xlab = xlab, ylab = ylab, ...)
  for (k in seq_along(rows)) {
    g <- p[p$row == rows[k], ]
    if (ci) graphics::polygon(c(g$time, rev(g$time)), c(g$lower, rev(g$upper)),
                              col = grDevices::adjustcolor(col[k], alpha.f = 0.2), border = NA)
    graphics::lines(g$time, g$estimate, col = col[k])
  }
  invisible(p)
}

# ---- relative-survival outputs (fits with bhazard) ----------------------------------------

# The persons of the relative-survival outputs: rows of `newdata` (the model's covariates
# and the rate table's age, year, sex), as the relsurv functions read them.
flex_relative_args <- function(object, newdata, ratetable, age, year, sex, individual, age_unit, level) {
  if (!inherits(object, "hrr_flexsurv")) {
    stop("argument `object` must be a flexible_parametric() fit", call. = FALSE)
  }
  ratetable <- check_rate_table(ratetable)
  args <- rate_values(ratetable, age, year, sex, newdata, age_unit)
  args$covariates <- flex_rows(object, newdata)
  args$individual <- isTRUE(individual)
  args$conf_level <- level
  args
}

# Crude probabilities of death from the cancer and from other causes (Cronin & Feuer
# 2000; Lambert et al. 2010) of a relative-survival fit, averaged over the rows of
# `newdata` (or per row with `individual = TRUE`). The top-level crude_probabilities()
# is the non-parametric cmp.rel estimator; this is the model-based one.
rp_crude_probabilities <- function(object, times, newdata = NULL, ratetable, age = "age", year = "year",
                                   sex = "sex", individual = FALSE, age_unit = "years", level = 0.95) {
  if (missing(times) || !is.numeric(times)) stop("argument `times` must be a numeric vector", call. = FALSE)
  args <- flex_relative_args(object, newdata, ratetable, age, year, sex, individual, age_unit, level)
  args$times <- as.double(times)
  flex_relative_call(object, "crude_probabilities", args)
}

# Loss in life expectancy (Andersson et al. 2013): expected minus observed life expectancy,
# both up to `horizon` (the rate table's time unit) or each person's attained age
# `max_age` (years), averaged over the rows of `newdata` (or per row).
loss_in_life_expectancy <- function(object, newdata = NULL, ratetable, age = "age", year = "year",
                                    sex = "sex", horizon = NULL, max_age = 110, individual = FALSE,
                                    age_unit = "years", level = 0.95) {
  args <- flex_relative_args(object, newdata, ratetable, age, year, sex, individual, age_unit, level)
  args$horizon <- if (!is.null(horizon)) as.double(horizon)
  args$max_age <- as.double(max_age)
  flex_relative_call(object, "loss_in_life_expectancy", args)
}

# The core fit's table of `method` (its warnings issued), rows numbered as integers.
flex_relative_call <- function(object, method, args) {
  out <- hrr_fit_call(ptr_or_refit(object, "flexible_parametric"), method, args)
  for (msg in out$warnings) warning(msg, call. = FALSE)
  tab <- out$table
  if (!is.null(tab$row)) tab$row <- as.integer(tab$row)
  tab
}
