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
  check_two_sided(formula)
  check_data(data)
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

  g <- glm_inputs(formula, data, c(list(col_entry("id", label_of(id_expr), cl)),
                                   num_entry("waves", wv, label_of(waves_expr)),
                                   num_entry("weights", w, label_of(w_expr)),
                                   num_entry("offset", off_arg, label_of(offset_expr))), na_action)
  resp_label <- label_of(formula[[2L]])
  d <- glm_design(g$mf, g$terms, fam$family %||% "gaussian", resp_label, w, off_arg, g$take)
  inputs <- list(y = d$resp$y, covariates = d$X, covariate_names = colnames(d$X),
                 cluster = as_grouping(factor_codes(g$take(cl))),
                 waves = g$take(if (is.null(wv)) NULL else as.double(wv)),
                 weights = d$w, offset = d$offset, family = fam$family, link = fam$link,
                 corstr = corstr, intercept = d$intercept, scale_fix = scale.fix,
                 scale_value = scale.value, epsilon = ctrl$epsilon, max_iter = ctrl$maxit,
                 conf_level = conf_level, rows = g$miss$keep, labels = gee_labels)
  out <- glm_call("gee", inputs, resp_label)
  v <- out$value
  cf <- v$names
  named <- function(m) {
    dimnames(m) <- list(cf, cf)
    m
  }
  rn <- rownames(g$mf)
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
    terms = g$terms,
    xlevels = d$xlevels,
    contrasts = d$contrasts,
    offset_expr = if (is.name(offset_expr) || is.call(offset_expr)) offset_expr else NULL,
    has_offset_arg = !is.null(off_arg),
    formula = formula,
    response = resp_label,
    n_dropped = g$miss$n_dropped,
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

gee_ptr <- function(x) glm_ptr(x, "gee")

# The core's coefficient table at `level` (the fit's own at its level).
gee_table <- function(x, level = x$conf_level, label = "conf_level") {
  table_at(x, level, label, gee_ptr)
}

confint.hrr_gee <- function(object, parm, level = 0.95, ...) {
  wald_confint(gee_table(object, level, "level"), parm, level)
}

as.data.frame.hrr_gee <- function(x, row.names = NULL, optional = FALSE, ..., conf_level = 0.95) {
  with_row_names(gee_table(x, conf_level), row.names)
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
  link_predict(object, if (!missing(newdata)) newdata, type, se.fit, gee_ptr)
}
