# Case-cohort analysis against survival::cch (fixtures from
# tests/reference/generate_case_cohort.R, the nwtco example of cch's help page):
# coefficients at 1e-8, variances at 1e-6; cch's checks as errors naming the argument.

nwtco_cch <- function() {
  d <- read_fixture("data_cch_nwtco.csv")
  d$stage <- factor(d$stage, levels = c("I", "II", "III", "IV"))
  d$histol <- factor(d$histol, levels = c("FH", "UH"))
  d
}

cch_fit <- function(method, robust = FALSE, d = nwtco_cch(), entry = FALSE, ...) {
  f <- if (entry) Surv(entry, edrel, rel) ~ stage + histol + age else
    Surv(edrel, rel) ~ stage + histol + age
  if (grepl("Borgan", method)) {
    case_cohort(f, data = d, subcoh = ~subcohort,
                id = ~seqno, stratum = ~instit, cohort.size = c(`1` = 3622, `2` = 406),
                method = method, robust = robust, ...)
  } else {
    case_cohort(f, data = d, subcoh = ~subcohort,
                id = ~seqno, cohort.size = 4028, method = method, robust = robust, ...)
  }
}

test_that("case_cohort matches survival::cch on nwtco", {
  cases <- list(c("Prentice", "Prentice", FALSE), c("SelfPrentice", "SelfPrentice", FALSE),
                c("LinYing", "LinYing", FALSE), c("LinYing_robust", "LinYing", TRUE),
                c("I.Borgan", "I.Borgan", FALSE), c("II.Borgan", "II.Borgan", FALSE),
                c("Prentice_entry", "Prentice", FALSE), c("LinYing_entry", "LinYing", FALSE),
                c("II.Borgan_entry", "II.Borgan", FALSE))
  for (cs in cases) {
    f <- cch_fit(cs[2], as.logical(cs[3]), entry = endsWith(cs[1], "_entry"))
    co <- read_fixture(sprintf("cch_%s_coef.csv", cs[1]))
    va <- read_fixture(sprintf("cch_%s_var.csv", cs[1]))
    fx <- read_fixture(sprintf("cch_%s_fit.csv", cs[1]))
    expect_equal(names(coef(f)), co$term)
    expect_equal(unname(coef(f)), co$coef, tolerance = 1e-8)
    expect_equal(unname(sqrt(diag(vcov(f)))), co$se, tolerance = 1e-6)
    expect_equal(as.vector(t(f$var)), va$var, tolerance = 1e-6)
    expect_equal(as.vector(t(f$naive.var)), va$naive_var, tolerance = 1e-6)
    if (is.na(fx$loglik0)) expect_null(f$loglik) else
      expect_equal(f$loglik, c(fx$loglik0, fx$loglik1), tolerance = 1e-8)
    expect_equal(sum(f$cohort.size), fx$cohort)
    expect_equal(unname(summary(f)$table$se), co$se, tolerance = 1e-6)
    ci <- confint(f)
    expect_equal(unname(ci[, 1]), co$coef - qnorm(0.975) * co$se, tolerance = 1e-6)
    expect_output(print(f), cs[2], fixed = TRUE)
  }
})

test_that("case_cohort matches cch live, with cch's call", {
  d <- nwtco_cch()
  for (m in c("Prentice", "SelfPren", "LinYing")) {
    ours <- case_cohort(Surv(edrel, rel) ~ stage + histol + age, data = d, subcoh = ~subcohort,
                        id = ~seqno, cohort.size = 4028, method = m)
    theirs <- survival::cch(Surv(edrel, rel) ~ stage + histol + age, data = d, subcoh = ~subcohort,
                            id = ~seqno, cohort.size = 4028, method = m)
    expect_equal(coef(ours), coef(theirs), tolerance = 1e-8)
    expect_equal(unname(vcov(ours)), unname(vcov(theirs)), tolerance = 1e-6)
  }
  st <- table(survival::nwtco$instit)
  ours <- case_cohort(Surv(edrel, rel) ~ stage + histol + age, data = d, subcoh = ~subcohort,
                      id = ~seqno, stratum = ~instit, cohort.size = st, method = "II.Borgan")
  theirs <- survival::cch(Surv(edrel, rel) ~ stage + histol + age, data = d, subcoh = ~subcohort,
                          id = ~seqno, stratum = ~instit, cohort.size = st, method = "II.Borgan")
  expect_equal(coef(ours), coef(theirs), tolerance = 1e-8)
  expect_equal(unname(vcov(ours)), unname(vcov(theirs)), tolerance = 1e-6)
})

test_that("case_cohort's bad input names the argument", {
  d <- nwtco_cch()
  b <- d; b$subcohort[4] <- 2
  expect_error(cch_fit("Prentice", d = b), "`subcoh`.*0/1.*row 4")
  expect_error(case_cohort(Surv(edrel, rel) ~ age, data = d, subcoh = ~subcohort, id = ~seqno,
                           cohort.size = 1000), "`cohort.size`.*1154")
  b <- d; r <- which(d$rel == 0)[1]; b$subcohort[r] <- 0
  expect_error(cch_fit("LinYing", d = b), sprintf("`subcoh`.*censored.*row %d", r))
  b <- d; b$seqno[11] <- b$seqno[5]
  expect_error(cch_fit("Prentice", d = b), "`id`.*row 11")
  expect_error(case_cohort(Surv(edrel, rel) ~ age, data = d, subcoh = ~subcohort, id = ~seqno,
                           stratum = ~instit, cohort.size = 4028, method = "I.Borgan"),
               "`cohort.size`.*2 strata")
  expect_error(case_cohort(Surv(edrel, rel) ~ age, data = d, subcoh = ~subcohort, id = ~seqno,
                           cohort.size = c(3622, 406), method = "II.Borgan"), "`stratum`.*required")
  expect_error(cch_fit("linying"), "`method`.*accepted.*LinYing")
})

test_that("case_cohort warns as cch", {
  expect_warning(cch_fit("Prentice", robust = TRUE), "robust.*ignored.*Prentice")
  d <- nwtco_cch()
  expect_warning(case_cohort(Surv(edrel, rel) ~ age, data = d, subcoh = ~subcohort, id = ~seqno,
                             stratum = ~instit, cohort.size = c(a = 3622, b = 406), method = "I.Borgan"),
                 "do not agree")
})
