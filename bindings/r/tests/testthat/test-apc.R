# Age-period-cohort models (apc_fit) against Epi::apc.fit (fixtures from
# tests/reference/generate_apc.R: lungDK and a simulated table, every parametrisation,
# spline and factor effects, both drift extractions) at the issue's 1e-8, and live
# against Epi::apc.fit where Epi is installed; bad input names the argument as written.

apc_case_fit <- function(cc) {
  inp <- read_fixture("apc_input.csv")
  d <- inp[inp$data == cc$data, c("A", "P", "D", "Y")]
  npar <- if (cc$knots == "1") {
    k <- read_fixture("apc_knots.csv")
    k <- k[k$case == cc$case, ]
    list(A = k$knot[k$effect == "A"], P = k$knot[k$effect == "P"], C = k$knot[k$effect == "C"])
  } else {
    c(A = as.numeric(cc$npar_A), P = as.numeric(cc$npar_P), C = as.numeric(cc$npar_C))
  }
  dr <- if (cc$dr_extr == "number") as.numeric(cc$dr_num) else
    if (cc$dr_extr == "vector") sqrt(d$Y) + d$D else cc$dr_extr
  refc <- if (is.na(cc$ref_c) || cc$ref_c == "NA") NULL else as.numeric(cc$ref_c)
  refp <- if (is.na(cc$ref_p) || cc$ref_p == "NA") NULL else as.numeric(cc$ref_p)
  apc_fit(d, model = cc$model, parm = cc$parm, npar = npar, dr.extr = dr, ref.c = refc,
          ref.p = refp, scale = as.numeric(cc$scale), alpha = as.numeric(cc$alpha))
}

test_that("apc_fit matches Epi::apc.fit (every parm, ns/factor/bs/ls, both drift extractions)", {
  skip_without_fixtures()
  cases <- read_fixture("apc_cases.csv")
  eff <- read_fixture("apc_effects.csv")
  dri <- read_fixture("apc_drift.csv")
  aov <- read_fixture("apc_anova.csv")
  expect_identical(nrow(cases), 48L)
  for (i in seq_len(nrow(cases))) {
    cc <- cases[i, ]
    f <- apc_case_fit(cc)
    for (e in c("age", "period", "cohort")) {
      ref <- eff[eff$case == cc$case & eff$effect == e, ]
      for (col in c("value", "estimate", "lower", "upper")) {
        expect_close(f[[e]][[col]], ref[[col]], paste(cc$case, e, col))
      }
    }
    ref <- dri[dri$case == cc$case, ]
    for (col in c("estimate", "lower", "upper")) expect_close(f$drift[[col]], ref[[col]], paste(cc$case, "drift", col))
    ref <- aov[aov$case == cc$case, ]
    for (col in c("aic", "mod_df", "mod_dev", "test_df", "test_dev", "p", "dev_df")) {
      expect_close(f$anova[[col]], ref[[col]], paste(cc$case, "anova", col))
    }
  }
})

test_that("apc_fit matches Epi::apc.fit live on lungDK (defaults)", {
  skip_if_not_installed("Epi")
  data(lungDK, package = "Epi", envir = environment())
  d <- data.frame(A = lungDK$Ax, P = lungDK$Px, D = lungDK$D, Y = lungDK$Y / 1e5)
  capture.output(ref <- Epi::apc.fit(d, print.AOV = FALSE))
  f <- apc_fit(d)
  expect_close(f$age$estimate, ref$Age[, 2], "age")
  expect_close(f$period$upper, ref$Per[, 4], "period upper")
  expect_close(f$cohort$lower, ref$Coh[, 3], "cohort lower")
  expect_close(f$drift$estimate, ref$Drift[, 1], "drift")
  expect_close(f$anova$mod_dev, ref$Anova[["Mod. dev."]], "deviance")
  expect_identical(f$drift$term, rownames(ref$Drift))
  expect_close(unlist(f$knots), unlist(ref$Knots), "knots")
  expect_output(print(f), "Age-period-cohort model")
  expect_identical(summary(f), f$anova)
  pdf(NULL)
  on.exit(dev.off())
  expect_identical(plot(f), f)
  expect_identical(names(as.data.frame(f)), c("effect", "value", "estimate", "lower", "upper"))
})

test_that("apc_fit refuses bad input, naming the argument as written", {
  skip_without_fixtures()
  inp <- read_fixture("apc_input.csv")
  d <- inp[inp$data == "lungDK", c("A", "P", "D", "Y")]
  bad <- d
  bad$Y[4] <- -1
  expect_error(apc_fit(bad), "`Y`.*row 4")
  bad <- d
  bad$D[6] <- -2
  expect_error(apc_fit(bad), "`D`: negative count.*row 6")
  bad$D[6] <- NA
  expect_error(apc_fit(bad), "`D`: missing value")
  expect_error(apc_fit(d, parm = "PCA"), "`parm`.*\"ACP\"")
  expect_error(apc_fit(d, dr.extr = "Q"), "`dr.extr`.*\"weighted\"")
  expect_error(apc_fit(d, model = "loess"), "`model`")
  expect_error(apc_fit(d, npar = c(3, 4)), "`npar`")
  expect_error(apc_fit(A = d$A, P = d$P, D = d$D), "`Y` is missing")
  expect_error(apc_fit(A = d$A, P = d$P[-1], D = d$D, Y = d$Y), "`P`.*length")
})
