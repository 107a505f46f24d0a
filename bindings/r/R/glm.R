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
  if (!inherits(formula, "formula") || length(formula) != 3L) {
    stop("argument `formula` must be a two-sided formula such as y ~ x", call. = FALSE)
  }
  if (!is.null(data) && !is.data.frame(data) && !is.list(data)) {
    stop("argument `data` must be a data frame", call. = FALSE)
  }
  pf <- parent.frame()
  w <- resolve_weights(substitute(weights), data, pf)
  offset_expr <- substitute(offset)
  off_arg <- resolve_weights(offset_expr, data, pf, "offset")
  cluster_expr <- substitute(cluster)
  cl <- resolve_weights(cluster_expr, data, pf, "cluster")

  mf <- glm_frame(formula, data)
  mf_terms <- attr(mf, "terms")
  resp_label <- label_of(formula[[2L]])
  cols <- frame_columns(mf)
  add <- function(arg, label, value) {
    cols[[length(cols) + 1L]] <<- list(value = value, arg = arg, label = label)
  }
  if (!is.null(w)) {
    add("weights", label_of(substitute(weights)),
        as_double_column(w, "weights", label_of(substitute(weights))))
  }
  if (!is.null(off_arg)) {
    add("offset", label_of(offset_expr), as_double_column(off_arg, "offset", label_of(offset_expr)))
  }
  if (!is.null(cl)) add("cluster", label_of(cluster_expr), cl)
  miss <- handle_missing(cols, na_action)
  keep <- miss$keep
  take <- function(x) if (miss$n_dropped > 0L && !is.null(x)) x[keep] else x
  mf <- kept_frame(mf, keep)   # unused factor levels dropped, as glm

  family_name <- if (.method == "glm_fit") fam$family %||% "gaussian" else
    glm_method_family[[.method]]
  d <- glm_design(mf, mf_terms, family_name, resp_label, w, off_arg, take)
  resp <- d$resp; w <- d$w; X <- d$X; xnames <- colnames(X); off <- d$offset
  assign_ <- d$assign; contrasts <- d$contrasts; intercept <- d$intercept
  clusters <- if (is.null(cl)) NULL else factor_codes(take(cl))

  # The core's arguments, kept in the fit to make it again after saveRDS()/readRDS().
  # X itself (borrowed by the core, not copied) with its column names.
  inputs <- list(y = resp$y, covariates = X, covariate_names = xnames, weights = w, offset = off,
                 cluster = as_grouping(clusters), family = fam$family, link = fam$link,
                 theta = theta, robust = robust, intercept = intercept,
                 epsilon = ctrl$epsilon, max_iter = ctrl$maxit, start = start, rows = keep,
                 labels = glm_labels)
  out <- glm_call(.method, inputs, resp_label)
  v <- out$value
  cf_names <- v$names
  named <- function(m) {
    dimnames(m) <- list(cf_names, cf_names)
    nan_to_na(m)
  }
  robust_fit <- !is.null(v$robust)
  tab <- na_table(v$table)
  rn <- rownames(mf)
  fit <- list(
    coefficients = stats::setNames(nan_to_na(v$coef), cf_names),
    var = named(v$var),
    naive_var = if (robust_fit) named(v$naive_var) else NULL,
    se = stats::setNames(nan_to_na(v$se), cf_names),
    naive_se = stats::setNames(nan_to_na(v$naive_se), cf_names),
    statistic = stats::setNames(tab[[v$test]], cf_names),
    p_value = stats::setNames(tab$p, cf_names),
    table = tab,
    cov.unscaled = named(v$cov_unscaled),
    aliased = stats::setNames(v$aliased, cf_names),
    null.deviance = v$null_deviance,
    df.residual = v$df_residual,
    df.null = v$df_null,
    iter = v$iterations,
    fitted.values = stats::setNames(v$fitted, rn),
    linear.predictors = stats::setNames(v$linear_predictors, rn),
    weights = stats::setNames(v$working_weights, rn),
    prior.weights = stats::setNames(v$prior_weights, rn),
    y = stats::setNames(resp$y, rn),
    SE.theta = v$se_theta,
    robust = v$robust %||% FALSE,
    intercept = intercept,
    terms = mf_terms,
    assign = assign_[assign_ != 0L],
    xlevels = stats::.getXlevels(mf_terms, mf),
    contrasts = contrasts,
    offset_expr = if (is.name(offset_expr) || is.call(offset_expr)) offset_expr else NULL,
    has_offset_arg = !is.null(off_arg),
    response = resp_label,
    n_dropped = miss$n_dropped,
    formula = formula,
    method = .method,
    inputs = inputs,
    ptr = out$fit
  )
  # the core's fields under their own names
  same <- c("test", "conf_level", "rank", "deviance", "aic", "loglik", "loglik_df",
            "dispersion", "converged", "convergence", "alternations", "boundary", "family", "link", "theta", "twologlik",
            "n_cluster", "nobs", "warnings")
  fit[same] <- v[same]
  class(fit) <- "hrr_glm"
  fit
}

# The core's names of the settings in `control` as the user wrote them (errors name these).
glm_labels <- list(max_iter = "control$maxit", epsilon = "control$epsilon")

# Run the core's `method`; errors about `y` name the response.
glm_call <- function(method, args, label) {
  args <- args[!vapply(args, is.null, TRUE)]
  res <- hrr_call_(method, args)
  if (!isTRUE(res$ok) && startsWith(res$message, "argument `y`")) {
    res$message <- sub("^argument `y`", sprintf("argument `y` (%s)", label), res$message)
  }
  hrr_warn(rust_value(res))
}

# The Rust fit behind `x`; made again from the stored inputs after saveRDS()/readRDS().
glm_ptr <- function(x) {
  if (is.null(x$inputs) || is.null(x$inputs$covariate_names)) {
    stop("this glm_fit() fit was made by an older version of hrrstats: refit it",
         call. = FALSE)
  }
  if (hrr_fit_alive_(x$ptr)) x$ptr else glm_call(x$method, x$inputs, x$response)$fit
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

coef.hrr_glm <- function(object, ...) object$coefficients

vcov.hrr_glm <- function(object, ...) object$var

nobs.hrr_glm <- function(object, ...) object$nobs

logLik.hrr_glm <- function(object, ...) {
  structure(object$loglik, df = object$loglik_df, nobs = object$nobs, class = "logLik")
}

# Wald limits (confint.default) and the coefficient table (exp_coef for log and logit
# links, z or t): the Cox methods (cox.R).
confint.hrr_glm <- confint.hrr_coxph
as.data.frame.hrr_glm <- as.data.frame.hrr_coxph

glm_family_label <- function(x) {
  if (x$family == "negbin") sprintf("Negative Binomial(%s)", format(round(x$theta, 4)))
  else x$family
}

robust_label <- function(x) {
  switch(x$robust,
         HC0 = "robust (HC0)",
         HC1 = "robust (HC1)",
         CL = sprintf("cluster-robust (HC1, %d clusters)", x$n_cluster))
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
  tab <- cbind(object$coefficients, object$se, object$statistic, object$p_value)
  t <- object$test
  dimnames(tab) <- list(names(object$coefficients),
                        c("Estimate", "Std. Error", paste(t, "value"), sprintf("Pr(>|%s|)", t)))
  res <- object[c("call", "family", "link", "deviance", "null.deviance", "aic",
                  "df.residual", "df.null", "dispersion", "iter", "converged", "robust",
                  "n_cluster", "theta", "SE.theta", "twologlik", "aliased", "n_dropped")]
  res$coefficients <- tab
  class(res) <- "summary.hrr_glm"
  res
}

print.summary.hrr_glm <- function(x, digits = max(3L, getOption("digits") - 3L),
                                  signif.stars = getOption("show.signif.stars"), ...) {
  cat("\nCall:\n", paste(deparse(x$call), sep = "\n", collapse = "\n"), "\n\n", sep = "")
  n_alias <- sum(x$aliased)
  if (n_alias > 0L) {
    cat(sprintf("Coefficients: (%d not defined because of singularities)\n", n_alias))
  } else {
    cat("Coefficients:\n")
  }
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
# `newdata` (design built with the model's terms, factor levels and contrasts; offset()
# terms and an offset given as a column or expression evaluated in `newdata`). Standard
# errors use the model-based variance, as predict.glm; the core computes them from the
# fit it holds (given the covariates: the fit keeps no copy of X).
predict.hrr_glm <- function(object, newdata, type = "link", se.fit = FALSE, ...) {
  check_flag(se.fit, "se.fit")
  if (missing(newdata) || is.null(newdata)) {
    if (!se.fit && identical(type, "link")) return(object$linear.predictors)
    if (!se.fit && identical(type, "response")) return(object$fitted.values)
    # the fitted rows' covariates again (the core fit keeps no copy of X)
    return(glm_predict(object, object$inputs$covariates, object$inputs$offset,
                       names(object$fitted.values), se.fit, type))
  }
  mf <- new_frame(object, newdata)
  X <- new_design(object, mf)
  if (!identical(colnames(X), object$inputs$covariate_names)) {
    stop("argument `newdata`: its design matrix does not have the model's columns (",
         paste(object$inputs$covariate_names, collapse = ", "), ")", call. = FALSE)
  }
  off <- stats::model.offset(mf)
  if (isTRUE(object$has_offset_arg)) {
    if (is.null(object$offset_expr)) {
      stop("argument `newdata`: the model's offset was given as a vector; give it as a ",
           "column name or as offset() in the formula to predict for new data",
           call. = FALSE)
    }
    env <- environment(object$formula) %||% parent.frame()
    extra <- as.double(eval_in(object$offset_expr, newdata, env))
    if (length(extra) != nrow(X)) {
      stop(sprintf(paste0("argument `newdata`: the offset (%s) has length %d there, ",
                          "not one value per row (%d)"),
                   label_of(object$offset_expr), length(extra), nrow(X)), call. = FALSE)
    }
    off <- (if (is.null(off)) 0 else off) + extra
  }
  if (!is.null(off)) off <- as.double(off)
  glm_predict(object, X, off, rownames(mf), se.fit, type)
}

# The core's predictions for design `X` and offset `off` (rows with missing values
# predict NA, as predict.glm with na.pass), named `rn`; with `se.fit` as predict.glm's
# list.
glm_predict <- function(object, X, off, rn, se.fit, type) {
  ok <- stats::complete.cases(X) & (if (is.null(off)) TRUE else !is.na(off))
  all_ok <- all(ok)
  Xo <- if (all_ok) X else X[ok, , drop = FALSE]
  oo <- if (is.null(off) || all_ok) off else off[ok]
  pr <- hrr_fit_call(glm_ptr(object), "predict",
                     list(covariates = Xo, covariate_names = colnames(Xo), offset = oo,
                          type = type))
  fill <- function(v) stats::setNames(fill_rows(v, ok), rn)
  fit <- fill(pr$fit)
  if (!se.fit) return(fit)
  list(fit = fit, se.fit = fill(pr$se), residual.scale = sqrt(object$dispersion))
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
  check_two_levels(mf_terms, mf)
  check_design_size(mf_terms, mf)
  X <- model.matrix(mf_terms, mf)
  assign_ <- attr(X, "assign")
  contrasts <- attr(X, "contrasts")
  X <- X[, assign_ != 0L, drop = FALSE]
  if (ncol(X) == 0L) {
    stop("argument `formula`: a model needs at least one covariate ",
         "(intercept-only and empty models are not supported)", call. = FALSE)
  }
  storage.mode(X) <- "double"
  off <- stats::model.offset(mf)
  if (!is.null(off_arg)) off <- (if (is.null(off)) 0 else off) + take(as.double(off_arg))
  if (!is.null(off)) off <- as.double(off)
  list(resp = resp, w = w, X = X, assign = assign_, contrasts = contrasts,
       intercept = attr(mf_terms, "intercept") == 1L, offset = off)
}

# The model frame of a GLM-type formula, missing values kept (handle_missing() decides).
glm_frame <- function(formula, data) {
  tt <- if (is.null(data)) terms(formula) else terms(formula, data = data)
  if (is.null(data)) model.frame(tt, na.action = stats::na.pass) else
    model.frame(tt, data = data, na.action = stats::na.pass)
}

# The columns of a model frame as handle_missing() checks them: the response (`y`),
# offset() terms (`offset`) and the covariates, named as the user wrote them.
frame_columns <- function(mf) {
  tt <- attr(mf, "terms")
  offset_cols <- attr(tt, "offset")
  lapply(seq_along(mf), function(j) {
    v <- mf[[j]]
    arg <- if (j == attr(tt, "response")) "y" else if (j %in% offset_cols) "offset" else
      "covariates"
    if (is.matrix(v)) v <- ifelse(rowSums(is.na(v)) > 0, NA_real_, 0)   # cbind(), poly()
    list(value = v, arg = arg, label = names(mf)[j])
  })
}
