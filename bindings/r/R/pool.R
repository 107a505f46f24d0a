# Rubin's rules for multiply imputed analyses, as mice::pool.
#
# `pool()` gathers the m analyses' estimates and variances (squared standard errors)
# into one column per parameter and passes them to the core, which does the pooling
# (within, between and total variance, riv, lambda, fmi, Barnard-Rubin df, t tests).

pool <- function(estimates, variances = NULL, df_complete = NULL, conf_level = 0.95) {
  if (inherits(estimates, "mira")) estimates <- estimates$analyses
  if (is.list(estimates) && !is.data.frame(estimates) && is.null(variances)) {
    fits <- estimates
    est <- lapply(fits, function(f) if (is.list(f) && length(f) == 2L && is.null(names(f)))
      as.double(f[[1L]]) else stats::coef(f))
    var <- lapply(fits, function(f) {
      v <- if (is.list(f) && length(f) == 2L && is.null(names(f))) f[[2L]] else stats::vcov(f)
      if (is.matrix(v)) diag(v) else as.double(v)
    })
    if (length(unique(lengths(est))) > 1L)
      stop("argument `estimates`: the fits have different numbers of coefficients", call. = FALSE)
    nm <- names(est[[1L]])
    if (is.null(df_complete)) {
      d <- tryCatch(stats::df.residual(fits[[1L]]), error = function(e) NULL)
      if (is.null(d) && is.list(fits[[1L]])) d <- fits[[1L]]$df.residual
      if (is.numeric(d) && length(d) == 1L) df_complete <- d
    }
    estimates <- do.call(rbind, lapply(est, as.double))
    variances <- do.call(rbind, lapply(var, as.double))
    if (!is.null(nm)) colnames(estimates) <- colnames(variances) <- nm
  }
  if (is.null(variances))
    stop("argument `variances`: is required (or give a list of fits as `estimates`)", call. = FALSE)
  cols <- function(x, names) {
    if (is.data.frame(x)) x <- as.matrix(x)
    if (is.matrix(x)) {
      nm <- colnames(x) %||% names %||% paste0("x", seq_len(ncol(x)))
      stats::setNames(lapply(seq_len(ncol(x)), function(j) as.double(x[, j])), nm)
    } else stats::setNames(list(as.double(x)), names[1L] %||% "estimate")
  }
  est <- cols(estimates, NULL)
  var <- cols(variances, names(est))
  inputs <- list(estimates = est, variances = var,
                 df_complete = if (!is.null(df_complete)) as.double(df_complete),
                 conf_level = conf_level)
  out <- hrr_call("pool", inputs)
  v <- out$value
  tab <- v$table
  structure(list(table = tab, estimate = stats::setNames(tab$estimate, tab$term),
                 se = stats::setNames(tab$se, tab$term), df = stats::setNames(tab$df, tab$term),
                 m = tab$m[1L], conf_level = v$conf_level, inputs = inputs),
            class = "hrr_pool")
}

coef.hrr_pool <- function(object, ...) object$estimate

summary.hrr_pool <- function(object, ...) object$table

confint.hrr_pool <- function(object, parm, level = 0.95, ...) {
  inputs <- object$inputs
  inputs$conf_level <- level
  tab <- if (isTRUE(all.equal(level, object$conf_level))) object$table else
    hrr_call("pool", inputs)$value$table
  wald_confint(tab, parm, level)
}

print.hrr_pool <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  cat("Rubin's rules over m =", x$m, "imputations\n")
  tab <- x$table
  m <- as.matrix(tab[, c("estimate", "se", "statistic", "df", "p", "riv", "lambda", "fmi")])
  dimnames(m) <- list(tab$term, c("estimate", "std.error", "statistic", "df", "p.value",
                                  "riv", "lambda", "fmi"))
  print(signif(m, digits))
  invisible(x)
}
