# Kaplan-Meier survival curves
#
# `kaplan_meier()` fits one Kaplan-Meier curve (with the Nelson-Aalen cumulative
# hazard) per stratum, as `survival::survfit()` does, with the computation in Rust.
#
# @param formula `Surv(time, status) ~ 1`, `Surv(time, status) ~ x + ...` (one curve
#   per combination of the right-hand-side variables) or `Surv(start, stop, status) ~ ...`
#   for delayed entry / counting-process data. `status` is 0/1 or FALSE/TRUE.
# @param data a data frame holding the variables.
# @param weights case weights: a numeric vector, a column of `data` (bare or quoted).
# @param conf_type "log" (default), "log-log", "plain", "logit", "arcsin" or "none".
# @param conf_level level of the pointwise confidence intervals.
# @param variance "auto" (Greenwood, robust with fractional weights), "greenwood" or
#   "robust".
# @param na_action "fail" (default: missing values are an error) or "drop".
# @return an object of class `hrr_km`.
kaplan_meier <- function(formula, data = NULL, weights = NULL, conf_type = "log",
                         conf_level = 0.95, variance = "auto",
                         na_action = c("fail", "drop")) {
  na_action <- check_na_action(na_action)
  env <- environment(formula) %||% parent.frame()
  w <- resolve_weights(substitute(weights), data, parent.frame())
  cols <- model_columns(formula, data, w, na_action, env)
  st <- cols$all_rhs
  levels <- if (is.null(st)) "all" else st$levels
  inputs <- list(time = cols$time, status = cols$status, entry = cols$entry,
                 weights = cols$weights, strata = as_grouping(st),
                 conf_type = conf_type, conf_level = conf_level, variance = variance,
                 rows = cols$keep)   # NULL when no row was dropped
  out <- hrr_call("kaplan_meier", inputs, hint = if (!is.null(st)) strata_hint(levels))
  v <- out$value
  structure(c(as.list(labelled(v$table, "strata", levels)), list(
    n = stats::setNames(v$n, levels), events = v$events, strata_levels = levels,
    has_strata = !is.null(st), n_dropped = cols$n_dropped, robust = v$robust,
    conf_type = v$conf_type, conf_level = conf_level, variance = variance,
    call = match.call(), ptr = out$fit, inputs = inputs
  )), class = "hrr_km")
}

km_columns <- c("strata", "time", "n_risk", "n_event", "n_censor", "survival", "std_err",
                "lower", "upper", "cumulative_hazard", "std_err_cumulative_hazard")

`%||%` <- function(a, b) if (is.null(a)) b else a

# `na_action` (rows are dropped here, before the core is called), with the core's error for
# an unknown option value (options.rs), as Python raises it.
check_na_action <- function(na_action) {
  na_action <- na_action[1L]
  if (!is.character(na_action) || !na_action %in% c("fail", "drop")) {
    stop(sprintf("argument `na_action`: unknown value \"%s\"; accepted: \"fail\", \"drop\"",
                 format(na_action)), call. = FALSE)
  }
  na_action
}


# Positions (1-based) of the labels `x` among `labels`; the error names `arg`.
label_codes <- function(x, labels, arg, what = arg) {
  code <- match(as.character(x), labels)
  if (anyNA(code)) {
    stop(sprintf("argument `%s`: no %s \"%s\"; the fit has %s", arg, what,
                 as.character(x)[is.na(code)][1L],
                 paste0("\"", labels, "\"", collapse = ", ")), call. = FALSE)
  }
  code
}

# Positions (1-based) from NULL (all), labels or positions (stratum or group).
level_codes <- function(x, labels, arg) {
  if (is.null(x)) return(seq_along(labels))
  if (is.character(x) || is.factor(x)) return(label_codes(x, labels, arg))
  if (is_position(x, labels)) return(as.integer(x))
  stop(sprintf("argument `%s` must be %s labels or numbers 1..%d", arg, arg, length(labels)),
       call. = FALSE)
}

# Strata given as labels, or as positions 1..k (R's indexing), as the labels the core looks
# up among the fit's strata (an unknown one is the core's error).
stratum_labels <- function(x, labels) {
  if (is_position(x, labels)) labels[x] else as.character(x)
}

# Whether `x` holds positions 1..k among k `labels` (R's indexing) rather than labels.
is_position <- function(x, labels) {
  is.numeric(x) && !anyNA(x) && all(x == round(x) & x >= 1 & x <= length(labels))
}

as.data.frame.hrr_km <- function(x, row.names = NULL, optional = FALSE, ...) {
  data.frame(x[km_columns], row.names = row.names)
}

# Quantiles of survival time, per stratum, with confidence limits
quantile.hrr_km <- function(x, probs = c(0.25, 0.5, 0.75), ...) {
  q <- hrr_fit_call(ptr_or_refit(x, "kaplan_meier"), "quantile", list(probs = as.double(probs)))
  labelled(q, "strata", x$strata_levels, c("quantile", "lower", "upper"))
}

# Restricted mean survival time up to `tau` per stratum, as print(survfit, rmean = tau),
# with Wald limits; rmst_difference(): the difference of two strata's (first minus second).
rmst <- function(fit, tau, ...) UseMethod("rmst")

rmst.hrr_km <- function(fit, tau, conf_level = NULL, ...) {
  r <- hrr_fit_call(ptr_or_refit(fit, "kaplan_meier"), "rmst",
                    list(tau = as.double(tau), conf_level = conf_level))
  labelled(r, "strata", fit$strata_levels, NULL)
}

rmst_difference <- function(fit, tau, strata = NULL, conf_level = NULL) {
  if (!inherits(fit, "hrr_km")) stop("argument `fit` must be a kaplan_meier() fit", call. = FALSE)
  args <- list(tau = as.double(tau), conf_level = conf_level)
  if (!is.null(strata)) {  # looked up by the core among the fit's strata
    args$strata <- stratum_labels(strata, fit$strata_levels)
    args$levels <- fit$strata_levels
  }
  r <- hrr_fit_call(ptr_or_refit(fit, "kaplan_meier"), "rmst_difference", args)
  r$strata <- fit$strata_levels[r$strata]
  r
}

# Median survival time per stratum with confidence limits
median.hrr_km <- function(x, na.rm = FALSE, ...) {
  q <- quantile.hrr_km(x, probs = 0.5)
  data.frame(strata = q$strata, median = q$quantile, lower = q$lower, upper = q$upper)
}

# Survival at given times
#
# Reads the right-continuous step function at `times` (1 before the first time, the
# last value beyond the last), as `summary(survfit, times = , extend = TRUE)`.
# @param fit a fit, e.g. from [kaplan_meier()].
# @param times times at which to read the curves.
# @param stratum NULL (all strata), stratum labels or stratum numbers.
survival_at <- function(fit, times, stratum = NULL, ...) UseMethod("survival_at")

survival_at.hrr_km <- function(fit, times, stratum = NULL, ...) {
  if (!is.numeric(times)) stop("argument `times` must be numeric", call. = FALSE)
  lev <- fit$strata_levels
  args <- list(times = as.double(times))
  if (!is.null(stratum)) args <- c(args, list(stratum = stratum_labels(stratum, lev), levels = lev))
  a <- hrr_fit_call(ptr_or_refit(fit, "kaplan_meier"), "survival_at", args)
  labelled(a, "strata", lev)
}


print.hrr_km <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  print_call(x)
  print_dropped(x$n_dropped)
  med <- median(x)
  print_final(x, cbind(n = x$n, events = x$events, median = med$median, med$lower, med$upper),
              x$strata_levels, x$has_strata, digits, ...)
}

print_dropped <- function(n_dropped) {
  dropped_note(n_dropped, fmt = "%s%d observation%s deleted due to missingness\n")
}

# Summary of a Kaplan-Meier fit: the survival table, or survival at `times`
summary.hrr_km <- function(object, times = NULL, ...) {
  tab <- if (is.null(times)) as.data.frame(object) else survival_at(object, times)
  structure(list(table = tab, times = !is.null(times), has_strata = object$has_strata,
                 conf_level = object$conf_level, call = object$call, robust = object$robust,
                 n_dropped = object$n_dropped),
            class = "summary.hrr_km")
}

print.summary.hrr_km <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  print_call(x)
  t <- x$table
  cols <- if (x$times) c("time", "n_risk", "survival", "std_err", "lower", "upper") else
    c("time", "n_risk", "n_event", "n_censor", "survival", "std_err", "lower", "upper")
  print_blocks(t, "strata", cols, x$conf_level, x$has_strata, digits, ...)
  invisible(x)
}

# Plot Kaplan-Meier curves (base graphics)
#
# Step curves with shaded pointwise confidence bands, one colour per stratum; censoring
# marks; optionally the number at risk under the time axis (the core's survival_at).
plot.hrr_km <- function(x, conf_int = TRUE, col = NULL, lty = 1, lwd = 1.5,
                        xlab = "Time", ylab = "Survival probability", ylim = c(0, 1),
                        legend = x$has_strata, legend_pos = "topright", main = NULL,
                        censor_marks = TRUE, risk_table = FALSE, risk_times = NULL,
                        xscale = 1, ...) {
  counts <- function(times) survival_at(x, times)[c("strata", "time", "n_risk")]
  plot_survival(x, conf_int && x$conf_type != "none", col, censor_marks, risk_table, risk_times,
                xscale, counts, lty = lty, lwd = lwd, xlab = xlab, ylab = ylab, ylim = ylim,
                legend = legend, legend_pos = legend_pos, main = main, ...)
}

utils_last <- function(v, default) if (length(v)) v[length(v)] else default
