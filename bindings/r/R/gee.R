# Generalised estimating equations
#
# `gee()` fits marginal models for clustered data as `geepack::geeglm()` does (geese's
# estimating equations for the mean, the scale and the working correlation; sandwich
# and model-based variances), with the computation in Rust. The design matrix comes
# from R's own model.frame()/model.matrix(); the cluster (`id`), `waves`, `weights` and
# `offset` are a bare column name of `data` or a vector. Rows of a cluster need not be
# contiguous (the core groups them stably; geeglm needs them sorted by id). No
# statistics here beyond arranging the core's results.

gee <- function(formula, data, id, family = gaussian, corstr = "independence", waves = NULL,
                weights = NULL, offset = NULL, link = NULL, scale.fix = FALSE, scale.value = 1,
                control = list(epsilon = 1e-10, maxit = 100), conf_level = 0.95,
                na_action = c("fail", "drop")) {
  call <- match.call()
  if (missing(data)) data <- NULL
  na_action <- check_na_action(na_action)
  fam <- glm_family_of(family, link)
  ctrl <- control_of(control, "list(epsilon = 1e-10, maxit = 100)")
  if (!inherits(formula, "formula") || length(formula) != 3L) {
    stop("argument `formula` must be a two-sided formula such as y ~ x", call. = FALSE)
  }
  if (!is.null(data) && !is.data.frame(data) && !is.list(data)) {
    stop("argument `data` must be a data frame", call. = FALSE)
  }
  if (missing(id)) stop("argument `id` is required: the cluster of each row", call. = FALSE)
  pf <- parent.frame()
  id_expr <- substitute(id)
  cl <- resolve_weights(id_expr, data, pf, "id")
  waves_expr <- substitute(waves)
  wv <- resolve_weights(waves_expr, data, pf, "waves")
  w_expr <- substitute(weights)
  w <- resolve_weights(w_expr, data, pf)
  offset_expr <- substitute(offset)
  off_arg <- resolve_weights(offset_expr, data, pf, "offset")

  mf <- glm_frame(formula, data)
  mf_terms <- attr(mf, "terms")
  resp_label <- label_of(formula[[2L]])
  cols <- frame_columns(mf)
  add <- function(arg, label, value) {
    cols[[length(cols) + 1L]] <<- list(value = value, arg = arg, label = label)
  }
  add("id", label_of(id_expr), cl)
  if (!is.null(wv)) add("waves", label_of(waves_expr), as_double_column(wv, "waves", label_of(waves_expr)))
  if (!is.null(w)) add("weights", label_of(w_expr), as_double_column(w, "weights", label_of(w_expr)))
  if (!is.null(off_arg)) {
    add("offset", label_of(offset_expr), as_double_column(off_arg, "offset", label_of(offset_expr)))
  }
  miss <- handle_missing(cols, na_action)
  keep <- miss$keep
  take <- function(x) if (miss$n_dropped > 0L && !is.null(x)) x[keep] else x
  mf <- kept_frame(mf, keep)

  d <- glm_design(mf, mf_terms, fam$family %||% "gaussian", resp_label, w, off_arg, take)
  resp <- d$resp; w <- d$w; X <- d$X; xnames <- colnames(X); off <- d$offset
  contrasts <- d$contrasts; intercept <- d$intercept

  inputs <- list(y = resp$y, covariates = X, covariate_names = xnames,
                 cluster = as_grouping(factor_codes(take(cl))),
                 waves = take(if (is.null(wv)) NULL else as.double(wv)),
                 weights = w, offset = off, family = fam$family, link = fam$link,
                 corstr = corstr, intercept = intercept, scale_fix = scale.fix,
                 scale_value = scale.value, epsilon = ctrl$epsilon, max_iter = ctrl$maxit,
                 conf_level = conf_level, rows = keep, labels = gee_labels)
  out <- glm_call("gee", inputs, resp_label)
  v <- out$value
  cf <- v$names
  named <- function(m) {
    dimnames(m) <- list(cf, cf)
    m
  }
  rn <- rownames(mf)
  fit <- list(
    coefficients = stats::setNames(v$coef, cf),
    var = named(v$var),
    naive_var = named(v$naive_var),
    se = stats::setNames(v$se, cf),
    naive_se = stats::setNames(v$naive_se, cf),
    alpha = stats::setNames(as.double(v$alpha), v$alpha_names),
    table = v$table,
    fitted.values = stats::setNames(v$fitted, rn),
    linear.predictors = stats::setNames(v$linear_predictors, rn),
    terms = mf_terms,
    xlevels = stats::.getXlevels(mf_terms, mf),
    contrasts = contrasts,
    offset_expr = if (is.name(offset_expr) || is.call(offset_expr)) offset_expr else NULL,
    has_offset_arg = !is.null(off_arg),
    formula = formula,
    response = resp_label,
    n_dropped = miss$n_dropped,
    call = call,
    inputs = inputs,
    ptr = out$fit
  )
  same <- c("scale", "n_clusters", "max_cluster_size", "iterations", "converged", "family",
            "link", "corstr", "nobs", "conf_level", "warnings")
  fit[same] <- v[same]
  class(fit) <- "hrr_gee"
  fit
}

# The core's names of gee()'s arguments as the user wrote them (errors name these).
gee_labels <- list(cluster = "id", scale_value = "scale.value", scale_fix = "scale.fix",
                   max_iter = "control$maxit", epsilon = "control$epsilon")

gee_ptr <- function(x) {
  if (hrr_fit_alive_(x$ptr)) x$ptr else glm_call("gee", x$inputs, x$response)$fit
}

# The core's coefficient table at `level` (the fit's own at its level).
gee_table <- function(x, level = x$conf_level, label = "conf_level") {
  if (isTRUE(all.equal(level, x$conf_level))) return(x$table)
  hrr_fit_call(gee_ptr(x), "coef_table", list(conf_level = level, labels = list(conf_level = label)))
}

coef.hrr_gee <- function(object, ...) object$coefficients

vcov.hrr_gee <- function(object, ...) object$var

nobs.hrr_gee <- function(object, ...) object$nobs

confint.hrr_gee <- function(object, parm, level = 0.95, ...) {
  wald_confint(gee_table(object, level, "level"), parm, level)
}

as.data.frame.hrr_gee <- function(x, row.names = NULL, optional = FALSE, ..., conf_level = 0.95) {
  tab <- gee_table(x, conf_level)
  if (!is.null(row.names)) rownames(tab) <- row.names
  tab
}

gee_corr_line <- function(x) {
  if (!length(x$alpha)) return(invisible())
  cat("Correlation (", x$corstr, "): ",
      paste(names(x$alpha), format(signif(x$alpha, 4)), sep = " = ", collapse = ", "), "\n", sep = "")
}

print.hrr_gee <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  cat("\nCall:  ", paste(deparse(x$call), sep = "\n", collapse = "\n"), "\n\n", sep = "")
  cat(sprintf("Family: %s, link: %s; working correlation: %s\n\n", x$family, x$link, x$corstr))
  cat("Coefficients:\n")
  print.default(format(x$coefficients, digits = digits), print.gap = 2L, quote = FALSE)
  cat("\nScale:", format(signif(x$scale, digits)), "\n")
  gee_corr_line(x)
  cat(sprintf("%d clusters, largest %d rows; %d rows\n", x$n_clusters, x$max_cluster_size, x$nobs))
  dropped_note(x$n_dropped, "")
  invisible(x)
}

# As summary.geeglm: Estimate, Std.err (robust), Wald (= z^2), Pr(>|W|).
summary.hrr_gee <- function(object, ...) {
  tab <- object$table
  m <- cbind(tab$coef, tab$se, tab$z^2, tab$p)
  dimnames(m) <- list(tab$term, c("Estimate", "Std.err", "Wald", "Pr(>|W|)"))
  res <- object[c("call", "family", "link", "corstr", "scale", "alpha", "n_clusters",
                  "max_cluster_size", "nobs", "iterations", "converged", "n_dropped")]
  res$coefficients <- m
  class(res) <- "summary.hrr_gee"
  res
}

print.summary.hrr_gee <- function(x, digits = max(3L, getOption("digits") - 3L),
                                  signif.stars = getOption("show.signif.stars"), ...) {
  cat("\nCall:\n", paste(deparse(x$call), sep = "\n", collapse = "\n"), "\n\n", sep = "")
  cat("Coefficients:\n")
  stats::printCoefmat(x$coefficients, digits = digits, signif.stars = signif.stars, ...)
  cat(sprintf("\nCorrelation structure = %s\nEstimated scale: %s\n", x$corstr, format(signif(x$scale, digits))))
  gee_corr_line(x)
  cat(sprintf("Number of clusters: %d   Maximum cluster size: %d\n", x$n_clusters, x$max_cluster_size))
  dropped_note(x$n_dropped, "")
  if (!x$converged) cat("(the estimating equations did not converge)\n")
  invisible(x)
}

# Predictions on the link or the response scale, for the fitted rows or `newdata`;
# standard errors (se.fit = TRUE) from the robust variance.
predict.hrr_gee <- function(object, newdata, type = "link", se.fit = FALSE, ...) {
  check_flag(se.fit, "se.fit")
  if (missing(newdata) || is.null(newdata)) {
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
    off <- stats::model.offset(mf)
    if (isTRUE(object$has_offset_arg)) {
      if (is.null(object$offset_expr)) {
        stop("argument `newdata`: the model's offset was given as a vector; give it as a ",
             "column name or as offset() in the formula to predict for new data", call. = FALSE)
      }
      env <- environment(object$formula) %||% parent.frame()
      off <- (if (is.null(off)) 0 else off) + as.double(eval_in(object$offset_expr, newdata, env))
    }
    if (!is.null(off)) off <- as.double(off)
    rn <- rownames(mf)
  }
  ok <- stats::complete.cases(X) & (if (is.null(off)) TRUE else !is.na(off))
  all_ok <- all(ok)
  Xo <- if (all_ok) X else X[ok, , drop = FALSE]
  oo <- if (is.null(off) || all_ok) off else off[ok]
  pr <- hrr_fit_call(gee_ptr(object), "predict",
                     list(covariates = Xo, covariate_names = colnames(Xo), offset = oo, type = type))
  fill <- function(v) stats::setNames(fill_rows(v, ok), rn)
  fit <- fill(pr$fit)
  if (!se.fit) return(fit)
  list(fit = fit, se.fit = fill(pr$se))
}
