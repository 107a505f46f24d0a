# Competing risks against cmprsk::cuminc / timepoints / crr / predict.crr and
# survival::survfit with multi-state data (fixtures written by
# tests/reference/generate_cmprsk.R): cumulative incidence, its variance and Gray's test
# at 1e-10; Aalen-Johansen estimates (with delayed entry and weights) at 1e-10;
# Fine-Gray coefficients at 1e-10 of the exact root of the score, standard errors,
# variances, baseline hazard and predictions at 1e-8.

TOL <- 1e-10

cr_manifest <- function(name) {
  if (is.null(fixture_dir()) || !file.exists(file.path(fixture_dir(), name))) {
    return(data.frame(case = "(fixtures not found)"))
  }
  read_fixture(name)
}

skip_without_cr_fixtures <- function() {
  skip_without_fixtures()
  if (!file.exists(file.path(fixture_dir(), "cr_cuminc_cases.csv"))) {
    testthat::skip("competing-risks fixtures not found (run tests/reference/generate_cmprsk.R)")
  }
}

# Our group label of a fixture's group value ("all" without a group), as
# cumulative_incidence() labels groups: "name=value".
group_label <- function(var, value) {
  if (nzchar(var)) paste0(var, "=", value) else rep("all", length(value))
}

# A key to match rows of two tables on group, cause and time.
row_key <- function(group, cause, time) {
  paste(as.character(group), as.character(cause), sprintf("%.17g", time), sep = "|")
}

# ---- cmprsk::cuminc, timepoints and Gray's test -----------------------------------------

cuminc_cases <- cr_manifest("cr_cuminc_cases.csv")
for (i in seq_len(nrow(cuminc_cases))) local({
  cs <- cuminc_cases[i, , drop = FALSE]

  test_that(paste("cumulative incidence, variance and Gray's test match cuminc:", cs$case), {
    skip_without_cr_fixtures()
    d <- read_fixture(paste0("data_", cs$data, ".csv"))
    rhs <- c(if (nzchar(cs$group)) cs$group, if (nzchar(cs$strata)) sprintf("strata(%s)", cs$strata))
    f <- stats::as.formula(sprintf("Surv(%s, %s) ~ %s", cs$time, cs$cause,
                                   if (length(rhs)) paste(rhs, collapse = " + ") else "1"))
    ci <- cumulative_incidence(f, data = d, censor_code = as.numeric(cs$cencode))
    expect_s3_class(ci, "hrr_cuminc")
    ref <- read_fixture(paste0("cr_cuminc_", cs$case, ".csv"))
    at <- summary(ci, times = sort(unique(ref$time)))$table
    m <- match(row_key(group_label(cs$group, ref$group), ref$cause, ref$time),
               row_key(at$group, at$cause, at$time))
    expect_false(anyNA(m))
    close <- function(a, b, what) expect_close(a, b, paste(cs$case, what), tol = TOL)
    close(at$estimate[m], ref$estimate, "estimate")
    close(at$variance[m], ref$variance, "variance")
    # every row of ours is in the reference (timepoints at every time, group and cause)
    expect_identical(nrow(at), nrow(ref))
    if (!nzchar(cs$group)) {
      expect_null(ci$gray_test)
    } else {
      g <- read_fixture(paste0("cr_gray_", cs$case, ".csv"))
      expect_identical(ci$gray_test$cause, as.character(g$cause))
      close(ci$gray_test$statistic, g$statistic, "Gray statistic")
      close(ci$gray_test$df, g$df, "Gray df")
      close(ci$gray_test$p_value, g$p_upper, "Gray p")
    }
  })
})

# ---- survival::survfit, multi-state (Aalen-Johansen) ---------------------------------------

survfit_cases <- cr_manifest("cr_survfit_cases.csv")
for (i in seq_len(nrow(survfit_cases))) local({
  cs <- survfit_cases[i, , drop = FALSE]

  test_that(paste("Aalen-Johansen estimates match multi-state survfit:", cs$case), {
    skip_without_cr_fixtures()
    d <- read_fixture(paste0("data_", cs$data, ".csv"))
    lhs <- if (nzchar(cs$entry)) sprintf("Surv(%s, %s, %s)", cs$entry, cs$time, cs$event) else
      sprintf("Surv(%s, %s)", cs$time, cs$event)
    f <- stats::as.formula(paste(lhs, "~", if (nzchar(cs$group)) cs$group else "1"))
    # (not `w`: a bare name is looked up in `data` first, and cr_sim has a column w)
    case_weights <- if (nzchar(cs$weights)) d[[cs$weights]] else NULL
    ci <- cumulative_incidence(f, data = d, weights = case_weights, conf_type = cs$conf_type,
                               conf_level = as.numeric(cs$conf_int), variance = "survfit")
    tab <- as.data.frame(ci)
    ref <- read_fixture(paste0("cr_survfit_", cs$case, ".csv"))
    ref <- ref[ref$state != 0, ]
    ref_key <- row_key(group_label(cs$group, ref$strata), ref$state, ref$time)
    our_key <- row_key(tab$group, tab$cause, tab$time)
    # the same rows both ways: every distinct time of every group, every cause
    expect_setequal(our_key, ref_key)
    expect_identical(anyDuplicated(our_key), 0L)
    m <- match(ref_key, our_key)
    expect_false(anyNA(m))
    expect_close(tab$estimate[m], ref$estimate, paste(cs$case, "estimate"), tol = TOL)
    # survfit's infinitesimal-jackknife standard errors and limits
    expect_close(sqrt(tab$variance[m]), ref$std_err, paste(cs$case, "std_err"), tol = TOL)
    expect_close(tab$lower[m], ref$lower, paste(cs$case, "lower"), tol = TOL)
    expect_close(tab$upper[m], ref$upper, paste(cs$case, "upper"), tol = TOL)
    # survfit counts events unweighted; ours are weighted sums
    if (!nzchar(cs$weights)) {
      expect_close(tab$n_event[m], ref$n_event, paste(cs$case, "n_event"), tol = TOL)
    }
    if (nzchar(cs$entry) || nzchar(cs$weights)) expect_null(ci$gray_test)
  })
})

# ---- cmprsk::crr and predict.crr -------------------------------------------------------------

crr_cases <- cr_manifest("cr_crr_cases.csv")
for (i in seq_len(nrow(crr_cases))) local({
  cs <- crr_cases[i, , drop = FALSE]

  test_that(paste("Fine-Gray fit matches crr:", cs$case), {
    skip_without_cr_fixtures()
    d <- read_fixture(paste0("data_", cs$data, ".csv"))
    covs <- strsplit(cs$covariates, " ")[[1L]]
    f <- stats::as.formula(sprintf("Surv(%s, %s) ~ %s", cs$time, cs$cause,
                                   paste(covs, collapse = " + ")))
    fg <- fine_gray(f, data = d, cause = as.numeric(cs$failcode),
                    censor_code = as.numeric(cs$cencode))
    expect_s3_class(fg, "hrr_finegray")
    expect_true(fg$converged)
    pre <- paste0("cr_crr_", cs$case)
    gap <- read_fixture("cr_crr_default_gap.csv")
    gap <- gap[gap$case == cs$case, ]
    expect_identical(names(coef(fg)), covs)
    expect_close(coef(fg), gap$coef_newton[match(covs, gap$term)], paste(cs$case, "coef"),
                 tol = TOL)
    ref <- read_fixture(paste0(pre, ".csv"))
    expect_close(fg$se, ref$se, paste(cs$case, "se"))
    tab <- as.data.frame(fg)
    expect_close(tab$z, ref$z, paste(cs$case, "z"), tol = 1e-7)
    expect_close(vcov(fg), wide(read_fixture(paste0(pre, "_vcov.csv"))), paste(cs$case, "vcov"))
    expect_close(fg$naive_var, wide(read_fixture(paste0(pre, "_invinf.csv"))),
                 paste(cs$case, "invinf"))
    st <- read_fixture(paste0(pre, "_fit.csv"))
    expect_close(fg$loglik, st$loglik, paste(cs$case, "loglik"), tol = TOL)
    expect_close(logLik(fg), st$loglik, paste(cs$case, "logLik"), tol = TOL)
    expect_close(fg$loglik_null, st$loglik_null, paste(cs$case, "loglik_null"), tol = TOL)
    expect_identical(fg$n, as.integer(st$n))

    bl <- read_fixture(paste0(pre, "_baseline.csv"))
    bh <- baseline_hazard(fg)
    expect_close(bh$time, bl$uftime, paste(cs$case, "uftime"), tol = TOL)
    expect_close(bh$cumulative_hazard, cumsum(bl$bfitj), paste(cs$case, "cumulative hazard"))

    nd <- read_fixture(paste0(pre, "_newdata.csv"))
    pr <- predict(fg, nd)
    expect_identical(colnames(pr), c("time", rownames(nd)))
    pf <- read_fixture(paste0(pre, "_predict.csv"))
    ours <- pr[, -1L, drop = FALSE]
    expect_close(ours[cbind(match(pf$time, pr[, "time"]), pf$row)], pf$cif,
                 paste(cs$case, "predict"))
    expect_identical(nrow(pf), length(ours))
  })
})

test_that("a factor event gives the same fits as its numeric codes", {
  skip_without_cr_fixtures()
  d <- read_fixture("data_cr_mgus2.csv")
  d$status <- factor(d$event, 0:2, c("censored", "pcm", "death"))
  a <- cumulative_incidence(Surv(etime, event) ~ sex, data = d)
  b <- cumulative_incidence(Surv(etime, status) ~ sex, data = d)
  expect_identical(b$causes, c("pcm", "death"))
  expect_identical(a$table$estimate, b$table$estimate)
  expect_identical(a$gray_test$statistic, b$gray_test$statistic)
  expect_identical(b$gray_test$cause, c("pcm", "death"))
  # Surv(..., type = "mstate") is accepted as it is
  c2 <- cumulative_incidence(Surv(etime, status, type = "mstate") ~ sex, data = d)
  expect_identical(c2$table$variance, b$table$variance)
  f1 <- fine_gray(Surv(etime, event) ~ age + sex, data = d, cause = 2)
  f2 <- fine_gray(Surv(etime, status) ~ age + sex, data = d, cause = "death")
  f3 <- fine_gray(Surv(etime, status) ~ age + sex, data = d, cause = 2)
  expect_identical(coef(f1), coef(f2))
  expect_identical(coef(f2), coef(f3))
  expect_identical(f2$cause, "death")
})

# ---- cause-specific Cox models ------------------------------------------------------------

test_that("cause_specific_cox() is cox_ph() with the recoded event, cause by cause", {
  skip_without_cr_fixtures()
  d <- read_fixture("data_cr_mgus2.csv")
  fits <- cause_specific_cox(Surv(etime, event) ~ age + sex, data = d)
  expect_type(fits, "list")
  expect_identical(names(fits), c("1", "2"))
  for (k in names(fits)) {
    d$ev_k <- as.numeric(d$event == as.numeric(k))
    one <- cox_ph(Surv(etime, ev_k) ~ age + sex, data = d)
    expect_s3_class(fits[[k]], "hrr_coxph")
    expect_identical(coef(fits[[k]]), coef(one))
    expect_identical(vcov(fits[[k]]), vcov(one))
    expect_identical(fits[[k]]$loglik, one$loglik)
    expect_identical(fits[[k]]$nevent, sum(d$event == as.numeric(k)))
  }
  expect_match(paste(deparse(fits[["2"]]$call), collapse = ""), "Surv\\(etime, event == 2\\)")
  # options go to cox_ph(); a factor event (first level censoring); another censor code
  w <- rep(2, nrow(d))
  fb <- cause_specific_cox(Surv(etime, event) ~ age + sex, d, ties = "breslow", weights = w)
  d$ev_k <- as.numeric(d$event == 2)
  expect_identical(coef(fb[["2"]]),
                   coef(cox_ph(Surv(etime, ev_k) ~ age + sex, d, ties = "breslow", weights = w)))
  d$f <- factor(c("censored", "pcm", "death")[d$event + 1],
                levels = c("censored", "pcm", "death"))
  ff <- cause_specific_cox(Surv(etime, f) ~ age + sex, d)
  expect_identical(names(ff), c("pcm", "death"))
  expect_identical(coef(ff$death), coef(fits[["2"]]))
  d$e9 <- ifelse(d$event == 0, 9, d$event - 1)
  f9 <- cause_specific_cox(Surv(etime, e9) ~ age + sex, d, censor_code = 9)
  expect_identical(names(f9), c("0", "1"))
  expect_identical(coef(f9[["1"]]), coef(fits[["2"]]))
  expect_error(cause_specific_cox(Surv(etime, f) ~ age, d, censor_code = 0), "factor event")
  expect_error(cause_specific_cox(Surv(etime, event) ~ age, d[d$event == 0, ]), "no events")
})

test_that("frequency weights give the expanded data's Gray's test (cmprsk::cuminc)", {
  set.seed(3)
  n <- 600
  d <- data.frame(time = sample(1:9, n, TRUE), cause = sample(0:2, n, TRUE, c(0.3, 0.4, 0.3)),
                  g = sample(c("a", "b", "c"), n, TRUE), s = sample(1:2, n, TRUE))
  counts <- aggregate(list(n = rep(1, n)), d[c("time", "cause", "g", "s")], sum)
  expect_lt(nrow(counts), n / 2)
  agg <- cumulative_incidence(Surv(time, cause) ~ g + strata(s), data = counts, weights = n,
                              frequency_weights = TRUE)
  full <- cumulative_incidence(Surv(time, cause) ~ g + strata(s), data = d)
  expect_equal(agg$gray_test$statistic, full$gray_test$statistic, tolerance = 1e-12)
  ref <- cmprsk::cuminc(d$time, d$cause, d$g, d$s)$Tests
  expect_equal(agg$gray_test$statistic, unname(ref[, "stat"]), tolerance = 1e-10)
  expect_null(cumulative_incidence(Surv(time, cause) ~ g, data = counts, weights = n)$gray_test)
  counts$n <- counts$n / 2
  expect_error(cumulative_incidence(Surv(time, cause) ~ g, data = counts, weights = n,
                                    frequency_weights = TRUE),
               "argument `weights`: frequency weights must be whole numbers")
})

test_that("frequency weights give the expanded data's infinitesimal-jackknife variance (survfit)", {
  # a row counting n identical rows adds n (not n^2) times its influence: the variance of
  # the expanded data, as survival::survfit on the rows (the engine of hrrstats.dask)
  set.seed(5)
  n <- 500
  d <- data.frame(time = sample(1:12, n, TRUE), cause = sample(0:2, n, TRUE, c(0.3, 0.4, 0.3)),
                  g = sample(c("a", "b"), n, TRUE))
  d$entry <- pmin(sample(0:3, n, TRUE), d$time - 1)
  counts <- aggregate(list(n = rep(1, n)), d[c("entry", "time", "cause", "g")], sum)
  expect_lt(nrow(counts), n / 2)
  agg <- cumulative_incidence(Surv(entry, time, cause) ~ g, data = counts, weights = n,
                              frequency_weights = TRUE, variance = "survfit")
  full <- cumulative_incidence(Surv(entry, time, cause) ~ g, data = d, variance = "survfit")
  expect_equal(agg$table$variance, full$table$variance, tolerance = 1e-10)
  expect_equal(agg$table$estimate, full$table$estimate, tolerance = 1e-12)
  d$id <- seq_len(n)
  fit <- survival::survfit(survival::Surv(entry, time, factor(cause, 0:2)) ~ g, data = d, id = id)
  expect_equal(sqrt(max(agg$table$variance)), max(fit$std.err[, -1]), tolerance = 1e-8)
  # case weights are not copies: the variance is larger
  case <- cumulative_incidence(Surv(entry, time, cause) ~ g, data = counts, weights = n,
                               variance = "survfit")
  expect_gt(max(case$table$variance), 1.5 * max(full$table$variance))
})

test_that("a factor event's levels are coded and looked up in the core", {
  d <- data.frame(time = c(5, 8, 12, 3, 9, 15, 7, 11, 4, 6),
                  num = c(1, 0, 2, 1, 1, 0, 2, 0, 1, 2),
                  x = c(0.5, 1.2, -0.3, 0.8, 0, 1.5, -1, 0.2, 0.7, -0.4))
  d$ev <- factor(d$num, 0:2, c("cens", "relapse", "death"))
  by_label <- fine_gray(Surv(time, ev) ~ x, data = d, cause = "death")
  by_code <- fine_gray(Surv(time, num) ~ x, data = d, cause = 2)
  expect_identical(coef(by_label), coef(by_code))
  expect_identical(c(by_label$cause, by_code$cause), c("death", "2"))
  expect_identical(c(by_label$cause_code, by_label$censor_code), c(2, 0))
  expect_identical(fine_gray(Surv(time, ev) ~ x, data = d, cause = 2)$cause, "death")
  expect_error(fine_gray(Surv(time, ev) ~ x, data = d, cause = "other"),
               "argument `cause`: no level \"other\" in the event (levels: \"cens\", \"relapse\", \"death\")",
               fixed = TRUE)
  expect_error(fine_gray(Surv(time, ev) ~ x, data = d, cause = c(1, 2)),
               "argument `cause`: must be a single cause code or level", fixed = TRUE)
  ci <- cumulative_incidence(Surv(time, ev) ~ 1, data = d)
  expect_identical(ci$causes, c("relapse", "death"))
  expect_identical(levels(ci$table$cause), c("relapse", "death"))
  expect_identical(names(cause_specific_cox(Surv(time, ev) ~ x, data = d)), c("relapse", "death"))
  d$ev[] <- "cens"
  expect_error(cause_specific_cox(Surv(time, ev) ~ x, data = d),
               "argument `cause`: no events (every row is censored)", fixed = TRUE)
})
