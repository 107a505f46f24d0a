# Competing risks: cumulative incidence (Aalen-Johansen, with Gray's test) as
# cmprsk::cuminc / survival::survfit with multi-state data, and Fine-Gray
# subdistribution-hazards regression as cmprsk::crr. R resolves the formula, codes the
# event and the groups and builds the design matrix; the estimates come from the core.

# The event of `Surv(time, event)`: numeric (or logical) codes, or a factor whose first
# level is censoring (survival's "mstate" convention). Returned as it is; coded by
# event_args() once missing values are dealt with.
event_column <- function(x, label) {
  if (is.factor(x)) return(x)
  if (is.logical(x) || is.numeric(x)) return(as.double(x))
  stop(sprintf(paste0("argument `cause` (%s) must be numeric codes (with `censor_code` for ",
                      "censored rows) or a factor whose first level is censoring, not %s"),
               label, class(x)[1L]), call. = FALSE)
}

# The event as the core's arguments `cause`, `censor_code` (as given: the core checks it)
# and, for a factor, `cause_levels`: a factor is coded 0 (its first level: censored), 1,
# 2, ... (its other levels, in order), and the core then takes no `censor_code`.
event_args <- function(ev, censor_code, censor_given) {
  if (!is.factor(ev)) return(list(cause = ev, censor_code = censor_code))
  list(cause = as.double(as.integer(ev) - 1L), cause_levels = levels(ev),
       censor_code = if (censor_given) censor_code)
}

check_flag <- function(x, arg) {
  if (!is.logical(x) || length(x) != 1L || is.na(x)) {
    stop(sprintf("argument `%s` must be TRUE or FALSE", arg), call. = FALSE)
  }
  x
}

# ---- cumulative incidence ---------------------------------------------------------------

# Aalen-Johansen cumulative incidence of every cause, per group, with Gray's test
# comparing the groups (stratified by strata() terms).
cumulative_incidence <- function(formula, data = NULL, censor_code = 0, weights = NULL,
                                 conf_type = "log-log", conf_level = 0.95, rho = 0,
                                 variance = "cuminc", frequency_weights = FALSE,
                                 na_action = c("fail", "drop")) {
  call <- match.call()
  na_action <- check_na_action(na_action)
  env <- environment(formula) %||% parent.frame()
  w <- resolve_weights(substitute(weights), data, parent.frame())
  cols <- model_columns(formula, data, w, na_action, env, event = TRUE,
                        method = "cumulative_incidence")
  group <- cols$plain
  levels <- if (is.null(group)) "all" else group$levels
  inputs <- c(list(time = cols$time),
              event_args(cols$status, censor_code, !missing(censor_code)),
              list(entry = cols$entry, weights = cols$weights, group = as_grouping(group),
                   strata = as_grouping(cols$strata), conf_type = conf_type,
                   conf_level = conf_level, rho = rho, variance = variance,
                   frequency_weights = frequency_weights,
                   rows = if (cols$n_dropped > 0L) cols$keep))
  out <- hrr_call("cumulative_incidence", inputs)
  v <- out$value
  causes <- v$cause_labels %||% as.character(v$causes)
  gray <- v$gray_test
  if (!is.null(gray)) gray$cause <- causes[gray$cause]
  fit <- c(list(table = cuminc_labelled(v$table, levels, causes),
                all_cause = cuminc_labelled(v$all_cause, levels, causes),
                gray_test = gray, causes = causes, cause_codes = v$causes, groups = levels,
                has_group = !is.null(group), strata_levels = cols$strata$levels,
                n = stats::setNames(v$n, levels), n_dropped = cols$n_dropped),
           v[c("conf_type", "conf_level", "rho", "variance")],
           list(call = call, inputs = inputs, ptr = out$fit))
  class(fit) <- "hrr_cuminc"
  fit
}

# A cumulative-incidence table of the core with its group and cause codes as factors of
# the fit's labels, NA for undefined values.
cuminc_labelled <- function(tab, groups, causes) {
  labelled(labelled(tab, "group", groups, c("lower", "upper", "estimate", "variance", "std_err")),
           "cause", causes, NULL)
}

as.data.frame.hrr_cuminc <- function(x, row.names = NULL, optional = FALSE, ...) {
  with_row_names(x$table, row.names)
}

# Estimates, variances and standard errors at `times` (cmprsk::timepoints): data frame
# group, cause, time, estimate, variance, std_err; NA after a group's last follow-up time.
cuminc_at <- function(x, times, group = NULL) {
  codes <- level_codes(group, x$groups, "group")
  a <- hrr_fit_call(ptr_or_refit(x, "cumulative_incidence"), "at",
                    list(times = if (is.numeric(times)) as.double(times) else times,
                         group = factor(x$groups[codes], levels = x$groups)))
  cuminc_labelled(a, x$groups, x$causes)
}

# The times print() shows: as print.cuminc, pretty() interior points up to the last time.
cuminc_default_times <- function(x) {
  tmax <- if (nrow(x$table)) max(x$table$time) else 1
  tp <- pretty(c(0, tmax), 5L)
  tp <- tp[-c(1L, length(tp))]
  tp[tp <= tmax]
}

summary.hrr_cuminc <- function(object, times = NULL, group = NULL, ...) {
  if (is.null(times)) times <- cuminc_default_times(object)
  structure(list(table = cuminc_at(object, times, group), gray_test = object$gray_test,
                 has_group = object$has_group, call = object$call,
                 n_dropped = object$n_dropped),
            class = "summary.hrr_cuminc")
}

as.data.frame.summary.hrr_cuminc <- as.data.frame.hrr_cuminc

print_gray <- function(g, digits) {
  if (is.null(g)) return(invisible())
  cat("Gray's test:\n")
  print(data.frame(cause = g$cause, statistic = signif(g$statistic, digits), df = g$df,
                   p_value = format.pval(g$p_value, digits = digits)), row.names = FALSE)
  cat("\n")
}

# Estimates and variances as cmprsk's timepoints(): one row per group and cause, one
# column per time.
print_timepoints <- function(tab, has_group, digits) {
  rows <- if (has_group) paste(tab$group, tab$cause) else as.character(tab$cause)
  rows <- factor(rows, levels = unique(rows))
  times <- unique(tab$time)
  for (what in c("estimate", "variance")) {
    m <- matrix(tab[[what]], nrow = nlevels(rows), byrow = TRUE,
                dimnames = list(levels(rows), format(times)))
    cat(if (what == "estimate") "Estimates" else "Variances",
        if (has_group) "(group cause):\n" else "(cause):\n")
    print(m, digits = digits)
  }
}

print.summary.hrr_cuminc <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  print_call(x)
  print_gray(x$gray_test, digits)
  print_timepoints(x$table, x$has_group, digits)
  invisible(x)
}

print.hrr_cuminc <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  print_call(x)
  cat(sprintf("Cumulative incidence (Aalen-Johansen): %s; causes %s\n",
              if (x$has_group) paste(length(x$groups), "groups") else "one group",
              if (length(x$causes)) paste(x$causes, collapse = ", ") else "none (no events)"))
  print_dropped(x$n_dropped)
  cat("\n")
  print_gray(x$gray_test, digits)
  times <- cuminc_default_times(x)
  if (length(times) && length(x$causes)) {
    print_timepoints(cuminc_at(x, times), x$has_group, digits)
  }
  invisible(x)
}

# Right-continuous step path through (t, y) from t[1] to xmax.
step_path <- function(t, y, xmax) {
  list(x = c(rep(t, each = 2L)[-1L], xmax), y = rep(y, each = 2L))
}

# Plot the curves (base graphics): one colour per cause, one line type per group; or,
# `stacked = TRUE`, the causes of one group stacked.
plot.hrr_cuminc <- function(x, stacked = FALSE, group = NULL, causes = NULL,
                            conf_int = FALSE, col = NULL, lty = NULL, lwd = 1.5,
                            xlab = "Time", ylab = "Cumulative incidence", ylim = c(0, 1),
                            legend = TRUE, legend_pos = "topleft", main = NULL,
                            risk_table = FALSE, risk_times = NULL, xscale = 1, ...) {
  check_flag(stacked, "stacked")
  check_flag(conf_int, "conf_int")
  check_xscale(xscale)
  cause_idx <- if (is.null(causes)) seq_along(x$causes) else
    label_codes(causes, x$causes, "causes", "cause")
  nc <- length(cause_idx)
  tab <- x$table
  tab$time <- tab$time / xscale
  xmax <- if (nrow(tab)) max(tab$time) else 1
  col <- rep_len(col %||% (seq_len(nc) + 1L), nc)
  shown <- level_codes(if (stacked) group %||% 1L else group, x$groups, "group")
  if (isTRUE(risk_table)) {
    op <- risk_table_margin(length(shown))
    on.exit(graphics::par(op))
  }
  # the number at risk of the groups drawn, under the axis (returned as "risk_table")
  finish <- function() {
    if (!isTRUE(risk_table)) return(invisible(x))
    times <- risk_table_times(risk_times)
    inp <- x$inputs
    rt <- risk_counts(inp$time, as.double(inp$cause != (inp$censor_code %||% 0)), inp$entry,
                      inp$group, x$groups, times * xscale)
    rt$time <- rt$time / xscale
    rt <- rt[as.integer(rt$strata) %in% shown, , drop = FALSE]
    strata <- factor(as.character(rt$strata), levels = x$groups[shown])
    draw_risk_table(data.frame(strata = strata, time = rt$time, n_risk = rt$n_risk),
                    x$groups[shown], rep("black", length(shown)))
    names(rt)[1L] <- "group"
    rownames(rt) <- NULL
    invisible(structure(x, risk_table = rt))
  }
  rows <- function(g, k) which(as.integer(tab$group) == g & as.integer(tab$cause) == k)
  if (stacked) {
    if (length(shown) != 1L) stop("argument `group`: give one group to stack", call. = FALSE)
    if (is.null(main) && x$has_group) main <- x$groups[shown]
    plot(NA, xlim = c(0, xmax), ylim = ylim, xlab = xlab, ylab = ylab, main = main, ...)
    base <- NULL
    for (k in seq_len(nc)) {
      r <- rows(shown, cause_idx[k])
      t <- c(0, tab$time[r])
      if (is.null(base)) base <- rep(0, length(t))
      top <- base + c(0, tab$estimate[r])
      lo <- step_path(t, base, xmax)
      hi <- step_path(t, top, xmax)
      polygon(c(hi$x, rev(lo$x)), c(hi$y, rev(lo$y)), col = adjustcolor(col[k], alpha.f = 0.6),
              border = col[k])
      base <- top
    }
    if (isTRUE(legend)) {
      graphics::legend(legend_pos, legend = x$causes[cause_idx],
                       fill = adjustcolor(col, alpha.f = 0.6), border = col, bty = "n")
    }
    return(finish())
  }
  lty <- rep_len(lty %||% seq_along(shown), length(shown))
  plot(NA, xlim = c(0, xmax), ylim = ylim, xlab = xlab, ylab = ylab, main = main, ...)
  for (j in seq_along(shown)) {
    for (k in seq_len(nc)) {
      r <- rows(shown[j], cause_idx[k])
      t <- c(0, tab$time[r])
      if (conf_int && x$conf_type != "none") {
        step_band(t, c(0, tab$lower[r]), c(0, tab$upper[r]), xmax, col[k])
      }
      p <- step_path(t, c(0, tab$estimate[r]), xmax)
      lines(p$x, p$y, col = col[k], lty = lty[j], lwd = lwd)
    }
  }
  if (isTRUE(legend)) {   # the causes' colours, and the groups' line types when several
    several <- length(shown) > 1L
    graphics::legend(legend_pos, legend = c(x$causes[cause_idx], if (several) x$groups[shown]),
                     col = c(col, if (several) rep("black", length(shown))),
                     lty = if (several) c(rep(1, nc), lty) else lty[1L], lwd = lwd, bty = "n")
  }
  finish()
}

# ---- Fine-Gray regression ---------------------------------------------------------------

fine_gray <- function(formula, data = NULL, cause = 1, censor_code = 0, cengroup = NULL,
                      gtol = 1e-9, max_iter = 50, conf_level = 0.95,
                      na_action = c("fail", "drop")) {
  call <- match.call()
  na_action <- check_na_action(na_action)
  check_data(data)
  surv <- parse_surv_lhs(formula, mstate = TRUE)
  env <- environment(formula) %||% parent.frame()
  cg <- resolve_weights(substitute(cengroup), data, parent.frame(), arg = "cengroup")

  tt <- rhs_terms(formula, data, specials = c("strata", "cluster"))   # `.`: not the response
  check_specials(tt, unsupported_specials("fine_gray", cluster = FALSE, offset = FALSE))
  if (length(unlist(attr(tt, "specials"))) || !is.null(attr(tt, "offset"))) {
    stop("argument `formula`: strata(), cluster() and offset() terms are not supported by ",
         "fine_gray() (censoring groups go in `cengroup`)", call. = FALSE)
  }
  if (length(attr(tt, "term.labels")) == 0L) {
    stop("argument `formula`: a Fine-Gray model needs at least one covariate", call. = FALSE)
  }
  mf <- frame_of(tt, data)
  pre <- c(surv_entries(surv, data, env, "time"), cause_entry(surv, data, env),
           surv_entries(surv, data, env, "entry"), opt_entry("cengroup", cg))
  # unused factor levels dropped from the kept frame, as glm_fit() and cox_ph()
  inp <- model_inputs(pre, mf, function(nm, j) "covariates", na_action)
  by_arg <- inp$by_arg
  miss <- inp$miss

  d <- model_design(attr(mf, "terms"), inp$mf)   # with the fitted bases for predictions
  xnames <- colnames(d$X)
  cgc <- if (is.null(cg)) NULL else factor_codes(by_arg("cengroup"))

  inputs <- c(list(time = by_arg("time")),
              event_args(by_arg("cause"), censor_code, !missing(censor_code)),
              list(entry = by_arg("entry"), cengroup = as_grouping(cgc),
                   covariates = matrix_columns(d$X), cause_of_interest = cause, gtol = gtol,
                   max_iter = max_iter, conf_level = conf_level,
                   rows = if (miss$n_dropped > 0L) miss$keep))
  out <- hrr_call("fine_gray", inputs)
  v <- out$value
  fit <- list(
    coefficients = stats::setNames(v$coef, xnames), var = v$var, naive_var = v$naive_var,
    se = stats::setNames(v$se, xnames), coef_table = v$table,
    wald = v$table,   # the former name (its columns are a subset of coef_table's)
    conf_level = v$conf_level, loglik = v$loglik, loglik_null = v$loglik_null,
    score = stats::setNames(v$score, xnames), iter = v$iterations, converged = v$converged,
    convergence = v$convergence, warnings = v$warnings,
    n = v$n, nevent = v$n_events, event_times = v$event_times,
    baseline_jumps = v$baseline_jumps,
    cause = v$cause_label %||% as.character(v$cause_of_interest),
    cause_code = v$cause_of_interest, censor_code = inputs$censor_code %||% 0, cengroup_levels = cgc$levels, terms = d$terms,
    assign = d$assign, xlevels = d$xlevels, contrasts = d$contrasts, n_dropped = miss$n_dropped,
    formula = formula, call = call, inputs = inputs, ptr = out$fit
  )
  class(fit) <- "hrr_finegray"
  fit
}

# The coefficient table (term, coef, exp_coef, se, z, p, exp_lower, exp_upper, lower,
# upper) at `level`, computed by the core (the fit's own level is kept).
fg_table <- function(object, level, label = "conf_level") {
  table_at(object, level, label, function(x) ptr_or_refit(x, "fine_gray"), object$coef_table)
}

confint.hrr_finegray <- function(object, parm, level = 0.95, ...) {
  w <- fg_table(object, level, "level")
  w$term <- names(object$coefficients)
  wald_confint(w, parm, level)
}

# The coefficient table: term, coef, exp_coef, se, z, p, exp_lower, exp_upper, lower,
# upper (lower and upper on the scale of coef, as for every regression).
as.data.frame.hrr_finegray <- function(x, row.names = NULL, optional = FALSE, ...,
                                       conf_level = x$conf_level) {
  with_row_names(fg_table(x, conf_level), row.names)
}

# The call, the coefficient matrix `coefs`, [the ratio limits `ci`] and the footer.
fg_print <- function(x, coefs, ci, digits, signif.stars, ...) {
  show_call(x$call, "\nFine-Gray subdistribution hazards (standard errors: sandwich)\n")
  stats::printCoefmat(coefs, digits = digits, signif.stars = signif.stars, P.values = TRUE,
                      has.Pvalue = TRUE, na.print = "NA", ...)
  cat("\n")
  if (!is.null(ci)) {
    print(signif(ci, digits))
    cat("\n")
  }
  cat(sprintf("Cause of interest: %s; n= %d, number of events= %d\n", x$cause, x$n, x$nevent))
  dropped_note(x$n_dropped)
  cat(sprintf("Pseudo log-likelihood= %s (null model %s); %s after %d iteration%s\n",
              format(x$loglik, digits = digits + 3L),
              format(x$loglik_null, digits = digits + 3L),
              if (x$converged) "converged" else "NOT converged", x$iter,
              if (x$iter == 1L) "" else "s"))
  invisible(x)
}

print.hrr_finegray <- function(x, digits = max(1L, getOption("digits") - 3L), ...) {
  fg_print(x, coef_matrix_of(x$coef_table), NULL, digits, FALSE, ...)
}

summary.hrr_finegray <- function(object, conf.int = 0.95, ...) {
  w <- fg_table(object, conf.int)
  res <- c(list(call = object$call, coefficients = coef_matrix_of(w, "Pr(>|z|)"),
                conf.int = ratio_ci(w, conf.int)),
           object[c("cause", "n", "nevent", "n_dropped", "loglik", "loglik_null", "converged",
                    "iter")])
  structure(res, class = "summary.hrr_finegray")
}

print.summary.hrr_finegray <- function(x, digits = max(getOption("digits") - 3L, 3L),
                                       signif.stars = getOption("show.signif.stars"), ...) {
  fg_print(x, x$coefficients, x$conf.int, digits, signif.stars, ...)
}

# Predicted cumulative incidence of the cause of interest at the event times, as
# predict.crr: a matrix with a `time` column and one column per row of `newdata`.
predict.hrr_finegray <- function(object, newdata, ...) {
  if (missing(newdata) || is.null(newdata)) {
    stop("argument `newdata`: give the covariate rows to predict for (a data frame), ",
         "as predict.crr's cov1", call. = FALSE)
  }
  if (!is.data.frame(newdata) && !is.list(newdata)) {
    stop("argument `newdata` must be a data frame", call. = FALSE)
  }
  mf <- new_frame(object, newdata)
  X <- new_design(object, mf)
  r <- hrr_fit_call(ptr_or_refit(object, "fine_gray"), "predict", list(newdata = matrix_columns(X)))
  out <- cbind(r$time, r$cumulative_incidence)
  dimnames(out) <- list(NULL, c("time", rownames(mf)))
  out
}

# ---- baseline hazards ---------------------------------------------------------------------

baseline_hazard.hrr_finegray <- function(fit, ...) {
  hrr_fit_call(ptr_or_refit(fit, "fine_gray"), "baseline_hazard")
}

# ---- cause-specific Cox models ----------------------------------------------------------

# One Cox model per cause: events of that cause are events, every other outcome
# (censoring and the competing causes) is censored. Each fit is cox_ph() called with
# the response Surv(time, cause == k); `...` goes to cox_ph() as it was written.
cause_specific_cox <- function(formula, data = NULL, censor_code = 0, ...) {
  check_data(data)
  surv <- parse_surv_lhs(formula, mstate = TRUE)
  env <- environment(formula) %||% parent.frame()
  ev <- event_column(eval_in(surv$status, data, env), label_of(surv$status))
  # the causes from the core, as Python's: a missing cause is an error naming `cause` and
  # the row (or, with na_action = "drop", dropped by cox_ph), never censored; no events
  # is an error
  na <- check_na_action(list(...)$na_action %||% "fail")
  cs <- hrr_call("cause_specific_events",
                 c(event_args(ev, censor_code, !missing(censor_code)),
                   list(allow_missing = na == "drop")))$value
  causes <- cs$cause_labels %||% cs$causes
  # The cause as an expression: a name as it is, anything else in parentheses.
  cause_expr <- if (is.name(surv$status)) surv$status else call("(", surv$status)
  mc <- match.call(expand.dots = TRUE)
  mc$censor_code <- NULL
  mc[[1L]] <- quote(hrrstats::cox_ph)
  caller <- parent.frame()
  fits <- lapply(causes, function(k) {
    f <- formula
    event <- call("==", cause_expr, k)
    f[[2L]] <- if (is.null(surv$entry)) call("Surv", surv$time, event) else
      call("Surv", surv$entry, surv$time, event)
    mc$formula <- f
    eval(mc, caller)
  })
  stats::setNames(fits, as.character(causes))
}
