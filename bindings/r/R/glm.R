# Generalised linear models
#
# `glm_fit()` fits a GLM as `stats::glm()` does (and the negative binomial as
# `MASS::glm.nb()`), with the computation in Rust. The design matrix comes from R's own
# model.frame()/model.matrix() (factors, interactions, transformations, offset()
# terms); sandwich variances are those of the sandwich package. No statistics here
# beyond arranging the core's results.
#
# @param formula `response ~ terms`; `- 1` or `+ 0` drops the intercept; terms may
#   include `offset(o)`. Binomial responses: 0/1, logical, a factor (first level =
#   failure), a proportion with `weights` = trials, or `cbind(successes, failures)`.
# @param data a data frame holding the variables.
# @param family "gaussian", "poisson", "binomial" or "negbin" (or a stats family object
#   such as `poisson` or `binomial(link = "probit")`).
# @param link NULL (the family's default) or "log", "logit", "probit", "identity",
#   "cloglog".
# @param weights prior weights: a numeric vector or a column of `data`.
# @param offset an offset (link scale): a numeric vector or a column/expression of `data`.
# @param robust FALSE, TRUE (= "HC1"), "HC0" or "HC1": sandwich variance.
# @param cluster cluster-robust variance (sandwich::vcovCL, HC1): a vector or a column.
# @param start starting coefficients (intercept first).
# @param theta negbin only: a known theta (NULL: estimated, as glm.nb).
# @param control list(epsilon = 1e-8, maxit = 25).
# @param na_action "fail" (default) or "drop".
# @return an object of class `hrr_glm`.
glm_fit <- function(formula, data, family = c("gaussian", "poisson", "binomial", "negbin"),
                    link = NULL, weights = NULL, offset = NULL, robust = FALSE,
                    cluster = NULL, start = NULL, theta = NULL,
                    control = list(epsilon = 1e-8, maxit = 25),
                    na_action = c("fail", "drop")) {
  glm_family_call(match.call(), "glm_fit", parent.frame())
}

# The API names: glm_fit() with the family fixed (the core raises the error when a
# family is given to them). The call is rebuilt so that bare column names in `weights`,
# `offset` and `cluster` are found as glm_fit() finds them.
poisson_glm <- function(formula, data, ...) glm_family_call(match.call(), "poisson_glm", parent.frame())
logistic_glm <- function(formula, data, ...) glm_family_call(match.call(), "logistic_glm", parent.frame())
negbin_glm <- function(formula, data, ...) glm_family_call(match.call(), "negbin_glm", parent.frame())

glm_family_call <- function(call, method, env) {
  user_call <- call
  call[[1L]] <- glm_model
  call$.method <- method
  fit <- eval(call, env)
  fit$call <- user_call
  fit
}

# The family each fixed-family method fits (for reading the response).
glm_method_family <- c(poisson_glm = "poisson", logistic_glm = "binomial", negbin_glm = "negbin")

glm_model <- function(formula, data, family = NULL, link = NULL, weights = NULL, offset = NULL,
                      robust = FALSE, cluster = NULL, start = NULL, theta = NULL,
                      control = list(epsilon = 1e-8, maxit = 25),
                      na_action = c("fail", "drop"), .method = "glm_fit") {
  if (missing(data)) data <- NULL
  na_action <- check_na_action(na_action)
  fam <- glm_family_of(family, link)
  ctrl <- control_of(control, "list(epsilon = 1e-8, maxit = 25)")
  check_two_sided(formula)
  check_data(data)
  pf <- parent.frame()
  w_expr <- substitute(weights)
  w <- resolve_weights(w_expr, data, pf)
  offset_expr <- substitute(offset)
  off_arg <- resolve_weights(offset_expr, data, pf, "offset")
  cluster_expr <- substitute(cluster)
  cl <- resolve_weights(cluster_expr, data, pf, "cluster")

  g <- glm_inputs(formula, data, c(num_entry("weights", w, label_of(w_expr)),
                                   num_entry("offset", off_arg, label_of(offset_expr)),
                                   opt_entry("cluster", cl, label_of(cluster_expr))), na_action)
  resp_label <- label_of(formula[[2L]])
  family_name <- if (.method == "glm_fit") fam$family %||% "gaussian" else
    glm_method_family[[.method]]
  d <- glm_design(g$mf, g$terms, family_name, resp_label, w, off_arg, g$take)

  # The core's arguments, kept in the fit to make it again after saveRDS()/readRDS().
  # X itself (borrowed by the core, not copied) with its column names.
  clusters <- if (!is.null(cl)) factor_codes(g$take(cl))
  inputs <- list(y = d$resp$y, covariates = d$X, covariate_names = colnames(d$X), weights = d$w,
                 offset = d$offset, cluster = as_grouping(clusters), family = fam$family,
                 link = fam$link, theta = theta, robust = robust, intercept = d$intercept,
                 epsilon = ctrl$epsilon, max_iter = ctrl$maxit, start = start, rows = g$miss$keep,
                 labels = glm_labels)
  out <- glm_call(.method, inputs, resp_label)
  v <- out$value
  cf_names <- v$names
  robust_fit <- !is.null(v$robust)
  tab <- na_table(v$table)
  rn <- rownames(g$mf)
  # the core's fields under their own names
  same <- c("test", "conf_level", "rank", "deviance", "aic", "loglik", "loglik_df",
            "dispersion", "converged", "convergence", "alternations", "boundary", "family",
            "link", "theta", "twologlik", "n_cluster", "nobs", "warnings")
  structure(c(list(
    coefficients = stats::setNames(nan_to_na(v$coef), cf_names),
    var = nan_to_na(v$var),   # the core's matrices have the coefficient names
    naive_var = if (robust_fit) nan_to_na(v$naive_var) else NULL,
    se = stats::setNames(nan_to_na(v$se), cf_names),
    naive_se = stats::setNames(nan_to_na(v$naive_se), cf_names),
    statistic = stats::setNames(tab[[v$test]], cf_names),
    p_value = stats::setNames(tab$p, cf_names),
    table = tab,
    cov.unscaled = nan_to_na(v$cov_unscaled),
    aliased = stats::setNames(v$aliased, cf_names),
    null.deviance = v$null_deviance,
    df.residual = v$df_residual,
    df.null = v$df_null,
    iter = v$iterations,
    fitted.values = stats::setNames(v$fitted, rn),
    linear.predictors = stats::setNames(v$linear_predictors, rn),
    weights = stats::setNames(v$working_weights, rn),
    prior.weights = stats::setNames(v$prior_weights, rn),
    y = stats::setNames(d$resp$y, rn),
    SE.theta = v$se_theta,
    robust = v$robust %||% FALSE,
    intercept = d$intercept,
    terms = g$terms,
    assign = d$assign,
    xlevels = d$xlevels,
    contrasts = d$contrasts,
    offset_expr = if (is.name(offset_expr) || is.call(offset_expr)) offset_expr else NULL,
    has_offset_arg = !is.null(off_arg),
    response = resp_label,
    n_dropped = g$miss$n_dropped,
    formula = formula,
    method = .method,
    inputs = inputs,
    ptr = out$fit
  ), stats::setNames(v[same], same)), class = "hrr_glm")
}

# The core's names of the settings in `control` as the user wrote them (errors name these).
glm_labels <- list(max_iter = "control$maxit", epsilon = "control$epsilon")

# Run the core's `method`; errors about `y` name the response.
glm_call <- function(method, args, label) {
  res <- hrr_call_(method, args)
  if (!isTRUE(res$ok) && startsWith(res$message, "argument `y`")) {
    res$message <- sub("^argument `y`", sprintf("argument `y` (%s)", label), res$message)
  }
  hrr_warn(rust_value(res))
}

# The Rust fit behind `x` (a GLM, or a fit of the core's `method`); made again from the
# stored inputs after saveRDS()/readRDS().
glm_ptr <- function(x, method = x$method) {
  if (is.null(x$inputs) || is.null(x$inputs$covariate_names)) {
    stop("this glm_fit() fit was made by an older version of hrrstats: refit it",
         call. = FALSE)
  }
  if (hrr_fit_alive_(x$ptr)) x$ptr else glm_call(method, x$inputs, x$response)$fit
}

# The family name (NULL: the method's default) and link (NULL: the family's) for the
# core, which checks them. A stats family object (or function, e.g. `poisson`) gives
# its name and link.
glm_family_of <- function(family, link) {
  if (identical(family, c("gaussian", "poisson", "binomial", "negbin"))) family <- NULL
  if (is.function(family)) family <- family()
  if (inherits(family, "family")) {
    if (is.null(link)) link <- family$link
    family <- family$family
  }
  list(family = family, link = link)
}

# The response as the core takes it: numeric; for the binomial, 0/1 (logical, or a
# factor: first level = failure, as glm), a proportion, or cbind(successes, failures) ->
# proportion with the totals as `trials` (prior weights times trials, as glm).
glm_response <- function(y, family, label) {
  if (identical(family, "binomial")) {
    if (is.matrix(y) && ncol(y) == 2L) {
      if (!is.numeric(y)) {
        stop(sprintf("argument `y` (%s): cbind(successes, failures) must be numeric", label),
             call. = FALSE)
      }
      trials <- as.double(y[, 1L] + y[, 2L])
      return(list(y = ifelse(trials == 0, 0, as.double(y[, 1L]) / trials), trials = trials))
    }
    if (is.factor(y)) return(list(y = as.double(y != levels(y)[1L]), trials = NULL))
  }
  if (is.matrix(y)) {
    stop(sprintf("argument `y` (%s): a matrix response is only for the binomial family, %s",
                 label, "as cbind(successes, failures)"), call. = FALSE)
  }
  if (!is.numeric(y) && !is.logical(y)) {
    stop(sprintf("argument `y` (%s) must be numeric%s, not %s", label,
                 if (identical(family, "binomial")) ", logical, a factor or cbind(successes, failures)"
                 else "", class(y)[1L]), call. = FALSE)
  }
  list(y = as.double(y), trials = NULL)
}

# ---- methods ------------------------------------------------------------------------

# Wald limits (confint.default) and the coefficient table (exp_coef for log and logit
# links, z or t): the Cox methods (cox.R).
confint.hrr_glm <- confint.hrr_coxph
as.data.frame.hrr_glm <- as.data.frame.hrr_coxph

glm_family_label <- function(x) {
  if (x$family == "negbin") sprintf("Negative Binomial(%s)", format(round(x$theta, 4)))
  else x$family
}

# The variance kind the core reports ("HC0", "HC1", "CL": cluster-robust) as printed.
robust_label <- function(x) {
  if (x$robust == "CL") sprintf("cluster-robust (HC1, %d clusters)", x$n_cluster)
  else sprintf("robust (%s)", x$robust)
}

print.hrr_glm <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  cat("\nCall:  ", paste(deparse(x$call), sep = "\n", collapse = "\n"), "\n\n", sep = "")
  cat(sprintf("Family: %s, link: %s\n\n", glm_family_label(x), x$link))
  cat("Coefficients")
  if (is.character(co <- x$contrasts)) {
    cat("  [contrasts: ", apply(cbind(names(co), co), 1L, paste, collapse = "="), "]")
  }
  cat(":\n")
  print.default(format(x$coefficients, digits = digits), print.gap = 2L, quote = FALSE)
  if (!isFALSE(x$robust)) cat(sprintf("(standard errors: %s)\n", robust_label(x)))
  if (!is.null(x$theta)) {
    cat(sprintf("\nTheta: %s (SE %s)\n", format(signif(x$theta, digits)),
                format(signif(x$SE.theta, digits))))
  }
  cat("\nDegrees of Freedom:", x$df.null, "Total (i.e. Null); ", x$df.residual, "Residual\n")
  dropped_note(x$n_dropped, "  ")
  cat("Null Deviance:\t   ", format(signif(x$null.deviance, digits)),
      "\nResidual Deviance:", format(signif(x$deviance, digits)), "\tAIC:",
      format(signif(x$aic, digits)))
  cat("\n")
  invisible(x)
}

summary.hrr_glm <- function(object, ...) {
  t <- object$test
  tab <- coef_matrix_of(object$table, sprintf("Pr(>|%s|)", t), c("coef", "se", t, "p"),
                        c("Estimate", "Std. Error", paste(t, "value")))
  fields <- c("call", "family", "link", "deviance", "null.deviance", "aic", "df.residual",
              "df.null", "dispersion", "iter", "converged", "robust", "n_cluster", "theta",
              "SE.theta", "twologlik", "aliased", "n_dropped")
  structure(c(object[fields], list(coefficients = tab)), class = "summary.hrr_glm")
}

print.summary.hrr_glm <- function(x, digits = max(3L, getOption("digits") - 3L),
                                  signif.stars = getOption("show.signif.stars"), ...) {
  cat("\nCall:\n", paste(deparse(x$call), sep = "\n", collapse = "\n"), "\n\n", sep = "")
  n_alias <- sum(x$aliased)
  cat(paste0("Coefficients:", if (n_alias > 0L)
    sprintf(" (%d not defined because of singularities)", n_alias), "\n"))
  stats::printCoefmat(x$coefficients, digits = digits, signif.stars = signif.stars,
                      na.print = "NA", ...)
  if (!isFALSE(x$robust)) cat(sprintf("Standard errors: %s\n", robust_label(x)))
  fam <- glm_family_label(x)
  cat(sprintf("\n(Dispersion parameter for %s family taken to be %s)\n\n", fam,
              format(x$dispersion)))
  cat(apply(cbind(paste(format(c("Null", "Residual"), justify = "right"), "deviance:"),
                  format(c(x$null.deviance, x$deviance), digits = max(5L, digits + 1L)),
                  " on", format(c(x$df.null, x$df.residual)), " degrees of freedom\n"),
            1L, paste, collapse = " "), sep = "")
  dropped_note(x$n_dropped, "  ")
  cat("AIC: ", format(x$aic, digits = max(4L, digits + 1L)), "\n\n",
      "Number of Fisher Scoring iterations: ", x$iter, "\n", sep = "")
  if (!x$converged) cat("(the algorithm did not converge)\n")
  if (!is.null(x$theta)) {
    cat(sprintf("\n              Theta:  %s \n          Std. Err.:  %s \n\n 2 x log-likelihood:  %s \n",
                format(round(x$theta, digits)), format(round(x$SE.theta, digits)),
                format(round(x$twologlik, digits))))
  }
  cat("\n")
  invisible(x)
}

# Predictions as predict.glm: on the link or the response scale, for the fitted rows or
# `newdata`. Standard errors use the model-based variance, as predict.glm.
predict.hrr_glm <- function(object, newdata, type = "link", se.fit = FALSE, ...) {
  link_predict(object, if (!missing(newdata)) newdata, type, se.fit, glm_ptr,
               list(residual.scale = sqrt(object$dispersion)))
}

# Predictions of a GLM or GEE fit by the core (the fit `ptr(object)`), for the fitted rows
# or `newdata` (design built with the model's terms, factor levels and contrasts; offset()
# terms and an offset given as a column or expression evaluated in `newdata`); rows with
# missing values predict NA, as predict.glm with na.pass. With `se.fit`: predict.glm's
# list (fit, se.fit, and `extra`). The core fit keeps no copy of X: the fitted rows'
# covariates are sent again.
link_predict <- function(object, newdata, type, se.fit, ptr, extra = NULL) {
  check_flag(se.fit, "se.fit")
  if (is.null(newdata)) {
    if (!se.fit && identical(type, "link")) return(object$linear.predictors)
    if (!se.fit && identical(type, "response")) return(object$fitted.values)
    X <- object$inputs$covariates
    off <- object$inputs$offset
    rn <- names(object$fitted.values)
  } else {
    mf <- new_frame(object, newdata)
    X <- new_design(object, mf)
    if (!identical(colnames(X), object$inputs$covariate_names)) {
      stop("argument `newdata`: its design matrix does not have the model's columns (",
           paste(object$inputs$covariate_names, collapse = ", "), ")", call. = FALSE)
    }
    off <- newdata_offset(object, newdata, stats::model.offset(mf), nrow(X))
    rn <- rownames(mf)
  }
  ok <- stats::complete.cases(X) & (if (is.null(off)) TRUE else !is.na(off))
  all_ok <- all(ok)
  Xo <- if (all_ok) X else X[ok, , drop = FALSE]
  pr <- hrr_fit_call(ptr(object), "predict",
                     list(covariates = Xo, covariate_names = colnames(Xo),
                          offset = if (is.null(off) || all_ok) off else off[ok], type = type))
  fill <- function(v) stats::setNames(fill_rows(v, ok), rn)
  if (!se.fit) return(fill(pr$fit))
  c(list(fit = fill(pr$fit), se.fit = fill(pr$se)), extra)
}

# The offset of `newdata`: its offset() terms `off` plus the model's `offset` argument
# (a column or expression) evaluated in it.
newdata_offset <- function(object, newdata, off, n) {
  if (isTRUE(object$has_offset_arg)) {
    if (is.null(object$offset_expr)) {
      stop("argument `newdata`: the model's offset was given as a vector; give it as a ",
           "column name or as offset() in the formula to predict for new data",
           call. = FALSE)
    }
    env <- environment(object$formula) %||% parent.frame()
    extra <- as.double(eval_in(object$offset_expr, newdata, env))
    if (length(extra) != n) {
      stop(sprintf(paste0("argument `newdata`: the offset (%s) has length %d there, ",
                          "not one value per row (%d)"),
                   label_of(object$offset_expr), length(extra), n), call. = FALSE)
    }
    off <- (if (is.null(off)) 0 else off) + extra
  }
  if (!is.null(off)) as.double(off)
}

# Residuals as residuals.glm ("deviance", "pearson", "working" or "response"), computed
# by the core from the fit it holds (made again from the inputs after readRDS()).
residuals.hrr_glm <- function(object, type = "deviance", ...) {
  r <- hrr_fit_call(glm_ptr(object), "residuals", list(type = type))
  stats::setNames(r, names(object$fitted.values))
}

# The response, prior weights (times binomial trials), design without the intercept
# column (checked for size and levels first), and offset (model offset() terms plus the
# `offset` argument) of a GLM-type model frame whose rows are kept, as glm builds them.
glm_design <- function(mf, mf_terms, family_name, resp_label, w, off_arg, take) {
  resp <- glm_response(model.response(mf), family_name, resp_label)
  w <- take(if (is.null(w)) NULL else as.double(w))
  if (!is.null(resp$trials)) w <- if (is.null(w)) resp$trials else w * resp$trials
  d <- model_design(mf_terms, mf, coxph_intercept = FALSE)
  if (ncol(d$X) == 0L) {
    stop("argument `formula`: a model needs at least one covariate ",
         "(intercept-only and empty models are not supported)", call. = FALSE)
  }
  storage.mode(d$X) <- "double"
  off <- stats::model.offset(mf)
  if (!is.null(off_arg)) off <- (if (is.null(off)) 0 else off) + take(as.double(off_arg))
  c(d, list(resp = resp, w = w, offset = if (!is.null(off)) as.double(off)))
}

# The model frame of a GLM-type formula (the response as `y`, offset() terms as `offset`,
# the covariates; named as the user wrote them) and the columns `extra` (weights, offset,
# cluster, ...: model_inputs() entries), checked together for missing values: list(mf (the kept
# rows, unused factor levels dropped as glm), terms, miss (handle_missing()'s), take (a
# column on the kept rows)).
glm_inputs <- function(formula, data, extra, na_action) {
  mf <- frame_of(terms(formula, data = data), data)
  tt <- attr(mf, "terms")
  arg_of <- special_arg(NULL, NULL, attr(tt, "offset"), attr(tt, "response"))
  miss <- handle_missing(c(frame_entries(mf, arg_of), extra), na_action)
  list(mf = kept_frame(mf, miss$keep), terms = tt, miss = miss,
       take = function(x) kept_rows(x, miss))
}
