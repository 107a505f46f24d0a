# Cox proportional hazards regression
#
# `cox_ph()` fits a Cox model as `survival::coxph()` does, with the computation in
# Rust. The design matrix comes from R's own model.frame()/model.matrix() (factors,
# interactions, transformations); strata(), cluster() and offset() terms are handled
# as coxph handles them. No statistics here beyond arranging the core's results.
#
# @param formula `Surv(time, status) ~ terms` or `Surv(start, stop, status) ~ terms`;
#   terms may include `strata(g)`, `cluster(id)` and `offset(o)`.
# @param data a data frame holding the variables.
# @param weights case weights (positive): a numeric vector or a column of `data`.
# @param ties "efron" (default) or "breslow" (parsed by the core).
# @param robust robust (sandwich) variance; NULL (default): coxph's rule, robust with a
#   cluster() term or non-integer case weights.
# @param init initial coefficients (default 0).
# @param control list(iter.max = 20, eps = 1e-9).
# @param na_action "fail" (default: missing values are an error) or "drop".
# @return an object of class `hrr_coxph`.
cox_ph <- function(formula, data, weights = NULL, ties = "efron",
                   robust = NULL, init = NULL, control = list(iter.max = 20, eps = 1e-9),
                   na_action = c("fail", "drop")) {
  call <- match.call()
  if (missing(data)) data <- NULL
  na_action <- check_na_action(na_action)
  ctrl <- control_of(control, "list(iter.max = 20, eps = 1e-9)")
  check_data(data)
  surv <- parse_surv_lhs(formula)
  env <- environment(formula) %||% parent.frame()
  w <- resolve_weights(substitute(weights), data, parent.frame())

  # Right-hand side: terms with coxph's specials. `.` is every column not in the
  # response, as coxph.
  tt <- rhs_terms(formula, data, c("strata", "cluster"), specials_env(env))
  check_specials(tt, unsupported_specials("cox_ph", cluster = FALSE, offset = FALSE))
  st_sp <- survival::untangle.specials(tt, "strata", 1L)
  cl_sp <- survival::untangle.specials(tt, "cluster", 1L)
  check_one_cluster(cl_sp)
  fac <- attr(tt, "factors")
  special_rows <- c(st_sp$tvar, cl_sp$tvar)
  if (length(special_rows) && length(fac) &&
      any(colSums(fac[special_rows, , drop = FALSE] > 0) > 0 &
          !seq_len(ncol(fac)) %in% c(st_sp$terms, cl_sp$terms))) {
    stop("argument `formula`: strata() and cluster() cannot appear in interactions",
         call. = FALSE)
  }
  mf <- frame_of(tt, data)
  penalised <- names(mf)[vapply(mf, inherits, NA, "coxph.penalty")]
  if (length(penalised)) {
    stop("argument `formula`: ", sprintf(unsupported_specials("cox_ph")[["frailty"]],
                                         penalised[1L]), call. = FALSE)
  }

  offset_cols <- attr(tt, "offset")
  inp <- model_inputs(c(surv_entries(surv, data, env), num_entry("weights", w)), mf,
                      special_arg(st_sp, cl_sp, offset_cols), na_action)
  by_arg <- inp$by_arg
  miss <- inp$miss

  # Design matrix as coxph builds it; the data-dependent bases (poly(), ns(), scale())
  # as fitted, for predictions.
  d <- model_design(model_terms(tt, c(st_sp$terms, cl_sp$terms), attr(mf, "terms")), inp$mf,
                   empty = paste("a Cox model needs at least one covariate",
                                 "(null models are not supported)"))
  xnames <- colnames(d$X)
  strata <- strata_codes(inp$mf, st_sp$vars)
  cluster <- strata_codes(inp$mf, cl_sp$vars)
  offset <- stats::model.offset(inp$mf)
  if (!is.null(offset)) offset <- as.double(offset)
  if (!is.null(init) && !is.numeric(init)) stop("argument `init` must be numeric", call. = FALSE)

  # Everything the core needs; kept in the fit to refit after saveRDS()/readRDS()
  # (R does not save the core's fit behind `ptr`).
  inputs <- list(time = by_arg("time"), status = by_arg("status"), entry = by_arg("entry"),
                 weights = by_arg("weights"), strata = as_grouping(strata),
                 covariates = matrix_columns(d$X), offset = offset,
                 cluster = as_grouping(cluster), ties = ties, robust = robust,
                 max_iter = ctrl$iter.max, eps = ctrl$eps,
                 init = if (is.null(init)) NULL else as.double(init),
                 rows = miss$keep, labels = cox_labels)
  out <- cox_call(inputs, strata$levels)
  v <- out$value

  rn <- rownames(inp$mf)
  robust_fit <- isTRUE(v$robust)
  # the core's fields under their own names; the tests as c(statistic, df, p_value)
  same <- c("table", "conf_level", "loglik", "df", "convergence", "rank", "n_cluster", "baseline",
            "tests")
  tests <- c("score_test", "wald_test", "lr_test", "robust_score_test")
  structure(c(list(
    coefficients = stats::setNames(nan_to_na(v$coef), xnames),
    var = v$var,
    naive_var = if (robust_fit) v$naive_var else NULL,
    se = stats::setNames(nan_to_na(v$se), xnames),
    naive_se = stats::setNames(nan_to_na(v$naive_se), xnames),
    iter = v$iterations,
    aliased = stats::setNames(v$aliased, xnames),
    n = v$n,
    nevent = v$n_event,
    means = stats::setNames(v$means, xnames),
    linear.predictors = stats::setNames(v$linear_predictors, rn),
    residuals = stats::setNames(v$martingale_residuals, rn),
    deviance_residuals = stats::setNames(v$deviance_residuals, rn),
    method = v$ties,
    robust = robust_fit,
    strata_levels = if (is.null(strata)) NULL else strata$levels,
    terms = d$terms,
    assign = d$assign,
    term_labels = attr(d$terms, "term.labels"),
    offset_terms = as.list(attr(tt, "variables"))[-1L][offset_cols],
    xlevels = d$xlevels,
    contrasts = d$contrasts,
    response = label_of(formula[[2L]]),
    n_dropped = miss$n_dropped,
    formula = formula,
    call = call,
    inputs = inputs,
    ptr = out$fit
  ), stats::setNames(v[same], same), stats::setNames(lapply(v[tests], test_vector), tests)),
  class = "hrr_coxph")
}

cox_call <- function(inputs, strata_levels) {
  hrr_call("cox_ph", inputs, hint = if (!is.null(inputs$strata)) strata_hint(strata_levels))
}

# The core's fit behind `x`; refitted from the stored inputs after saveRDS()/readRDS().
cox_ptr <- function(x) fit_ptr(x, function() cox_call(x$inputs, x$strata_levels))

# The core's table of the fit's tests (label, statistic, df, p_value), as print() lists
# them; made again for a fit saved by a version that did not keep it.
cox_tests <- function(x) x$tests %||% cox_call(x$inputs, x$strata_levels)$value$tests

# The columns of a model matrix as the named list of covariates the core reads.
matrix_columns <- function(X) {
  stats::setNames(lapply(seq_len(ncol(X)), function(j) as.double(X[, j])), colnames(X))
}

# A test record (statistic, df, p_value) as c(statistic =, df =, p_value =).
test_vector <- function(t) if (!is.null(t)) unlist(t[c("statistic", "df", "p_value")])

# `control` over its defaults (given as the text of the default list); unknown settings
# are an error. Shared by cox_ph() and glm_fit().
control_of <- function(control, defaults) {
  dflt <- eval(str2lang(defaults))
  if (!is.list(control)) {
    stop("argument `control` must be a list such as ", defaults, call. = FALSE)
  }
  unknown <- setdiff(names(control), names(dflt))
  if (length(control) && (is.null(names(control)) || length(unknown))) {
    stop(sprintf("argument `control`: unknown setting%s %s; use %s",
                 if (length(unknown) > 1L) "s" else "",
                 paste0("\"", unknown, "\"", collapse = ", "),
                 paste(names(dflt), collapse = " and ")), call. = FALSE)
  }
  dflt[names(control)] <- control
  dflt
}

# The core's names of the settings in `control = list(iter.max, eps)` as the user wrote
# them (the core checks their values; its errors name these).
cox_labels <- list(max_iter = "control$iter.max", eps = "control$eps")

# ---- methods ------------------------------------------------------------------------

# coef(), vcov(), nobs() and logLik() of the regression fits. nobs(): the number of
# events for the Cox-type models, as survival; logLik(): the final log-likelihood.
coef.hrr_coxph <- coef.hrr_glm <- coef.hrr_gee <- coef.hrr_survreg <- coef.hrr_flexsurv <-
  coef.hrr_clogit <- coef.hrr_cch <- coef.hrr_finegray <- coef.hrr_excess <-
  function(object, ...) object$coefficients

vcov.hrr_coxph <- vcov.hrr_glm <- vcov.hrr_gee <- vcov.hrr_survreg <- vcov.hrr_flexsurv <-
  vcov.hrr_clogit <- vcov.hrr_cch <- vcov.hrr_finegray <- vcov.hrr_excess <-
  function(object, ...) object$var

nobs.hrr_coxph <- nobs.hrr_clogit <- nobs.hrr_finegray <- function(object, ...) object$nevent
nobs.hrr_survreg <- nobs.hrr_flexsurv <- nobs.hrr_cch <- function(object, ...) object$n
nobs.hrr_glm <- nobs.hrr_gee <- function(object, ...) object$nobs

logLik.hrr_coxph <- logLik.hrr_survreg <- logLik.hrr_clogit <- logLik.hrr_flexsurv <-
  logLik.hrr_glm <- logLik.hrr_finegray <- function(object, ...) {
  ll <- object$loglik
  df <- object[["loglik_df"]] %||% object[["df"]] %||% length(object$coefficients)
  structure(ll[length(ll)], df = df, nobs = stats::nobs(object), class = "logLik")
}

# The core's coefficient table (term, coef, exp_coef, se, [naive_se], z or t, p,
# exp_lower, exp_upper, lower, upper) at `level`: the fit's own at its level. Cox and
# GLM fits.
# `label`: the caller's name for the level, for errors.
cox_table <- function(x, level = x$conf_level, label = "conf_level") {
  na_table(table_at(x, level, label, if (inherits(x, "hrr_glm")) glm_ptr else cox_ptr))
}

# A table with NA for NaN (aliased terms).
na_table <- function(tab) {
  num <- vapply(tab, is.double, NA)
  tab[num] <- lapply(tab[num], nan_to_na)
  tab
}

# Wald limits of the coefficients (coef scale; the robust variance when the fit has
# one), as confint.coxph and confint.default. Also the method for GLM fits.
confint.hrr_coxph <- function(object, parm, level = 0.95, ...) {
  wald_confint(cox_table(object, level, "level"), parm, level)
}

# The coefficient table: one row per coefficient; lower/upper are limits of coef,
# exp_lower/exp_upper of exp(coef); naive_se with a robust variance. Also the method
# for GLM fits.
as.data.frame.hrr_coxph <- function(x, row.names = NULL, optional = FALSE, ...,
                                    conf_level = 0.95) {
  with_row_names(cox_table(x, conf_level), row.names)
}

# print.coxph's coefficient matrix; with a robust variance the model-based se(coef)
# and the robust se.
coef_matrix <- function(x, p_name, tab = cox_table(x)) {
  if (!x$robust) return(coef_matrix_of(tab, p_name))
  coef_matrix_of(tab, p_name, c("coef", "exp_coef", "naive_se", "se", "z", "p"),
                 c("coef", "exp(coef)", "se(coef)", "robust se", "z"))
}

test_line <- function(label, t, digits, fmt = "%s=%s  on %d df, p=%s\n") {
  cat(sprintf(fmt, label, format(round(t[["statistic"]], 2)),
              as.integer(t[["df"]]), format.pval(t[["p_value"]], digits = digits)))
}

# The note on rows dropped for missing values (none when none was dropped): `fmt` with
# the indent, the number and the plural's "s". Also other notes of a count.
dropped_note <- function(n_dropped, indent = "   ",
                         fmt = "%s(%d observation%s deleted due to missingness)\n") {
  if (n_dropped > 0L) cat(sprintf(fmt, indent, n_dropped, if (n_dropped == 1L) "" else "s"))
}

print.hrr_coxph <- function(x, digits = max(1L, getOption("digits") - 3L), ...) {
  show_call(x$call)
  tab <- coef_matrix(x, "p")
  stats::printCoefmat(tab, digits = digits, P.values = TRUE, has.Pvalue = TRUE,
                      signif.stars = FALSE, na.print = "NA", ...)
  cat("\n")
  t <- cox_tests(x)
  for (i in seq_len(nrow(t))) test_line(t$test[i], t[i, ], digits)
  cat(sprintf("n= %d, number of events= %d\n", x$n, x$nevent))
  dropped_note(x$n_dropped)
  dropped_note(sum(x$aliased), fmt = "%s(%d coefficient%s not defined because of singularities)\n")
  invisible(x)
}

summary.hrr_coxph <- function(object, conf.int = 0.95, ...) {
  tab <- cox_table(object, conf.int, "conf.int")
  fields <- c("call", "n", "nevent", "n_dropped", "loglik", "method", "robust", "n_cluster")
  structure(c(object[fields],
              list(coefficients = coef_matrix(object, "Pr(>|z|)", tab),
                   conf.int = ratio_ci(tab, conf.int), logtest = object$lr_test,
                   waldtest = object$wald_test, sctest = object$score_test,
                   robscore = object$robust_score_test, tests = cox_tests(object))),
            class = "summary.hrr_coxph")
}

print.summary.hrr_coxph <- function(x, digits = max(getOption("digits") - 3L, 3L),
                                    signif.stars = getOption("show.signif.stars"), ...) {
  show_call(x$call)
  cat(sprintf("  n= %d, number of events= %d\n", x$n, x$nevent))
  dropped_note(x$n_dropped)
  if (!is.null(x$n_cluster)) cat(sprintf("  clusters= %d\n", x$n_cluster))
  cat("\n")
  stats::printCoefmat(x$coefficients, digits = digits, signif.stars = signif.stars,
                      P.values = TRUE, has.Pvalue = TRUE, na.print = "NA", ...)
  cat("\n")
  print(signif(x$conf.int, digits))
  cat("\n")
  t <- x$tests
  lab <- format(t$test)   # padded to one width
  for (i in seq_len(nrow(t))) test_line(lab[i], t[i, ], digits, "%s= %s  on %d df,   p=%s\n")
  if (x$robust) {
    cat("\n   (Note: the likelihood ratio and score tests assume independence of\n",
        "    observations within a cluster, the Wald and robust score tests do not).\n")
  }
  invisible(x)
}

# Predictions as predict.coxph(reference = "sample"), computed by the core: for the
# fitted rows, or for `newdata` (its design columns built here with the model's terms,
# factor levels and contrasts; its offset() terms evaluated in it). type "lp", "risk",
# "expected" (fitted rows only) or "survival" (a rows x times matrix at `times`, from
# the baseline of `stratum`, a stratum label; each fitted row's own stratum without
# newdata).
predict.hrr_coxph <- function(object, newdata, type = "lp", times = NULL, stratum = NULL,
                              ...) {
  args <- list(type = type, times = if (is.null(times)) NULL else as.double(times),
               stratum = if (is.null(stratum)) NULL else as.character(stratum))
  nd <- list(args = args, rn = names(object$linear.predictors))
  if (!missing(newdata) && !is.null(newdata)) {
    nd <- newdata_args(object, newdata, object$offset_terms, args)
  }
  out <- hrr_fit_call(cox_ptr(object), "predict", nd$args)
  if (!is.null(nd$ok)) out <- fill_rows(out, nd$ok)
  if (is.matrix(out)) {
    dimnames(out) <- list(nd$rn, format(times))
    return(out)
  }
  stats::setNames(out, nd$rn)
}

# Harrell's concordance of the linear predictor with the outcome, as
# survival::concordance(fit) (the method of survival's generic): concordance, var,
# std_err, n and the pair counts.
concordance.hrr_coxph <- function(object, ...) {
  r <- hrr_fit_call(cox_ptr(object), "concordance")
  r$count <- unlist(r$counts)
  r$counts <- NULL
  structure(r, class = "hrr_concordance")
}

print.hrr_concordance <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  cat(sprintf("Concordance = %s (se = %s)\n", format(x$concordance, digits = digits),
              format(x$std_err, digits = digits)))
  print(round(x$count, 2))
  invisible(x)
}

# The model frame of `newdata` for a fit's terms and factor levels (Cox, Fine-Gray and
# GLM): the terms carry the fitted predvars (fitted_terms()), so poly(), ns(), scale()
# use the fitted basis, as predict.lm/predict.coxph.
new_frame <- function(object, newdata) {
  model.frame(stats::delete.response(object$terms), newdata, na.action = stats::na.pass,
              xlev = object$xlevels)
}

# `terms` (a subset of the fitted model frame's terms, e.g. without strata() and
# cluster()) with the predvars of the fitted frame's terms `fitted`: the calls that
# rebuild each variable's data-dependent basis as fitted (stats::makepredictcall).
fitted_terms <- function(terms, fitted) {
  pv <- attr(fitted, "predvars")
  if (is.null(pv)) return(terms)
  fitted_vars <- vapply(as.list(attr(fitted, "variables"))[-1L], label_of, "")
  vars <- as.list(attr(terms, "variables"))[-1L]
  pv <- as.list(pv)[-1L]
  attr(terms, "predvars") <- as.call(c(list(quote(list)), lapply(vars, function(v) {
    i <- match(label_of(v), fitted_vars)
    if (is.na(i)) v else pv[[i]]
  })))
  terms
}

# The fitted model frame `mf` (evaluated with na.pass) on the rows `keep` (NULL: all),
# its factors without the levels no kept row has (model.frame's drop.unused.levels, as
# glm: such a level gives no all-zero column and no NA coefficient).
kept_frame <- function(mf, keep) {
  tt <- attr(mf, "terms")
  if (!is.null(keep)) mf <- mf[keep, , drop = FALSE]
  for (j in seq_along(mf)) {
    x <- mf[[j]]
    if (is.factor(x) && length(unique(x[!is.na(x)])) < nlevels(x)) mf[[j]] <- droplevels(x)
  }
  attr(mf, "terms") <- tt
  mf
}

# Every factor (character, logical) variable of the model's terms with two or more
# levels in the rows used; model.matrix() would otherwise fail with "contrasts can be
# applied only to factors with 2 or more levels" (as glm and coxph do).
check_two_levels <- function(terms, mf) {
  fac <- attr(terms, "factors")
  if (!length(fac)) return(invisible(NULL))
  for (v in rownames(fac)[rowSums(fac) > 0]) {
    x <- mf[[v]]
    if (!(is.factor(x) || is.character(x) || is.logical(x))) next
    lev <- unique(as.character(x[!is.na(x)]))
    if (length(lev) < 2L) {
      stop(sprintf(paste0("argument `formula`: %s has %s in the rows used; a factor in the ",
                          "model needs two or more levels"), v,
                   if (length(lev)) sprintf("a single level (\"%s\")", lev) else "no values"),
           call. = FALSE)
    }
  }
  invisible(NULL)
}

# The core's resource guard (`design_size`, the check Python's designs get inside the
# core) asked before model.matrix() allocates the n x p design: p from the model
# matrix of two rows (factor levels kept, character columns as factors of all their
# values; the intercept not counted), the factor with the most levels named. A
# 500-level factor on 1e6 rows is refused here instead of allocating 4 GB twice.
check_design_size <- function(terms, mf) {
  n <- nrow(mf)
  if (n <= 2L) return(invisible(NULL))
  fac <- attr(terms, "factors")
  used <- if (length(fac)) rownames(fac)[rowSums(fac) > 0] else character()
  head <- mf[1:2, , drop = FALSE]
  widest <- NULL
  k <- 0L
  for (v in intersect(used, names(mf))) {
    x <- mf[[v]]
    if (is.character(x)) x <- factor(x)
    if (!is.factor(x)) next
    head[[v]] <- x[1:2]
    if (nlevels(x) > k) {
      widest <- v
      k <- nlevels(x)
    }
  }
  M <- model.matrix(terms, head)
  p <- sum(colnames(M) != "(Intercept)")
  hrr_call("design_size", list(n = as.double(n), p = as.double(p),
                               factor = widest, levels = if (k > 0L) as.double(k)))
  invisible(NULL)
}

# The core's predict() arguments `args` with the design columns (and offset: the sum of
# the expressions `offsets` evaluated in it) of the rows of `newdata` with every value
# present, `ok` (the others predict NA); `rn`: newdata's row names.
newdata_args <- function(object, newdata, offsets, args) {
  mf <- new_frame(object, newdata)
  X <- new_design(object, mf)
  env <- environment(object$formula) %||% parent.frame()
  off <- if (length(offsets)) {
    as.double(Reduce(`+`, lapply(offsets, function(e) eval_in(e, newdata, env))))
  }
  ok <- stats::complete.cases(X) & (if (is.null(off)) TRUE else !is.na(off))
  args$covariates <- matrix_columns(X[ok, , drop = FALSE])
  if (!is.null(off)) args$offset <- off[ok]
  list(args = args, ok = ok, rn = rownames(mf))
}

# The design columns of a new model frame with the fit's contrasts (no intercept).
new_design <- function(object, mf) {
  X <- model.matrix(stats::delete.response(object$terms), mf, contrasts.arg = object$contrasts)
  X <- X[, attr(X, "assign") != 0L, drop = FALSE]
  storage.mode(X) <- "double"
  X
}

# Predictions for the rows `ok` (a vector, or a matrix with one row each) placed among
# all rows; NA for the others.
fill_rows <- function(v, ok) {
  out <- if (is.matrix(v)) matrix(NA_real_, length(ok), ncol(v)) else rep(NA_real_, length(ok))
  if (is.matrix(v)) out[ok, ] <- v else out[ok] <- v
  out
}

# Residuals as residuals.coxph(), computed by the core from the fit's own data.
residuals.hrr_coxph <- function(object, type = "martingale", collapse = FALSE,
                                weighted = NULL, ...) {
  args <- list(type = type, weighted = weighted)
  if (!isFALSE(collapse)) args$collapse <- factor(collapse)
  rr <- hrr_fit_call(cox_ptr(object), "residuals", args)
  cf_names <- names(object$coefficients)
  row_names <- names(object$residuals)
  if (is.list(rr)) {   # Schoenfeld: one row per event
    m <- one_column_vector(rr$values, rr$time, cf_names)
    lev <- object$strata_levels
    if (!is.null(lev)) attr(m, "strata") <- table(factor(lev[rr$strata], levels = lev))
    return(m)
  }
  if (!is.null(args$collapse)) row_names <- levels(args$collapse)
  if (is.matrix(rr)) return(one_column_vector(rr, row_names, cf_names))
  stats::setNames(rr, row_names)
}

# A residual matrix with its dimnames; a named vector when it has one column.
one_column_vector <- function(m, rn, cn) {
  dimnames(m) <- list(rn, cn)
  if (ncol(m) == 1L) stats::setNames(m[, 1L], rownames(m)) else m
}

# ---- proportional-hazards test ---------------------------------------------------------

# Test of proportional hazards as survival::cox.zph(): the score test, per term and
# GLOBAL, computed by the core from the fit's own data.
cox_zph <- function(fit, transform = "km", terms = TRUE, global = TRUE) {
  if (!inherits(fit, "hrr_coxph")) {
    stop("argument `fit` must be a cox_ph() fit", call. = FALSE)
  }
  check_flag(terms, "terms")
  check_flag(global, "global")
  call <- match.call()
  groups <- NULL
  if (terms) {
    # model terms: a factor's dummy columns (or an interaction's) test together
    idx <- unique(fit$assign)
    groups <- stats::setNames(lapply(idx, function(a) names(fit$coefficients)[fit$assign == a]),
                              fit$term_labels[idx])
  }
  z <- hrr_fit_call(cox_ptr(fit), "zph", list(transform = transform, terms = groups))
  tab <- cbind(chisq = z$chisq, df = z$df, p = z$p)
  rownames(tab) <- z$term
  if (!global) tab <- tab[z$term != "GLOBAL", , drop = FALSE]
  structure(list(table = tab, transform = transform, call = call), class = "hrr_coxzph")
}

print.hrr_coxzph <- function(x, digits = max(getOption("digits") - 4L, 3L),
                             signif.stars = FALSE, ...) {
  invisible(stats::printCoefmat(x$table, digits = digits, signif.stars = signif.stars,
                                P.values = TRUE, has.Pvalue = TRUE, ...))
}

# Likelihood-ratio tests between nested Cox models fitted to the same data (the core's
# test, smallest model first).
anova.hrr_coxph <- function(object, ...) {
  fits <- c(list(object), list(...))
  if (length(fits) < 2L) {
    stop("anova() of one Cox model is not supported: give two or more nested models, ",
         "e.g. anova(fit_small, fit_big)", call. = FALSE)
  }
  if (!all(vapply(fits, inherits, NA, "hrr_coxph"))) {
    stop("anova(): every model must be a cox_ph() fit", call. = FALSE)
  }
  resp <- vapply(fits, `[[`, "", "response")
  if (any(resp != resp[1L])) {
    stop("anova(): the models do not all have the same response", call. = FALSE)
  }
  others <- fits[-1L]
  a <- hrr_fit_call(cox_ptr(object), "anova",
                    list(loglik = vapply(others, function(f) f$loglik[2L], 0),
                         df = vapply(others, function(f) as.double(f$df), 0),
                         n = vapply(others, function(f) as.double(f$n), 0)))
  tab <- data.frame(loglik = a$loglik, Chisq = nan_to_na(a$chisq), Df = nan_to_na(a$test_df),
                    `Pr(>|Chi|)` = nan_to_na(a$p), check.names = FALSE)
  rhs <- vapply(fits, function(f) label_of(f$formula[-2L]), "")
  heading <- c("Analysis of Deviance Table\n",
               paste0(" Cox model: response is ", resp[1L], "\n",
                      paste0(" Model ", seq_along(fits), ": ", rhs, collapse = "\n")))
  structure(tab, heading = heading, class = c("anova", "data.frame"))
}

# Baseline cumulative hazard of a fit: Cox (below) or Fine-Gray (competing.R).
baseline_hazard <- function(fit, ...) UseMethod("baseline_hazard")

baseline_hazard.default <- function(fit, ...) {
  stop("argument `fit` must be a cox_ph() or fine_gray() fit", call. = FALSE)
}

# Baseline cumulative hazard, as survival::basehaz(): at covariates 0 (centered = FALSE)
# or at the covariate means (centered = TRUE), offset at its mean, per stratum.
baseline_hazard.hrr_coxph <- function(fit, centered = FALSE, ...) {
  check_flag(centered, "centered")
  b <- fit$baseline
  levels <- fit$strata_levels %||% "all"
  data.frame(strata = factor(levels[b$strata], levels = levels), time = b$time,
             cumulative_hazard = if (centered) b$cumulative_hazard_centered else
               b$cumulative_hazard)
}
