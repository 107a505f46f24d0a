# Capture-recapture (issue 17): registry completeness from 2-4 sources by log-linear
# models on the incomplete 2^k table, in plain R (stats::glm), the definitions that
# crates/hrrstats-core/src/registry/capture_recapture.rs must reproduce.
# Rcapture (the anchor: closedp.t / closedpCI.t) is CRAN only and not installable here;
# its formulas are followed: N = n + exp(intercept), se = sqrt(mu0 + mu0^2 var(b0)),
# and the multinomial profile likelihood of Cormack (1989, 1992) over the missing cell
# (here with exact log-gamma terms instead of Rcapture's Stirling approximation for
# N > 100, and roots solved to ~1e-10 instead of 1e-4).
#
# Data (printed in the literature):
# - diabetes: the 4-source diabetes data of Bruno et al. (1994), Diabetes Care 17:548-556,
#   n = 2069, as printed in Rcapture's closedpCI example (histpos.t(4) order, pattern
#   1111 first, 0001 last) and in IWGDMF (1995) Am J Epidemiol 142:1047-1058;
# - hepatitis: the 3-source hepatitis A outbreak data of Chao et al. (2001), Stat Med
#   20:3123-3157 (sources P, Q, E; n = 271; cells 111: 28, 110: 21, 101: 17, 100: 69,
#   011: 18, 010: 55, 001: 63);
# - hepatitis_PQ: its first two sources (two-source: Lincoln-Petersen and Chapman);
# - diabetes_c1c2c3: the diabetes data collapsed over source 4 (3 sources).
# Model set: main effects plus every subset of pairwise interactions that leaves N
# identifiable (2 sources: independence; 3: 8 models; 4: 64 models).
# Run from the repository root: Rscript tests/reference/generate_capture_recapture.R
source(file.path("tests", "reference", "fixture_io.R"))
write_fixture <- fixture_writer("^capture_recapture_")

patterns <- function(k) {                  # rows: patterns 1..2^k-1, bit j = source j
  p <- 1:(2^k - 1)
  sapply(1:k, function(j) (p %/% 2^(j - 1)) %% 2)
}

histpos4 <- as.matrix(expand.grid(c4 = 1:0, c3 = 1:0, c2 = 1:0, c1 = 1:0)[, 4:1])[-16, ]
diab_counts <- c(58, 157, 18, 104, 46, 650, 12, 709, 14, 20, 7, 74, 8, 182, 10)

as_table <- function(X, counts, names) {   # counts of patterns 1..2^k-1 in our order
  k <- ncol(X)
  code <- as.vector(X %*% 2^(0:(k - 1)))
  y <- numeric(2^k - 1)
  for (i in seq_along(code)) y[code[i]] <- y[code[i]] + counts[i]
  list(names = names, y = y)
}

datasets <- list(
  diabetes = as_table(histpos4, diab_counts, paste0("c", 1:4)),
  hepatitis = {
    X <- rbind(c(1,1,1), c(1,1,0), c(1,0,1), c(1,0,0), c(0,1,1), c(0,1,0), c(0,0,1))
    as_table(X, c(28, 21, 17, 69, 18, 55, 63), c("P", "Q", "E"))
  }
)
datasets$hepatitis_PQ <- {
  P <- patterns(3); y <- datasets$hepatitis$y
  keep <- rowSums(P[, 1:2, drop = FALSE]) > 0
  as_table(P[keep, 1:2], y[keep], c("P", "Q"))
}
datasets$diabetes_c1c2c3 <- {
  P <- patterns(4); y <- datasets$diabetes$y
  keep <- rowSums(P[, 1:3]) > 0
  as_table(P[keep, 1:3], y[keep], c("c1", "c2", "c3"))
}

models_of <- function(k) {
  pairs <- t(combn(k, 2))
  out <- list()
  for (mask in 0:(2^nrow(pairs) - 1)) {
    sel <- pairs[bitwAnd(mask, 2^(seq_len(nrow(pairs)) - 1)) > 0, , drop = FALSE]
    if (1 + k + nrow(sel) < 2^k) out[[length(out) + 1]] <- sel
  }
  out
}

label_of <- function(sel, names) {
  if (nrow(sel) == 0) return("independence")
  o <- order(sel[, 1], sel[, 2]); sel <- sel[o, , drop = FALSE]
  paste(paste0(names[sel[, 1]], ":", names[sel[, 2]]), collapse = " + ")
}

design <- function(P, sel) {
  X <- P
  colnames(X) <- paste0("s", seq_len(ncol(P)))
  for (r in seq_len(nrow(sel))) {
    X <- cbind(X, P[, sel[r, 1]] * P[, sel[r, 2]])
    colnames(X)[ncol(X)] <- paste0("s", sel[r, 1], "_", sel[r, 2])
  }
  X
}

ctl <- glm.control(epsilon = 1e-14, maxit = 200)
fit_glm <- function(y, X) glm(y ~ X, family = poisson, control = ctl)

conf_level <- 0.95
z <- qnorm(0.5 + conf_level / 2)
models_out <- list(); chap_out <- list(); tables_out <- list()
for (dn in names(datasets)) {
  ds <- datasets[[dn]]; k <- length(ds$names); y <- ds$y; n <- sum(y)
  P <- patterns(k)
  tables_out[[dn]] <- data.frame(dataset = dn, pattern = 1:(2^k - 1),
                                 setNames(as.data.frame(P), ds$names)[, ds$names, drop = FALSE],
                                 count = y, check.names = FALSE)[, c("dataset", "pattern", "count")]
  for (sel in models_of(k)) {
    X <- design(P, sel)
    f <- fit_glm(y, X)
    # vcov at the estimate itself (not at the last-but-one iterate): one more step from it
    f <- glm(y ~ X, family = poisson, start = coef(f), control = ctl)
    stopifnot(f$converged)
    b0 <- unname(coef(f)[1]); mu0 <- exp(b0)
    p <- f$rank
    se <- sqrt(mu0 + mu0^2 * vcov(f)[1, 1])
    # profile likelihood over the missing cell (Cormack 1989): complete-table fits
    Pc <- rbind(rep(0, k), P); Xc <- design(Pc, sel)
    ll <- function(N) {
      n0 <- N - n
      dev <- suppressWarnings(fit_glm(c(n0, y), Xc))$deviance  # non-integer n0: dpois warns in the AIC
      xl <- function(x) if (x > 0) x * log(x) else 0
      -dev / 2 + xl(n0) + lgamma(N + 1) - xl(N) - lgamma(n0 + 1)
    }
    hi <- n + 3 * max(mu0, 1) + 10 * se
    while (ll(hi) >= ll((n + hi) / 2)) hi <- n + 2 * (hi - n)
    opt <- optimize(ll, c(n, hi), maximum = TRUE, tol = 1e-12 * (n + mu0))
    target <- opt$objective - qchisq(conf_level, 1) / 2
    lower <- if (ll(n) >= target) n else
      uniroot(function(N) ll(N) - target, c(n, opt$maximum), tol = 1e-11 * (n + mu0))$root
    up <- opt$maximum + max(opt$maximum - n, 1) + 4 * se
    while (ll(up) >= target) up <- n + 2 * (up - n)
    upper <- uniroot(function(N) ll(N) - target, c(opt$maximum, up), tol = 1e-11 * (n + mu0))$root
    models_out[[length(models_out) + 1]] <- data.frame(
      dataset = dn, model = label_of(sel, ds$names), df = f$df.residual, deviance = f$deviance,
      aic = AIC(f), bic = AIC(f) - 2 * p + p * log(n), n_unobserved = mu0, n_hat = n + mu0,
      std_err = se, wald_lower = n + mu0 - z * se, wald_upper = n + mu0 + z * se,
      lower = lower, upper = upper, profile_max = opt$maximum)
  }
  if (k == 2) {
    n1 <- y[1] + y[3]; n2 <- y[2] + y[3]; m <- y[3]
    N <- (n1 + 1) * (n2 + 1) / (m + 1) - 1
    v <- (n1 + 1) * (n2 + 1) * (n1 - m) * (n2 - m) / ((m + 1)^2 * (m + 2))
    chap_out[[dn]] <- data.frame(dataset = dn, n_hat = N, std_err = sqrt(v),
                                 lower = N - z * sqrt(v), upper = N + z * sqrt(v))
  }
}
mods <- do.call(rbind, models_out)
# the selected models (smallest AIC / BIC, first on ties in the order above)
sel <- do.call(rbind, lapply(split(mods, factor(mods$dataset, levels = names(datasets))), function(d)
  data.frame(dataset = d$dataset[1], aic = d$model[which.min(d$aic)], bic = d$model[which.min(d$bic)])))
write_fixture(do.call(rbind, tables_out), "capture_recapture_counts.csv")
write_fixture(mods, "capture_recapture_models.csv")
write_fixture(sel, "capture_recapture_selected.csv")
write_fixture(do.call(rbind, chap_out), "capture_recapture_chapman.csv")
cat("wrote", written, "\n")
