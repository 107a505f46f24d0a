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

# ---- number-at-risk tables under the time axis (Kaplan-Meier, net survival, cumulative
# incidence) ---------------------------------------------------------------------------------

check_xscale <- function(xscale) {
  if (!is.numeric(xscale) || length(xscale) != 1L || !is.finite(xscale) || xscale <= 0) {
    stop("argument `xscale` must be one positive number", call. = FALSE)
  }
  xscale
}

# Room under the axis for a risk table of `k` rows (and at the left for its labels);
# returns the old par() for on.exit().
risk_table_margin <- function(k) graphics::par(mar = graphics::par("mar") + c(k + 2, 3, 0, 0))

# The times of the table (in plotted units): `risk_times`, or the axis ticks.
risk_table_times <- function(risk_times) {
  times <- risk_times %||% graphics::axTicks(1)
  if (!is.numeric(times) || !length(times) || !all(is.finite(times))) {
    stop("argument `risk_times` must be finite numbers", call. = FALSE)
  }
  as.double(times)
}

# Numbers at risk at `times` (the persons under follow-up just before each time, entry < t
# <= exit: the Kaplan-Meier risk set, as summary(survfit, times)$n.risk), one block per
# level of `groups`, counted by the core's Kaplan-Meier fit of the same follow-up
# (unweighted counts, as survminer's tables). `times` in the data's unit.
risk_counts <- function(time, status, entry, groups, levels, times) {
  out <- hrr_call("kaplan_meier", list(time = time, status = status, entry = entry,
                                       strata = groups, conf_type = "none"))
  a <- hrr_fit_call(out$fit, "survival_at", list(times = as.double(times)))
  data.frame(strata = factor(levels[a$strata], levels = levels), time = a$time,
             n_risk = a$n_risk)
}

# Draw the table `tab` (strata, time in plotted units, n_risk) under the axis, one row
# per level in its colour, labelled when there are several.
draw_risk_table <- function(tab, labels, col) {
  k <- length(labels)
  left <- graphics::par("usr")[1L]
  graphics::mtext("Number at risk", side = 1, line = 4, at = left, adj = 0, cex = 0.8)
  for (i in seq_len(k)) {
    r <- as.integer(tab$strata) == i
    graphics::mtext(format(tab$n_risk[r]), side = 1, line = 4 + i, at = tab$time[r],
                    cex = 0.8, col = col[i])
    if (k > 1L) {
      graphics::mtext(paste0(labels[i], "  "), side = 1, line = 4 + i, at = left, adj = 1,
                      cex = 0.8, col = col[i])
    }
  }
  invisible(tab)
}
