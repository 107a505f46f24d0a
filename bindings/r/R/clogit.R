# Conditional logistic regression for matched sets, as survival::clogit.
#
# `conditional_logistic()` reads `case ~ terms + strata(set)` with R's own
# model.frame()/model.matrix() (factors, interactions, offset() terms) and passes the
# design to the core, which fits the exact conditional likelihood (or Breslow's or
# Efron's approximation) and computes every number.

conditional_logistic <- function(formula, data, method = "exact", weights = NULL, init = NULL,
                                 control = list(iter.max = 20, eps = 1e-9), exact_limit = 1e7,
                                 conf_level = 0.95, na_action = c("fail", "drop"), robust = FALSE) {
  call <- match.call()
  if (missing(data)) data <- NULL
  na_action <- check_na_action(na_action)
  ctrl <- control_of(control, "list(iter.max = 20, eps = 1e-9)")
  if (!inherits(formula, "formula") || length(formula) != 3L) {
    stop("argument `formula` must be a two-sided formula such as case ~ x + strata(set)", call. = FALSE)
  }
  env <- environment(formula) %||% parent.frame()
  w <- resolve_weights(substitute(weights), data, parent.frame())
  # strata() as the bare matched-set variable (or the combination of several): the
  # sets are codes for the core, and survival::strata()'s pasted "set=1" labels cost
  # more than the fit on 1e5 sets.
  srenv <- new.env(parent = env)
  assign("strata", function(..., na.group, shortlabel, sep) {
    a <- list(...)
    if (length(a) == 1L) a[[1L]] else interaction(a, drop = TRUE, lex.order = TRUE)
  }, envir = srenv)
  assign("cluster", function(x) x, envir = srenv)
  tt <- rhs_terms(formula, data, c("strata", "cluster"), srenv)
  check_specials(tt, unsupported_specials("conditional_logistic", cluster = FALSE, offset = FALSE))
  st_sp <- survival::untangle.specials(tt, "strata", 1L)
  cl_sp <- survival::untangle.specials(tt, "cluster", 1L)
  if (length(cl_sp$vars) > 1L) {
    stop("argument `formula`: only one cluster() term is allowed", call. = FALSE)
  }
  mf <- if (is.null(data)) model.frame(tt, na.action = stats::na.pass) else
    model.frame(tt, data = data, na.action = stats::na.pass)
  mf_terms <- attr(mf, "terms")
  resp <- formula[[2L]]
  pre <- list(col_entry("case", resp, as_double_column(eval_in(resp, data, env), "case", label_of(resp))))
  if (!is.null(w)) pre <- c(pre, list(col_entry("weights", "weights",
                                                as_double_column(w, "weights", "weights"))))
  inp <- model_inputs(pre, mf, function(nm, j) {
    if (nm %in% st_sp$vars) "strata" else if (nm %in% cl_sp$vars) "cluster" else
      if (j %in% attr(tt, "offset")) "offset" else "covariates"
  }, na_action)
  by_arg <- inp$by_arg
  miss <- inp$miss
  mf <- inp$mf
  sp_terms <- c(st_sp$terms, cl_sp$terms)
  xterms <- if (length(sp_terms)) tt[-sp_terms] else tt
  xterms <- fitted_terms(xterms, mf_terms)
  attr(xterms, "intercept") <- 1L
  check_two_levels(xterms, mf)
  X <- model.matrix(xterms, mf)
  X <- X[, attr(X, "assign") != 0L, drop = FALSE]
  if (ncol(X) == 0L) {
    stop("argument `formula`: a model needs at least one covariate besides strata()", call. = FALSE)
  }
  strata <- NULL
  if (length(st_sp$vars)) {
    sv <- if (length(st_sp$vars) == 1L) mf[[st_sp$vars]] else
      interaction(unname(as.list(mf[st_sp$vars])), drop = TRUE, lex.order = TRUE)
    strata <- factor_codes(sv)
  }
  cluster <- if (length(cl_sp$vars)) factor_codes(mf[[cl_sp$vars]]) else NULL
  offset <- stats::model.offset(mf)
  inputs <- list(case = by_arg("case"), weights = by_arg("weights"), strata = as_grouping(strata),
                 cluster = as_grouping(cluster), robust = robust,
                 covariates = matrix_columns(X),
                 offset = if (!is.null(offset)) as.double(offset), method = method,
                 max_iter = ctrl$iter.max, eps = ctrl$eps, exact_limit = as.double(exact_limit),
                 init = if (!is.null(init)) as.double(init), conf_level = conf_level,
                 labels = list(max_iter = "control$iter.max", eps = "control$eps"), rows = miss$keep)
  out <- hrr_call("conditional_logistic", inputs)
  v <- out$value
  structure(list(
    coefficients = stats::setNames(nan_to_na(v$coef), v$names),
    var = v$var, naive.var = if (isTRUE(v$robust)) v$naive_var, loglik = v$loglik,
    robust = isTRUE(v$robust), n_cluster = v$n_cluster, rscore = v$robust_score_test$statistic,
    robust_score_test = test_vector(v$robust_score_test), score = v$score_test$statistic,
    wald.test = v$wald_test$statistic, score_test = test_vector(v$score_test),
    wald_test = test_vector(v$wald_test), lr_test = test_vector(v$lr_test), df = v$df,
    iter = v$iterations, converged = v$converged, n = v$n, nevent = v$n_event,
    method = v$method, table = v$table, conf_level = v$conf_level, n_dropped = miss$n_dropped,
    call = call, formula = formula, inputs = inputs, ptr = out$fit),
    class = "hrr_clogit")
}

coef.hrr_clogit <- function(object, ...) object$coefficients
vcov.hrr_clogit <- function(object, ...) object$var
nobs.hrr_clogit <- function(object, ...) object$nevent
logLik.hrr_clogit <- function(object, ...) {
  structure(object$loglik[2L], df = object$df, nobs = object$nevent, class = "logLik")
}

summary.hrr_clogit <- function(object, conf.int = 0.95, ..., .label = "conf.int") {
  fit_summary(object, conf.int, "conditional_logistic", "summary.hrr_clogit", .label)
}

confint.hrr_clogit <- function(object, parm, level = 0.95, ...) {
  confint_from_summary(object, parm, level, ...)
}

print.hrr_clogit <- function(x, ...) print_summary_of(x, ...)

print.summary.hrr_clogit <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  f <- x$fit
  cat("Conditional logistic regression (", f$method, " likelihood)\n", sep = "")
  if (!is.null(f$call)) { cat("Call: "); print(f$call) }
  tab <- x$table
  m <- as.matrix(tab[, c("coef", "exp_coef", "se", "z", "p")])
  dimnames(m) <- list(tab$term, c("coef", "exp(coef)", "se(coef)", "z", "p"))
  print(signif(m, digits))
  for (k in c("lr_test", "wald_test", "score_test", if (isTRUE(f$robust)) "robust_score_test")) {
    t <- f[[k]]
    cat(sprintf("%-22s= %s on %d df,   p=%s\n",
                c(lr_test = "Likelihood ratio test", wald_test = "Wald test",
                  score_test = "Score (logrank) test",
                  robust_score_test = "Robust score test")[[k]],
                format(round(t[["statistic"]], 2)), as.integer(t[["df"]]),
                format.pval(t[["p_value"]], digits = digits)))
  }
  cat("n= ", f$n, ", number of events= ", f$nevent,
      if (f$n_dropped) sprintf(" (%d observations deleted due to missingness)", f$n_dropped), "\n", sep = "")
  invisible(x)
}
