# The formula layer against the anchors (issue 21, "Formulas (R)"): `.` never takes the
# response's columns, predictions on new data use the fitted bases, unsupported specials
# are errors naming the term, duplicated `breaks` are an error, errors about `control`
# and `init` name what the user wrote, and unused factor levels are dropped (as glm).

lung0 <- function() {
  d <- survival::lung
  d$status <- d$status - 1
  d
}

# lung without missing values in the columns used here
lung_cc <- function(cols = c("time", "status", "age", "sex", "ph.ecog", "wt.loss")) {
  d <- lung0()[, cols]
  d[stats::complete.cases(d), ]
}

expect_coef <- function(fit, ref, tol = 1e-8) {
  cf <- stats::coef(ref)
  expect_identical(names(stats::coef(fit)), names(cf))
  expect_equal(unname(stats::coef(fit)), unname(cf), tolerance = tol)
}

# ---- `.` ---------------------------------------------------------------------------------

test_that("`.` in cox_ph excludes the response's variables, as coxph", {
  d <- lung_cc()
  fit <- cox_ph(Surv(time, status) ~ ., data = d)
  ref <- survival::coxph(Surv(time, status) ~ ., data = d)
  expect_identical(names(coef(fit)), c("age", "sex", "ph.ecog", "wt.loss"))
  expect_coef(fit, ref)
  # a status expression: its variable is still the response's
  fit2 <- cox_ph(Surv(time, status == 1) ~ ., data = d)
  expect_coef(fit2, ref)
  # with strata(), cluster() and weights (weights are a covariate under `.`, as coxph)
  d$w <- 1 + (seq_len(nrow(d)) %% 3)
  d$inst <- rep(1:20, length.out = nrow(d))
  fit3 <- cox_ph(Surv(time, status) ~ . + strata(sex) + cluster(inst), data = d, weights = w)
  ref3 <- survival::coxph(Surv(time, status) ~ . + strata(sex) + cluster(inst), data = d,
                          weights = w)
  expect_coef(fit3, ref3)   # sex is aliased (it is also the stratum): NA in both
  ok <- !is.na(coef(ref3))
  expect_equal(unname(fit3$se[ok]), unname(sqrt(diag(ref3$var))[ok]), tolerance = 1e-8)
})

test_that("`.` with counting-process data excludes start, stop and status", {
  d <- survival::heart[, c("start", "stop", "event", "age", "surgery", "transplant")]
  fit <- cox_ph(Surv(start, stop, event) ~ ., data = d)
  ref <- survival::coxph(Surv(start, stop, event) ~ ., data = d)
  expect_identical(names(coef(fit)), c("age", "surgery", "transplant1"))
  expect_coef(fit, ref)
})

test_that("`.` in fine_gray and cause_specific_cox excludes time and the event", {
  d <- lung_cc(c("time", "status", "age", "sex"))
  d$ev <- ifelse(d$status == 0, 0, ifelse(d$age > 65, 2, 1))
  d$status <- NULL
  fg <- fine_gray(Surv(time, ev) ~ ., data = d)
  fg_ref <- fine_gray(Surv(time, ev) ~ age + sex, data = d)
  expect_identical(names(coef(fg)), c("age", "sex"))
  expect_equal(coef(fg), coef(fg_ref), tolerance = 1e-12)
  cs <- cause_specific_cox(Surv(time, ev) ~ ., data = d)
  ref <- survival::coxph(Surv(time, ev == 1) ~ age + sex, data = d)
  expect_coef(cs[["1"]], ref)
})

test_that("`.` in kaplan_meier, logrank_test and glm_fit is what survfit, survdiff and glm make of it", {
  d <- lung0()[, c("time", "status", "sex")]
  km <- kaplan_meier(Surv(time, status) ~ ., data = d)
  ref <- survival::survfit(Surv(time, status) ~ sex, data = d)
  expect_identical(km$strata_levels, names(ref$strata))
  expect_equal(km$survival, ref$surv, tolerance = 1e-10)
  lr <- logrank_test(Surv(time, status) ~ ., data = d)
  lr_ref <- survival::survdiff(Surv(time, status) ~ ., data = d)
  expect_equal(lr$statistic, lr_ref$chisq, tolerance = 1e-8)
  g <- lung_cc(c("status", "age", "sex", "wt.loss"))
  expect_coef(glm_fit(status ~ ., data = g, family = "binomial"),
              stats::glm(status ~ ., data = g, family = binomial))
})

# ---- predictions use the fitted bases ------------------------------------------------------

test_that("predict.hrr_coxph on new data uses the fitted poly(), ns() and scale() bases", {
  d <- lung_cc()
  f <- Surv(time, status) ~ poly(age, 2) + splines::ns(wt.loss, df = 3) + scale(ph.ecog) + sex
  fit <- cox_ph(f, data = d)
  ref <- survival::coxph(f, data = d)
  expect_coef(fit, ref)
  nd <- d[c(3, 10, 50, 100, 7), ]
  p <- predict(fit, newdata = nd)
  expect_equal(unname(p), unname(fit$linear.predictors[c(3, 10, 50, 100, 7)]), tolerance = 1e-8)
  expect_equal(unname(p), unname(predict(ref, newdata = nd, type = "lp")), tolerance = 1e-8)
  expect_equal(unname(predict(fit, newdata = nd, type = "risk")),
               unname(predict(ref, newdata = nd, type = "risk")), tolerance = 1e-8)
})

test_that("predict.hrr_finegray on new data uses the fitted bases", {
  d <- lung_cc(c("time", "status", "age", "wt.loss"))
  d$ev <- ifelse(d$status == 0, 0, ifelse(d$wt.loss > 10, 2, 1))
  fit <- fine_gray(Surv(time, ev) ~ poly(age, 2) + scale(wt.loss), data = d)
  # the same model on the fitted basis columns
  d$p1 <- stats::poly(d$age, 2)[, 1]
  d$p2 <- stats::poly(d$age, 2)[, 2]
  d$sw <- as.vector(scale(d$wt.loss))
  fit2 <- fine_gray(Surv(time, ev) ~ p1 + p2 + sw, data = d)
  expect_equal(unname(coef(fit)), unname(coef(fit2)), tolerance = 1e-10)
  nd <- d[c(5, 40, 80), ]
  p <- predict(fit, newdata = nd)
  p2 <- predict(fit2, newdata = nd)
  expect_equal(unname(p), unname(p2), tolerance = 1e-10)
})

test_that("predict.hrr_glm on new data keeps using the fitted bases", {
  d <- lung_cc(c("status", "age", "wt.loss"))
  fit <- glm_fit(status ~ poly(age, 2) + scale(wt.loss), data = d, family = "binomial")
  ref <- stats::glm(status ~ poly(age, 2) + scale(wt.loss), data = d, family = binomial)
  nd <- d[c(2, 20, 60), ]
  expect_equal(unname(predict(fit, newdata = nd)), unname(predict(ref, newdata = nd)),
               tolerance = 1e-8)
})

# ---- unsupported specials ----------------------------------------------------------------

test_that("frailty(), penalised terms and tt() in cox_ph are errors naming the term", {
  d <- lung0()
  expect_error(cox_ph(Surv(time, status) ~ age + frailty(inst), data = d, na_action = "drop"),
               "argument `formula`: frailty(inst): frailty()/penalised terms", fixed = TRUE)
  expect_error(cox_ph(Surv(time, status) ~ age + survival::frailty.gaussian(inst), data = d,
                      na_action = "drop"), "frailty.gaussian(inst)", fixed = TRUE)
  expect_error(cox_ph(Surv(time, status) ~ ridge(age, sex), data = d),
               "ridge(age, sex): frailty()/penalised terms", fixed = TRUE)
  expect_error(cox_ph(Surv(time, status) ~ pspline(age), data = d),
               "pspline(age)", fixed = TRUE)
  expect_error(cox_ph(Surv(time, status) ~ age + tt(age), data = d),
               "argument `formula`: tt(age): time-transformed covariates", fixed = TRUE)
  # a penalised term under another name is found by its class
  fr <- survival::frailty
  expect_error(cox_ph(Surv(time, status) ~ age + fr(inst), data = d, na_action = "drop"),
               "fr(inst): frailty()/penalised terms", fixed = TRUE)
})

test_that("cluster() and tt() in kaplan_meier, logrank_test and cumulative_incidence are errors", {
  d <- lung0()
  expect_error(kaplan_meier(Surv(time, status) ~ sex + cluster(inst), data = d),
               "argument `formula`: cluster(inst): cluster() is not supported by kaplan_meier()",
               fixed = TRUE)
  expect_error(logrank_test(Surv(time, status) ~ sex + cluster(inst), data = d),
               "argument `formula`: cluster(inst): cluster() is not supported by logrank_test()",
               fixed = TRUE)
  expect_error(logrank_test(Surv(time, status) ~ sex + survival::cluster(inst), data = d),
               "cluster(inst)", fixed = TRUE)
  expect_error(kaplan_meier(Surv(time, status) ~ tt(age), data = d), "tt(age)", fixed = TRUE)
  expect_error(kaplan_meier(Surv(time, status) ~ sex + offset(age), data = d),
               "offset(age): offset() terms are not supported", fixed = TRUE)
  expect_error(cumulative_incidence(Surv(time, status) ~ sex + cluster(inst), data = d),
               "cluster(inst): cluster() is not supported by cumulative_incidence()", fixed = TRUE)
  expect_error(fine_gray(Surv(time, status) ~ age + frailty(inst), data = d),
               "frailty(inst)", fixed = TRUE)
  # strata() in logrank_test stratifies, as survdiff
  dd <- d[!is.na(d$ph.ecog), ]
  lr <- logrank_test(Surv(time, status) ~ sex + strata(ph.ecog), data = dd)
  ref <- survival::survdiff(Surv(time, status) ~ sex + strata(ph.ecog), data = dd)
  expect_equal(lr$statistic, ref$chisq, tolerance = 1e-8)
})

# ---- duplicated breaks -------------------------------------------------------------------

test_that("duplicated names in `breaks` are an error naming breaks and the scale", {
  d <- data.frame(entry = c(50, 60, 70), exit = c(55, 68, 80), status = c(0, 1, 0))
  expect_error(lexis_split(d, entry = "entry", exit = "exit", status = "status",
                           time_scales = list(age = NULL),
                           breaks = list(age = c(40, 60, 90), age = c(40, 55, 90))),
               "argument `breaks`: the time scale `age` is given twice", fixed = TRUE)
  expect_error(person_time_table(d, entry = "entry", exit = "exit", status = "status",
                                 time_scales = list(age = NULL),
                                 breaks = list(age = c(40, 60, 90), age = c(40, 60, 90))),
               "argument `breaks`: the time scale `age` is given twice", fixed = TRUE)
})

# ---- control and init named as written -----------------------------------------------------

test_that("errors about control and init name what the user wrote", {
  d <- lung0()
  f <- Surv(time, status) ~ age
  expect_error(cox_ph(f, data = d, control = list(iter.max = -1)),
               "argument `control$iter.max`: must be a whole number >= 0", fixed = TRUE)
  expect_error(cox_ph(f, data = d, control = list(iter.max = 2.5)),
               "argument `control$iter.max`", fixed = TRUE)
  expect_error(cox_ph(f, data = d, control = list(eps = -1)),
               "argument `control$eps`: must be positive", fixed = TRUE)
  expect_error(cox_ph(f, data = d, control = list(eps = "a")),
               "argument `control$eps`", fixed = TRUE)
  expect_error(cox_ph(f, data = d, init = c(1, 2)), "argument `init`: has 2 values for 1 coefficients", fixed = TRUE)
  expect_error(cox_ph(f, data = d, control = list(maxit = 3)),
               "argument `control`: unknown setting \"maxit\"", fixed = TRUE)
  g <- lung_cc(c("status", "age"))
  expect_error(glm_fit(status ~ age, data = g, control = list(maxit = 0)),
               "argument `control$maxit`: must be a whole number >= 1", fixed = TRUE)
  expect_error(glm_fit(status ~ age, data = g, control = list(epsilon = -1)),
               "argument `control$epsilon`: must be positive", fixed = TRUE)
  expect_error(glm_fit(status ~ age, data = g, start = c(1, 2, 3)),
               "argument `start`: has 3 values for 2 coefficients", fixed = TRUE)
  # cause_specific_cox passes control to cox_ph as written
  d$ev <- d$status
  expect_error(cause_specific_cox(Surv(time, ev) ~ age, data = d, control = list(iter.max = -1)),
               "argument `control$iter.max`", fixed = TRUE)
})

# ---- unused factor levels ----------------------------------------------------------------

test_that("glm_fit drops unused factor levels, as glm (also after na_action = \"drop\")", {
  d <- lung_cc(c("status", "age", "ph.ecog"))
  d$f <- factor(d$ph.ecog, levels = 0:4)   # level 4 unused
  fit <- glm_fit(status ~ f + age, data = d, family = "binomial")
  ref <- stats::glm(status ~ f + age, data = d, family = binomial)
  expect_coef(fit, ref)
  expect_false(any(fit$aliased))
  expect_identical(fit$xlevels$f, c("0", "1", "2", "3"))
  # a level whose every row is dropped for a missing value
  d2 <- lung0()[, c("status", "age", "meal.cal", "sex")]
  d2$g <- factor(ifelse(is.na(d2$meal.cal), "x", ifelse(d2$sex == 1, "a", "b")))
  fit2 <- glm_fit(status ~ g + meal.cal, data = d2, family = "binomial", na_action = "drop")
  ref2 <- stats::glm(status ~ g + meal.cal, data = d2, family = binomial)
  expect_coef(fit2, ref2)
  expect_identical(names(coef(fit2)), c("(Intercept)", "gb", "meal.cal"))
  # the first level unused: the reference is the first used level, as glm
  d$h <- factor(as.character(d$ph.ecog + 1), levels = c("0", "1", "2", "3", "4"))
  expect_coef(glm_fit(status ~ h, data = d, family = "poisson"),
              stats::glm(status ~ h, data = d, family = poisson))
})

test_that("cox_ph and fine_gray drop unused factor levels too (coxph would show NA)", {
  d2 <- lung0()[, c("time", "status", "meal.cal", "sex")]
  d2$g <- factor(ifelse(is.na(d2$meal.cal), "x", ifelse(d2$sex == 1, "a", "b")))
  fit <- cox_ph(Surv(time, status) ~ g + meal.cal, data = d2, na_action = "drop")
  ref <- survival::coxph(Surv(time, status) ~ g + meal.cal, data = d2)
  expect_identical(names(coef(fit)), c("gb", "meal.cal"))
  expect_equal(unname(coef(fit)), unname(coef(ref)[c("gb", "meal.cal")]), tolerance = 1e-8)
  expect_equal(unname(fit$se), unname(sqrt(diag(ref$var))[c(1L, 3L)]), tolerance = 1e-8)
  expect_false(any(fit$aliased))
  # predictions for new data with the used levels
  nd <- d2[!is.na(d2$meal.cal), ][1:4, ]
  expect_equal(unname(predict(fit, newdata = nd)),
               unname(predict(ref, newdata = nd)), tolerance = 1e-8)
  d2$age <- survival::lung$age
  d2$ev <- d2$status * (1 + (d2$age > 65))
  fg <- fine_gray(Surv(time, ev) ~ g + meal.cal, data = d2, na_action = "drop")
  expect_identical(names(coef(fg)), c("gb", "meal.cal"))
  dd <- d2[!is.na(d2$meal.cal), ]
  dd$g <- droplevels(dd$g)
  expect_equal(coef(fg), coef(fine_gray(Surv(time, ev) ~ g + meal.cal, data = dd)),
               tolerance = 1e-12)
})

test_that("a factor left with one level in the rows used is an error naming it, as glm fails", {
  d <- lung0()[, c("status", "age", "meal.cal")]
  d$k <- factor(ifelse(is.na(d$meal.cal), "x", "a"))
  expect_error(stats::glm(status ~ k + meal.cal, data = d, family = binomial), "2 or more levels")
  expect_error(glm_fit(status ~ k + meal.cal, data = d, family = "binomial", na_action = "drop"),
               "argument `formula`: k has a single level (\"a\") in the rows used", fixed = TRUE)
})

test_that("the relative-survival formulas refuse ratetable(), cluster() and offset() terms", {
  rt <- example_ratetable()
  d <- data.frame(time = c(100, 400, 900, 1500), status = c(1, 0, 1, 0), age = 60 * 365.241,
                  year = 2000, sex = 1, g = c(1, 1, 2, 2))
  expect_error(net_survival(Surv(time, status) ~ ratetable(age = age, sex = sex, year = year),
                            data = d, ratetable = rt),
               "ratetable(age = age, sex = sex, year = year): ratetable() terms are not supported by net_survival(); give the rate-table variables as `age`, `year` and `sex`",
               fixed = TRUE)
  expect_error(net_survival_test(Surv(time, status) ~ g + cluster(g), data = d, ratetable = rt),
               "cluster(g): cluster() is not supported by net_survival_test()", fixed = TRUE)
  expect_error(excess_hazard_model(Surv(time, status) ~ g + offset(log(age)), data = d,
                                   ratetable = rt),
               "offset(log(age)): offset() terms are not supported by excess_hazard_model()",
               fixed = TRUE)
})
