# Forest plot of any regression fit's coefficient table (computed by the core: the fit's
# summary at `level`, or its as.data.frame for fits whose summary mirrors an R print).
forest_plot <- function(fit, exp = NULL, level = 0.95, terms = NULL, intercept = FALSE,
                        col = "black", pch = 15, xlab = NULL, main = NULL, ...) {
  tab <- tryCatch(summary(fit, conf.int = level)$table, error = function(e) NULL)
  if (is.null(tab) || is.null(tab$lower)) {
    tab <- tryCatch(as.data.frame(fit, conf_level = level), error = function(e) NULL)
  }
  if (is.null(tab) || is.null(tab$term) || is.null(tab$lower)) {
    stop(sprintf("argument `fit`: a regression fit is needed, not %s", class(fit)[1L]),
         call. = FALSE)
  }
  if (!is.null(terms)) {
    unknown <- setdiff(terms, tab$term)
    if (length(unknown)) {
      stop(sprintf("argument `terms`: %s not among the fit's terms (%s)",
                   paste(unknown, collapse = ", "), paste(tab$term, collapse = ", ")),
           call. = FALSE)
    }
    tab <- tab[match(terms, tab$term), , drop = FALSE]
  } else if (!isTRUE(intercept)) {
    tab <- tab[tab$term != "(Intercept)", , drop = FALSE]
  }
  has_ratio <- all(c("exp_coef", "exp_lower", "exp_upper") %in% names(tab))
  exp <- exp %||% has_ratio
  if (isTRUE(exp) && !has_ratio) {
    stop("argument `exp`: this fit's coefficients are not on a log scale (no ratios in its summary)",
         call. = FALSE)
  }
  cols <- if (isTRUE(exp)) c("exp_coef", "exp_lower", "exp_upper") else c("coef", "lower", "upper")
  est <- tab[[cols[1L]]]; lo <- tab[[cols[2L]]]; hi <- tab[[cols[3L]]]
  k <- nrow(tab)
  y <- rev(seq_len(k))
  op <- graphics::par(mar = c(5, max(4, 1 + 0.6 * max(nchar(tab$term), 1)), 2, 2))
  on.exit(graphics::par(op))
  xl <- range(c(lo, hi, if (isTRUE(exp)) 1 else 0), finite = TRUE)
  plot(NA, xlim = xl, ylim = c(0.5, k + 0.5), log = if (isTRUE(exp)) "x" else "", yaxt = "n",
       ylab = "", xlab = xlab %||% sprintf("%s (%s CI)", if (isTRUE(exp)) "ratio" else
         "coefficient", format(level)), main = main, ...)
  graphics::abline(v = if (isTRUE(exp)) 1 else 0, lty = 2, col = "grey50")
  graphics::segments(lo, y, hi, y, col = col, lwd = 1.5)
  graphics::points(est, y, pch = pch, col = col)
  graphics::axis(2, at = y, labels = tab$term, las = 1, tick = FALSE)
  invisible(data.frame(term = tab$term, estimate = est, lower = lo, upper = hi))
}
