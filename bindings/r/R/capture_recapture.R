# Capture-recapture (issue 17): registry completeness from 2 to 4 sources.
#
# The log-linear models, their selection, the totals with Wald and profile-likelihood
# limits and Chapman's estimator are computed by the core (`capture_recapture`;
# definitions in crates/hrrstats-core/src/registry/capture_recapture.rs); this file
# resolves the columns and presents the result.

capture_recapture <- function(counts = NULL, sources, model = NULL, criterion = c("aic", "bic"),
                              conf_level = 0.95, data = NULL) {
  if (length(criterion) > 1L) criterion <- criterion[1L]
  src <- if (is.character(sources) && !is.null(data)) {
    miss <- setdiff(sources, names(data))
    if (length(miss)) stop(sprintf("argument `sources`: no column `%s` in `data`", miss[1L]), call. = FALSE)
    as.list(data)[sources]
  } else if (is.data.frame(sources)) {
    as.list(sources)
  } else if (is.matrix(sources)) {
    nm <- colnames(sources)
    if (is.null(nm)) nm <- paste0("s", seq_len(ncol(sources)))
    stats::setNames(lapply(seq_len(ncol(sources)), function(j) sources[, j]), nm)
  } else if (is.list(sources) && !is.null(names(sources))) {
    sources
  } else {
    stop("argument `sources` must be column names of `data`, a data frame, a matrix or a named list of 0/1 columns",
         call. = FALSE)
  }
  nm <- names(src)
  src <- lapply(seq_along(src), function(j) as_double_column(src[[j]], "sources", nm[j]))
  names(src) <- nm
  cnt <- if (is.character(counts) && length(counts) == 1L && !is.null(data)) {
    if (!counts %in% names(data)) stop(sprintf("argument `counts`: no column `%s` in `data`", counts), call. = FALSE)
    data[[counts]]
  } else counts
  args <- list(sources = src, counts = if (!is.null(cnt)) as_double_column(cnt, "counts", "counts"),
               model = model, criterion = criterion, conf_level = conf_level)
  v <- hrr_call("capture_recapture", args)$value
  ch <- v$chapman
  structure(list(models = as.data.frame(v$models), selected = v$selected, criterion = v$criterion,
                 model_given = isTRUE(v$model_given == 1), conf_level = v$conf_level,
                 sources = v$sources, n_observed = v$n_observed, n_hat = v$n_hat,
                 n_unobserved = v$n_unobserved, std_err = v$std_err, lower = v$lower, upper = v$upper,
                 wald_lower = v$wald_lower, wald_upper = v$wald_upper,
                 lower_unobserved = v$lower_unobserved, upper_unobserved = v$upper_unobserved,
                 chapman = if (!is.null(ch)) unlist(ch[c("n_hat", "std_err", "lower", "upper")]),
                 patterns = as.data.frame(v$patterns), warnings = v$warnings),
            class = "hrr_capture_recapture")
}

summary.hrr_capture_recapture <- function(object, ...) {
  n <- object$n_observed
  rows <- data.frame(
    estimate = c("total", "unobserved"), model = object$selected,
    value = c(object$n_hat, object$n_unobserved), std_err = object$std_err,
    lower = c(object$lower, object$lower - n), upper = c(object$upper, object$upper - n),
    wald_lower = c(object$wald_lower, object$wald_lower - n),
    wald_upper = c(object$wald_upper, object$wald_upper - n), stringsAsFactors = FALSE)
  if (!is.null(object$chapman)) {
    c <- object$chapman
    rows <- rbind(rows, data.frame(estimate = "total", model = "chapman", value = c[["n_hat"]],
                                   std_err = c[["std_err"]], lower = NA_real_, upper = NA_real_,
                                   wald_lower = c[["lower"]], wald_upper = c[["upper"]]))
  }
  rows
}

print.hrr_capture_recapture <- function(x, digits = 4L, ...) {
  pct <- paste0(format(100 * x$conf_level), "%")
  cat(sprintf("Capture-recapture: %d sources (%s), %s observed\n", length(x$sources),
              paste(x$sources, collapse = ", "), format(x$n_observed)))
  cat(sprintf("model: %s%s\n", x$selected,
              if (x$model_given) "" else sprintf(" (smallest %s)", toupper(x$criterion))))
  cat(sprintf("estimated total %.1f (%s profile-likelihood limits %.1f to %.1f; Wald %.1f to %.1f), unobserved %.1f\n",
              x$n_hat, pct, x$lower, x$upper, x$wald_lower, x$wald_upper, x$n_unobserved))
  if (!is.null(x$chapman)) {
    cat(sprintf("Chapman: %.1f (%s limits %.1f to %.1f)\n", x$chapman[["n_hat"]], pct,
                x$chapman[["lower"]], x$chapman[["upper"]]))
  }
  cat("\n")
  print(x$models[, c("model", "df", "deviance", "aic", "bic", "n_hat", "lower", "upper")],
        digits = digits, row.names = FALSE)
  invisible(x)
}
