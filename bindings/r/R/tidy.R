# broom-style tidiers: tidy(), glance() and augment() methods for hrrstats fits.
#
# The generics come from the 'generics' package (re-exported by 'broom'), a Suggests
# dependency: the methods are registered lazily in NAMESPACE (S3method(generics::tidy,
# cls)), so they exist as soon as generics (or broom) is loaded. Nothing is computed
# here: the numbers are the core's (its coefficient tables at the requested level,
# its tests, predictions and residuals), renamed to broom's column names.

# ---- coefficient tables -------------------------------------------------------------

# The core's coefficient table of any regression fit at `level`.
coef_table_at <- function(x, level) {
  if (!is.numeric(level) || length(level) != 1L || is.na(level) || level <= 0 || level >= 1) {
    stop("argument `conf.level` must be a single number between 0 and 1", call. = FALSE)
  }
  if (inherits(x, c("hrr_coxph", "hrr_glm"))) return(cox_table(x, level, "conf.level"))
  if (inherits(x, "hrr_finegray")) return(na_table(fg_table(x, level, "conf.level")))
  summary(x, conf.int = level, .label = "conf.level")$table
}

# broom's columns from a core table: term, estimate, std.error, [naive.std.error],
# statistic, p.value, [conf.low, conf.high]; exp scale with `exponentiate` (the core's
# exp_coef and exp_lower/exp_upper).
tidy_coef <- function(x, conf.int = FALSE, conf.level = 0.95, exponentiate = FALSE) {
  tab <- coef_table_at(x, conf.level)
  if (isTRUE(exponentiate) && is.null(tab$exp_coef)) {
    stop("argument `exponentiate`: this model's coefficients are not on a log scale", call. = FALSE)
  }
  stat <- intersect(c("z", "t"), names(tab))[1L]
  out <- data.frame(term = tab$term,
                    estimate = if (isTRUE(exponentiate)) tab$exp_coef else tab$coef,
                    std.error = tab$se, stringsAsFactors = FALSE)
  if (!is.null(tab$naive_se)) out$naive.std.error <- tab$naive_se
  out$statistic <- tab[[stat]]
  out$p.value <- tab$p
  if (isTRUE(conf.int)) {
    out$conf.low <- if (isTRUE(exponentiate)) tab$exp_lower else tab$lower
    out$conf.high <- if (isTRUE(exponentiate)) tab$exp_upper else tab$upper
  }
  rownames(out) <- NULL
  out
}

tidy.hrr_coxph <- tidy.hrr_glm <- tidy.hrr_finegray <- tidy.hrr_clogit <- tidy.hrr_survreg <-
  tidy.hrr_flexsurv <- function(x, conf.int = FALSE, conf.level = 0.95, exponentiate = FALSE,
                                ...) {
  tidy_coef(x, conf.int, conf.level, exponentiate)
}

# ---- one-row model summaries -----------------------------------------------------------

test_columns <- function(t, suffix) {
  if (is.null(t)) return(NULL)
  stats::setNames(list(unname(t[["statistic"]]), unname(t[["p_value"]])),
                  paste0(c("statistic.", "p.value."), suffix))
}

glance_frame <- function(...) {
  cols <- Filter(Negate(is.null), c(...))
  as.data.frame(cols, stringsAsFactors = FALSE)
}

# logLik, AIC, BIC (with the logLik's nobs: the number of events for Cox models, as
# survival) and nobs (`nobs`, default stats::nobs()).
info_criteria <- function(x, nobs = stats::nobs(x)) {
  ll <- stats::logLik(x)
  list(logLik = as.numeric(ll), AIC = stats::AIC(ll), BIC = stats::BIC(ll), nobs = nobs)
}

glance.hrr_coxph <- function(x, ...) {
  glance_frame(list(n = x$n, nevent = x$nevent),
               test_columns(x$lr_test, "log"), test_columns(x$score_test, "sc"),
               test_columns(x$wald_test, "wald"), test_columns(x$robust_score_test, "robust"),
               list(iter = x$iter), info_criteria(x, nobs = x$n))
}

glance.hrr_clogit <- function(x, ...) {
  glance_frame(list(n = x$n, nevent = x$nevent),
               test_columns(x$lr_test, "log"), test_columns(x$score_test, "sc"),
               test_columns(x$wald_test, "wald"), list(iter = x$iter), info_criteria(x, nobs = x$n))
}

glance.hrr_glm <- function(x, ...) {
  glance_frame(list(null.deviance = x$null.deviance, df.null = x$df.null),
               info_criteria(x)[c("logLik", "AIC", "BIC")],
               list(deviance = x$deviance, df.residual = x$df.residual, nobs = x$nobs,
                    theta = x$theta, SE.theta = x$SE.theta, converged = x$converged, iter = x$iter))
}

glance.hrr_survreg <- function(x, ...) {
  glance_frame(list(n = x$n, nevent = x$nevent, iter = x$iter, df = x$df),
               list(statistic = unname(x$lr_test[["statistic"]]),
                    p.value = unname(x$lr_test[["p_value"]])),
               info_criteria(x))
}

glance.hrr_flexsurv <- function(x, ...) {
  glance_frame(list(n = x$n, df = x$df), info_criteria(x))
}

glance.hrr_finegray <- function(x, ...) {
  glance_frame(list(n = x$n, nevent = x$nevent, iter = x$iter, converged = x$converged),
               info_criteria(x))
}

glance.hrr_logrank <- function(x, ...) {
  data.frame(statistic = x$statistic, df = x$df, p.value = x$p_value)
}

# ---- curves and tests ----------------------------------------------------------------

# Survival curves (Kaplan-Meier, net survival): one row per time per stratum, as
# broom's tidy.survfit: time, n.risk, n.event, n.censor, estimate, std.error (of the
# survival probability, summary.survfit's std.err), conf.low, conf.high, [strata].
tidy_curve <- function(tab, has_strata) {
  out <- data.frame(time = tab$time, n.risk = tab$n_risk, n.event = tab$n_event,
                    n.censor = tab$n_censor, estimate = tab$survival, std.error = tab$std_err,
                    conf.low = tab$lower, conf.high = tab$upper)
  if (isTRUE(has_strata)) out$strata <- tab$strata
  out
}

tidy.hrr_km <- tidy.hrr_netsurv <- function(x, ...) tidy_curve(as.data.frame(x), x$has_strata)

glance.hrr_km <- function(x, ...) {
  med <- stats::median(x)
  out <- data.frame(records = unname(x$n), events = unname(x$events), median = med$median,
                    conf.low = med$lower, conf.high = med$upper)
  if (isTRUE(x$has_strata)) out <- cbind(strata = med$strata, out)
  out
}

# Cumulative incidence: one row per group, cause and time (the core's table).
tidy.hrr_cuminc <- function(x, ...) {
  tab <- as.data.frame(x)
  names(tab)[names(tab) == "lower"] <- "conf.low"
  names(tab)[names(tab) == "upper"] <- "conf.high"
  rownames(tab) <- NULL
  tab
}

# Log-rank test: one row per group (as broom's tidy.survdiff: N, obs, exp).
tidy.hrr_logrank <- function(x, ...) {
  data.frame(group = x$groups, N = unname(x$n), obs = unname(x$observed),
             exp = unname(x$expected), stringsAsFactors = FALSE)
}

# ---- fitted values and residuals per row ---------------------------------------------------

# `data` with the fitted rows' values added: matched by row name when rows were
# dropped for missing values (the others get NA).
add_columns <- function(data, cols) {
  out <- as.data.frame(data)
  n <- length(cols[[1L]])
  if (nrow(out) == n) {
    for (k in names(cols)) out[[k]] <- unname(cols[[k]])
    return(out)
  }
  i <- match(rownames(out), names(cols[[1L]]))
  if (anyNA(i) && all(is.na(i))) {
    stop(sprintf("argument `data` has %d rows but the model was fitted to %d", nrow(out), n),
         call. = FALSE)
  }
  for (k in names(cols)) out[[k]] <- unname(cols[[k]])[i]
  out
}

# augment() on `newdata`: its rows with the predictions (.fitted); NULL without it (then
# `data`, the data the model was fitted to, is needed).
augment_newdata <- function(x, data, newdata, type) {
  if (is.null(newdata)) {
    if (is.null(data)) {
      stop("argument `data`: give the data the model was fitted to (or `newdata`)", call. = FALSE)
    }
    return(NULL)
  }
  out <- as.data.frame(newdata)
  out$.fitted <- unname(stats::predict(x, newdata = newdata, type = type))
  out
}

augment.hrr_coxph <- function(x, data = NULL, newdata = NULL, type.predict = "lp",
                              type.residuals = "martingale", ...) {
  nd <- augment_newdata(x, data, newdata, type.predict)
  if (!is.null(nd)) return(nd)
  add_columns(data, list(.fitted = stats::predict(x, type = type.predict),
                         .resid = stats::residuals(x, type = type.residuals)))
}

augment.hrr_glm <- function(x, data = NULL, newdata = NULL, type.predict = "link",
                            type.residuals = "deviance", ...) {
  nd <- augment_newdata(x, data, newdata, type.predict)
  if (!is.null(nd)) return(nd)
  fitted <- switch(type.predict,
                   link = x$linear.predictors,
                   response = x$fitted.values,
                   stop("argument `type.predict` must be \"link\" or \"response\"", call. = FALSE))
  add_columns(data, list(.fitted = fitted, .resid = stats::residuals(x, type = type.residuals)))
}
