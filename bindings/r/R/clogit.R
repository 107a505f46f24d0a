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
  check_two_sided(formula, "case ~ x + strata(set)")
  env <- environment(formula) %||% parent.frame()
  w <- resolve_weights(substitute(weights), data, parent.frame())
  tt <- rhs_terms(formula, data, c("strata", "cluster"), specials_env(env, clogit_strata))
  check_specials(tt, unsupported_specials("conditional_logistic", cluster = FALSE, offset = FALSE))
  st_sp <- survival::untangle.specials(tt, "strata", 1L)
  cl_sp <- survival::untangle.specials(tt, "cluster", 1L)
  check_one_cluster(cl_sp)
  mf0 <- frame_of(tt, data)
  resp <- formula[[2L]]
  pre <- c(list(col_entry("case", resp, as_double_column(eval_in(resp, data, env), "case",
                                                         label_of(resp)))),
           num_entry("weights", w))
  inp <- model_inputs(pre, mf0, special_arg(st_sp, cl_sp, attr(tt, "offset")), na_action)
  by_arg <- inp$by_arg
  miss <- inp$miss
  mf <- inp$mf
  X <- model_design(model_terms(tt, c(st_sp$terms, cl_sp$terms), attr(mf0, "terms")), mf,
                   size = FALSE)$X
  if (ncol(X) == 0L) {
    stop("argument `formula`: a model needs at least one covariate besides strata()", call. = FALSE)
  }
  strata <- strata_codes(mf, st_sp$vars, sets_of)
  cluster <- if (length(cl_sp$vars)) factor_codes(mf[[cl_sp$vars]]) else NULL
  offset <- stats::model.offset(mf)
  inputs <- list(case = by_arg("case"), weights = by_arg("weights"), strata = as_grouping(strata),
                 cluster = as_grouping(cluster), robust = robust,
                 covariates = matrix_columns(X),
                 offset = if (!is.null(offset)) as.double(offset), method = method,
                 max_iter = ctrl$iter.max, eps = ctrl$eps, exact_limit = as.double(exact_limit),
                 init = if (!is.null(init)) as.double(init), conf_level = conf_level,
                 labels = cox_labels, rows = miss$keep)
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

# strata() as the bare matched-set variable (or the combination of several): the sets
# are codes for the core, and survival::strata()'s pasted "set=1" labels cost more than
# the fit on 1e5 sets.
clogit_strata <- function(..., na.group, shortlabel, sep) {
  a <- list(...)
  if (length(a) == 1L) a[[1L]] else sets_of(a)
}

sets_of <- function(vs) interaction(vs, drop = TRUE, lex.order = TRUE)

print.summary.hrr_clogit <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  f <- x$fit
  cat("Conditional logistic regression (", f$method, " likelihood)\n", sep = "")
  print_fit_table(x, coef_matrix_of(x$table), digits)
  for (k in c("lr_test", "wald_test", "score_test", if (isTRUE(f$robust)) "robust_score_test")) {
    label <- c(lr_test = "Likelihood ratio test", wald_test = "Wald test",
               score_test = "Score (logrank) test", robust_score_test = "Robust score test")[[k]]
    test_line(label, f[[k]], digits, "%-22s= %s on %d df,   p=%s\n")
  }
  cat("n= ", f$n, ", number of events= ", f$nevent, deleted_note(f$n_dropped), "\n", sep = "")
  invisible(x)
}
