# GEE speed, R side, one run each on the same data: hrrstats::gee vs geepack::geeglm,
# binomial (logit) with an exchangeable working correlation, `n` rows in `k` clusters
# (equal sizes), two row-level covariates and a cluster-level one. Both iterate to the
# same tolerance (largest change of any parameter <= 1e-8); the coefficients and robust
# standard errors must agree at 1e-6.
# Prints CSV lines (task, tool, size, seconds).
#   Rscript benches/gee_side_by_side.R [n=1e6] [k=2e5]
suppressPackageStartupMessages({library(hrrstats); library(geepack)})
a <- as.numeric(commandArgs(trailingOnly = TRUE))
n <- if (length(a) >= 1) a[1] else 1e6
k <- if (length(a) >= 2) a[2] else 2e5
tm <- function(expr) system.time(expr)[["elapsed"]]

set.seed(1)
id <- rep(seq_len(k), each = n / k)
u <- rnorm(k)[id]
d <- data.frame(id = id, x1 = rnorm(n), x2 = rbinom(n, 1, 0.4), x3 = rnorm(k)[id])
d$y <- rbinom(n, 1, plogis(-0.5 + 0.4 * d$x1 - 0.3 * d$x2 + 0.2 * d$x3 + u))
f <- y ~ x1 + x2 + x3
h <- NULL; g <- NULL
cat(sprintf("gee_exchangeable,hrrstats::gee,%g,%.4f\n", n,
            tm(h <- gee(f, data = d, id = id, family = binomial, corstr = "exchangeable",
                        control = list(epsilon = 1e-8, maxit = 100)))))
cat(sprintf("gee_exchangeable,geepack::geeglm,%g,%.4f\n", n,
            tm(g <- geeglm(f, data = d, id = id, family = binomial, corstr = "exchangeable",
                           control = geese.control(epsilon = 1e-8, maxit = 100)))))
stopifnot(max(abs(coef(h) - coef(g)) / abs(coef(g))) < 1e-6,
          max(abs(h$se - sqrt(diag(g$geese$vbeta))) / sqrt(diag(g$geese$vbeta))) < 1e-6)
