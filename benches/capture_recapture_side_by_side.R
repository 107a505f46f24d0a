# Capture-recapture timing, plain R: every model of the 4-source set (64 log-linear
# models) on the diabetes data of Bruno et al. (1994) by glm(), with the profile-
# likelihood limits over the missing cell (optimize/uniroot), as the generator
# tests/reference/generate_capture_recapture.R (Rcapture is not installable here).
# Prints "capture_recapture,R glm+uniroot,<models>,<seconds>".
y <- numeric(15)
hist <- as.matrix(expand.grid(c4 = 1:0, c3 = 1:0, c2 = 1:0, c1 = 1:0)[, 4:1])[-16, ]
cnt <- c(58, 157, 18, 104, 46, 650, 12, 709, 14, 20, 7, 74, 8, 182, 10)
code <- as.vector(hist %*% 2^(0:3)); y[code] <- cnt
P <- sapply(1:4, function(j) ((1:15) %/% 2^(j - 1)) %% 2)
pairs <- t(combn(4, 2))
des <- function(P, sel) { X <- P; for (r in seq_len(nrow(sel))) X <- cbind(X, P[, sel[r, 1]] * P[, sel[r, 2]]); X }
n <- sum(y)
t0 <- proc.time()[["elapsed"]]
for (mask in 0:63) {
  sel <- pairs[bitwAnd(mask, 2^(0:5)) > 0, , drop = FALSE]
  f <- glm(y ~ des(P, sel), family = poisson)
  mu0 <- exp(coef(f)[[1]]); se <- sqrt(mu0 + mu0^2 * vcov(f)[1, 1])
  Xc <- des(rbind(0, P), sel)
  ll <- function(N) { n0 <- N - n
    d <- suppressWarnings(glm(c(n0, y) ~ Xc, family = poisson))$deviance
    -d / 2 + (if (n0 > 0) n0 * log(n0) else 0) + lgamma(N + 1) - N * log(N) - lgamma(n0 + 1) }
  hi <- n + 3 * mu0 + 10 * se
  o <- optimize(ll, c(n, hi), maximum = TRUE)
  tg <- o$objective - qchisq(0.95, 1) / 2
  lo <- if (ll(n) >= tg) n else uniroot(function(N) ll(N) - tg, c(n, o$maximum))$root
  up <- o$maximum + 10 * se; while (ll(up) >= tg) up <- n + 2 * (up - n)
  upper <- uniroot(function(N) ll(N) - tg, c(o$maximum, up))$root
}
cat(sprintf("capture_recapture,R glm+uniroot,64 models,%.3f\n", proc.time()[["elapsed"]] - t0))
