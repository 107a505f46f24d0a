# Lexis splitting, cuts, person-time tables, rates, standardisation and SIR against
# Epi / popEpi / stats::poisson.test / epitools (fixtures written by
# tests/reference/generate_lexis.R). The issue asks 1e-10 for the split rows and the
# tables; the rates reach it too.

TOL <- 1e-10

close10 <- function(actual, expected, what) expect_close(actual, expected, what, tol = TOL)

# "age=0 40 60;per=2000 2005" -> list(age = c(0, 40, 60), per = c(2000, 2005))
parse_breaks <- function(s) {
  parts <- strsplit(s, ";", fixed = TRUE)[[1L]]
  stats::setNames(lapply(parts, function(p) as.numeric(strsplit(sub("^[^=]*=", "", p), " ")[[1L]])),
                  sub("=.*$", "", parts))
}

# The time scales of a manifest row: list(per = NULL, age = "age_at_entry", ...) and the
# entry column.
case_scales <- function(cs) {
  nm <- strsplit(cs$scales, " ")[[1L]]
  cols <- strsplit(cs$entry, " ")[[1L]]
  ts <- lapply(seq_along(nm), function(k) if (k == 1L) NULL else cols[k])
  names(ts) <- nm
  list(time_scales = ts, entry = cols[1L])
}

manifest <- function(name) {
  if (is.null(fixture_dir())) return(data.frame(case = "(fixtures not found)"))
  read_fixture(name)
}

sim_breaks <- list(age = seq(30, 100, 10), per = c(2000, 2005, 2010, 2015, 2021))
sim_scales <- list(per = NULL, age = "age_at_entry")

# ---- Lexis splits and person-time tables (Epi::splitLexis / popEpi::splitMulti) ----------

# Rows of zero-length follow-up are dropped with a warning, as Epi::Lexis drops them with a
# note: the reference cohorts have such rows on purpose.
quiet_zero_length <- function(expr) {
  withCallingHandlers(expr, warning = function(w) {
    if (grepl("zero-length follow-up", conditionMessage(w), fixed = TRUE)) {
      invokeRestart("muffleWarning")
    }
  })
}

lexis_cases <- manifest("lexis_cases.csv")
for (i in seq_len(nrow(lexis_cases))) local({
  cs <- lexis_cases[i, , drop = FALSE]

  test_that(paste("lexis split and table match Epi/popEpi:", cs$case), {
    skip_without_fixtures()
    d <- read_fixture(paste0("data_", cs$data, ".csv"))
    sc <- case_scales(cs)
    br <- parse_breaks(cs$breaks)
    drop <- cs$drop == "TRUE"
    s <- quiet_zero_length(lexis_split(d, entry = sc$entry, exit = cs$exit, status = cs$status,
                                       time_scales = sc$time_scales, breaks = br, id = "id",
                                       entry_status = cs$entry_status, drop = drop))
    ref <- read_fixture(paste0("lexis_", cs$case, "_split.csv"))
    expect_identical(nrow(s), nrow(ref))
    close10(s$id, ref$id, "id")
    for (scale in names(sc$time_scales)) {
      close10(s[[scale]], ref[[scale]], scale)
      band <- paste0(scale, "_band")
      ours <- if (band %in% names(s)) s[[band]] else rep(NA_real_, nrow(s))
      close10(ours, ref[[band]], band)
    }
    close10(s$duration, ref$lex_dur, "duration")
    close10(s$entry_status, ref$lex_Cst, "entry_status")
    close10(s$status, ref$lex_Xst, "status")

    t <- quiet_zero_length(person_time_table(d, entry = sc$entry, exit = cs$exit,
                                             status = cs$status, time_scales = sc$time_scales,
                                             breaks = br, entry_status = cs$entry_status,
                                             drop = drop))
    f <- read_fixture(paste0("lexis_", cs$case, "_table.csv"))
    keys <- c(paste0(names(br), "_band"), "entry_status")
    names(f)[names(f) == "lex_Cst"] <- "entry_status"
    f <- f[c(keys, "pyrs", "events_1", "events_2")]
    names(f)[names(f) %in% c("events_1", "events_2")] <- c("ref_events_1", "ref_events_2")
    for (k in c("events_1", "events_2")) if (!k %in% names(t)) t[[k]] <- 0
    expect_identical(nrow(t), nrow(f))
    m <- merge(f, t, by = keys, all = TRUE)   # NA bands (drop = FALSE) match each other
    expect_identical(nrow(m), nrow(f))
    expect_false(anyNA(m$pyrs) || anyNA(m$person_time), label = "every cell in both tables")
    close10(m$person_time, m$pyrs, "person_time")
    close10(m$events_1, m$ref_events_1, "events_1")
    close10(m$events_2, m$ref_events_2, "events_2")
    close10(m$events, m$ref_events_1 + m$ref_events_2, "events")
  })
})

# ---- cuts at individual dates (Epi::cutLexis) --------------------------------------------

cut_cases <- manifest("lexis_cut_cases.csv")
for (i in seq_len(nrow(cut_cases))) local({
  cs <- cut_cases[i, , drop = FALSE]

  test_that(paste("lexis_cut matches Epi::cutLexis:", cs$case), {
    skip_without_fixtures()
    d <- read_fixture(paste0("data_", cs$data, ".csv"))
    sc <- case_scales(cs)
    pre <- as.numeric(strsplit(cs$precursor_states, " ")[[1L]])   # "" -> numeric(0): none
    cut <- quiet_zero_length(lexis_cut(d, entry = sc$entry, exit = cs$exit, status = cs$status,
                     time_scales = sc$time_scales, cut = cs$cut, new_state = cs$new_state,
                     timescale = cs$timescale, precursor_states = pre,
                     progressive = cs$progressive == "TRUE", entry_status = cs$entry_status,
                     id = "id"))
    ref <- read_fixture(paste0("lexis_cut_", cs$case, ".csv"))
    scales <- names(sc$time_scales)
    if (!nzchar(cs$breaks)) {
      out <- cut
    } else {
      # cut, then split the result by time scales
      ts <- lapply(seq_along(scales), function(k) if (k == 1L) NULL else scales[k])
      names(ts) <- scales
      out <- quiet_zero_length(lexis_split(cut, entry = scales[1L], exit = "exit",
                                           status = "status", time_scales = ts,
                                           breaks = parse_breaks(cs$breaks),
                                           entry_status = "entry_status", id = "id"))
      for (scale in scales) {
        close10(out[[paste0(scale, "_band")]], ref[[paste0(scale, "_band")]], paste0(scale, "_band"))
      }
    }
    expect_identical(nrow(out), nrow(ref))
    close10(out$duration, ref$lex_dur, "lex_dur")
    close10(out$id, ref$id, "id")
    for (scale in scales) close10(out[[scale]], ref[[scale]], scale)
    close10(out$entry_status, ref$lex_Cst, "lex_Cst")
    close10(out$status, ref$lex_Xst, "lex_Xst")
  })
})

# ---- person-time table by groups ---------------------------------------------------------

test_that("person_time_table(by =) equals the aggregated split; by-variables keep their type", {
  skip_without_fixtures()
  d <- read_fixture("data_lexis_sim.csv")
  d$region <- ifelse(d$id %% 3 == 0, "north", "south")
  t <- person_time_table(d, "entry", "exit", "status", time_scales = sim_scales,
                         breaks = sim_breaks, by = c("sex", "region"))
  s <- lexis_split(d, "entry", "exit", "status", time_scales = sim_scales, breaks = sim_breaks,
                   id = "id")
  s <- merge(s, d[c("id", "sex", "region")], by = "id")
  s$ev <- as.double(s$status != 0)
  keys <- c("age_band", "per_band", "sex", "region")
  agg <- stats::aggregate(cbind(pt = duration, ev = ev) ~ age_band + per_band + sex + region,
                          data = s, FUN = sum)
  expect_identical(nrow(agg), nrow(t))
  m <- merge(agg, t, by = keys, all = TRUE)
  expect_identical(nrow(m), nrow(t))
  expect_false(anyNA(m$pt) || anyNA(m$person_time))
  close10(m$person_time, m$pt, "person_time")
  close10(m$events, m$ev, "events")
  expect_setequal(unique(t$region), c("north", "south"))
  expect_type(t$region, "character")
  expect_type(t$sex, "integer")
  expect_type(t$age_band, "double")

  # a factor stays a factor with its levels (unused ones too); a double stays double
  d$regf <- factor(d$region, levels = c("south", "north", "east"))
  d$sexd <- as.double(d$sex) + 0.5
  tf <- person_time_table(d, "entry", "exit", "status", time_scales = sim_scales,
                          breaks = sim_breaks, by = list("sexd", region = d$regf))
  expect_s3_class(tf$region, "factor")
  expect_identical(levels(tf$region), c("south", "north", "east"))
  expect_identical(sort(unique(tf$sexd)), c(1.5, 2.5))
  key_t <- paste(t$age_band, t$per_band, t$sex, t$region)
  key_f <- paste(tf$age_band, tf$per_band, tf$sexd - 0.5, tf$region)
  expect_setequal(key_f, key_t)
  close10(tf$person_time, t$person_time[match(key_f, key_t)], "person_time by factor")
})

# ---- rates ----------------------------------------------------------------------------------

test_that("rate() matches poisson.test", {
  skip_without_fixtures()
  f <- read_fixture("rate_crude.csv")
  for (i in seq_len(nrow(f))) {
    r <- rate(events = f$events[i], person_time = f$pyrs[i], null_rate = f$null_rate[i],
              conf_level = f$conf_level[i])
    close10(unlist(r[c("rate", "lower", "upper", "p_value")]),
            unlist(f[i, c("rate", "lower", "upper", "p_value")]), paste("rate", i))
  }
  # vectorised over the rows of `data`, with `per`: columns of data kept, results appended
  g <- f[f$conf_level == 0.95, ]
  r <- rate(g, "events", "pyrs", per = 1000)
  expect_identical(names(r)[seq_along(g)], names(g))
  expect_true("person_time" %in% names(r))
  close10(r$lower / 1000, g$lower, "lower per 1000")
  close10(r$rate / 1000, g$rate, "rate per 1000")
  # vectors and single numbers
  close10(rate(events = g$events, person_time = g$pyrs)$upper, g$upper, "upper from vectors")
  r1 <- rate(events = c(0, 1, 5), person_time = 100)
  expect_identical(nrow(r1), 3L)
  expect_identical(r1$person_time, c(100, 100, 100))
  expect_false("p_value" %in% names(r1))
})

test_that("rate_ratio() matches poisson.test with two counts (Inf included)", {
  skip_without_fixtures()
  f <- read_fixture("rate_ratio.csv")
  expect_true(any(is.infinite(f$ratio)))
  for (i in seq_len(nrow(f))) {
    r <- rate_ratio(events1 = f$events1[i], person_time1 = f$pyrs1[i], events2 = f$events2[i],
                    person_time2 = f$pyrs2[i], null_ratio = f$null_ratio[i],
                    conf_level = f$conf_level[i])
    close10(unlist(r[c("rate_ratio", "lower", "upper", "p_value")]),
            unlist(f[i, c("ratio", "lower", "upper", "p_value")]), paste("ratio", i))
  }
  g <- f[f$conf_level == 0.95 & f$null_ratio == 1, ]
  r <- rate_ratio(g, "events1", "pyrs1", "events2", "pyrs2")
  close10(r$rate_ratio, g$ratio, "ratio, vectorised")
  close10(r$upper, g$upper, "upper, vectorised")
})

test_that("rate_difference() matches Epi::ci.lin", {
  skip_without_fixtures()
  f <- read_fixture("rate_difference.csv")
  for (cl in unique(f$conf_level)) {
    g <- f[f$conf_level == cl, ]
    r <- rate_difference(g, "events1", "pyrs1", "events2", "pyrs2", conf_level = cl)
    for (p in list(c("rate_difference", "difference"), c("se", "se"), c("lower", "lower"),
                   c("upper", "upper"), c("p_value", "p_value"))) {
      close10(r[[p[1L]]], g[[p[2L]]], paste(cl, p[1L]))
    }
    r1000 <- rate_difference(events1 = g$events1, person_time1 = g$pyrs1, events2 = g$events2,
                             person_time2 = g$pyrs2, conf_level = cl, per = 1000)
    close10(r1000$lower / 1000, g$lower, "lower per 1000")
    close10(r1000$p_value, g$p_value, "p_value, per 1000")
  }
})

# ---- standard populations and direct standardisation -------------------------------------

test_that("standard populations are the published ones", {
  skip_without_fixtures()
  for (name in c("who2000", "esp2013", "nordic2000", "segi1960", "esp1976")) {
    sp <- standard_population(name)
    f <- read_fixture(paste0("rate_standard_", name, ".csv"))
    expect_identical(sp$weight, as.double(f$weight), label = paste(name, "weight"))
    expect_identical(sp$age_lower, as.double(f$age_lower), label = paste(name, "age_lower"))
    k <- nrow(f)
    expect_identical(sp$age_upper[-k], as.double(f$age_upper[-k]))
    expect_identical(sp$age_upper[k], Inf)
    expect_true(nzchar(attr(sp, "source")))
    expect_identical(attr(sp, "name"), name)
  }
  expect_identical(attr(standard_population("nordic"), "name"), "nordic2000")
})

dsr_cases <- manifest("rate_dsr_cases.csv")
for (i in seq_len(nrow(dsr_cases))) local({
  cs <- dsr_cases[i, , drop = FALSE]

  test_that(paste("direct_standardize matches epitools::ageadjust.direct:", cs$case), {
    skip_without_fixtures()
    d <- read_fixture(paste0("data_", cs$data, ".csv"))
    ref <- read_fixture("rate_dsr.csv")
    ref <- ref[ref$case == cs$case, ]
    expect_identical(nrow(ref), 1L)
    cl <- as.numeric(cs$conf_level)
    # by name (ages mapped to the standard's groups) and by explicit weights
    r1 <- direct_standardize(d, cs$count, cs$pyrs, cs$standard, age = "age_lower",
                             conf_level = cl)
    w <- standard_population(cs$standard)$weight
    r2 <- direct_standardize(events = d[[cs$count]], person_time = d[[cs$pyrs]],
                             standard_weights = w, conf_level = cl)
    for (r in list(r1, r2)) {
      expect_identical(nrow(r), 1L)
      close10(unlist(r[c("crude_rate", "rate", "lower", "upper", "events", "person_time")]),
              unlist(ref[c("crude", "dsr", "lower", "upper", "events", "pyrs")]), cs$case)
    }
  })
})

test_that("direct_standardize pools finer ages, needs every group, and works by groups", {
  skip_without_fixtures()
  d <- read_fixture("data_lexis_stdrates.csv")
  ref <- read_fixture("rate_dsr.csv")
  # each five-year row split into two halves: pooling gives the same answer
  half <- rbind(transform(d, age = age_lower, c = count_a %/% 2, p = pyrs_a / 2),
                transform(d, age = age_lower + 2.5, c = count_a - count_a %/% 2, p = pyrs_a / 2))
  r <- direct_standardize(half, "c", "p", "who2000", age = "age")
  a <- ref[ref$case == "a_who2000", ]
  close10(unlist(r[c("rate", "lower", "upper")]), unlist(a[c("dsr", "lower", "upper")]), "pooled")
  expect_error(direct_standardize(d[d$age_lower >= 20, ], "count_a", "pyrs_a", "who2000",
                                  age = "age_lower"),
               "no person-time in the standard's age group\\(s\\) starting at 0, 5, 10, 15")
  expect_error(direct_standardize(d, "count_a", "pyrs_a", "who2000"),
               "argument `age`: a named standard population needs each row's age")

  # by groups: one row per group, each equal to the group on its own
  long <- rbind(data.frame(grp = "a", age = d$age_lower, n = d$count_a, t = d$pyrs_a),
                data.frame(grp = "b", age = d$age_lower, n = d$count_b, t = d$pyrs_b))
  long$grp <- factor(long$grp, levels = c("b", "a"))
  rb <- direct_standardize(long, "n", "t", "esp2013", age = "age", by = "grp", per = 1e5)
  expect_identical(as.character(rb$grp), c("b", "a"))
  expect_identical(levels(rb$grp), c("b", "a"))
  for (g in c("a", "b")) {
    e <- ref[ref$case == paste0(g, "_esp2013"), ]
    close10(unlist(rb[rb$grp == g, c("rate", "lower", "upper")]) / 1e5,
            unlist(e[c("dsr", "lower", "upper")]), paste("by group", g))
  }
  sp <- standard_population("esp2013")
  long$w <- sp$weight[match(long$age, sp$age_lower)]
  rw <- direct_standardize(long, "n", "t", "w", by = "grp", per = 1e5)
  close10(rw$rate, rb$rate, "by groups, explicit weights")
  expect_error(direct_standardize(long[!(long$grp == "a" & long$age == 85), ], "n", "t",
                                  "esp2013", age = "age", by = "grp"),
               "starting at 85 in by group grp=a")
})

# ---- standardised incidence ratios ---------------------------------------------------------

sir_table <- function() {
  d <- read_fixture("data_lexis_sim.csv")
  t <- person_time_table(d, "entry", "exit", "status", time_scales = sim_scales,
                         breaks = sim_breaks, entry_status = "entry_status", by = "sex")
  rr <- read_fixture("data_lexis_refrates.csv")
  names(rr)[names(rr) == "age_lower"] <- "age_band"
  names(rr)[names(rr) == "per_lower"] <- "per_band"
  merge(t, rr, by = c("age_band", "sex", "per_band"), all.x = TRUE)
}

sir_cases <- manifest("sir_cases.csv")
for (i in seq_len(nrow(sir_cases))) local({
  cs <- sir_cases[i, , drop = FALSE]

  test_that(paste("sir matches the reference:", cs$case), {
    skip_without_fixtures()
    t <- sir_table()
    expect_false(anyNA(t$rate))
    by <- if (nzchar(cs$strata)) cs$strata else NULL
    s <- sir(t, "events_1", "person_time", "rate", by = by)
    expect_s3_class(s, "hrr_sir")
    ref <- read_fixture(paste0("sir_", cs$case, ".csv"))
    tab <- as.data.frame(s)
    expect_identical(nrow(tab), nrow(ref))
    if (!is.null(by)) close10(tab[[by]], ref$stratum, "strata")
    for (p in list(c("observed", "observed"), c("expected", "expected"), c("person_time", "pyrs"),
                   c("sir", "sir"), c("lower", "lower"), c("upper", "upper"),
                   c("p_value", "p_exact"), c("p_chisq", "p_chisq"))) {
      close10(tab[[p[1L]]], ref[[p[2L]]], paste(cs$case, p[1L]))
    }
    k <- nrow(ref)
    close10(c(s$sir, s$lower, s$upper, s$observed, s$expected, s$p_value),
            unlist(ref[k, c("sir", "lower", "upper", "observed", "expected", "p_exact")]),
            "overall")
    if (!is.null(by)) {
      h <- read_fixture("sir_homogeneity.csv")
      h <- h[h$case == cs$case, ]
      close10(s$homogeneity$statistic, c(h$lrt, h$pearson), "homogeneity")
      close10(s$homogeneity$p_value, c(h$p_lrt, h$p_pearson), "homogeneity p")
      expect_identical(s$homogeneity$df, c(h$df, h$df))
      expect_output(print(s), "homogeneity across")
      expect_identical(nrow(as.data.frame(s, overall = FALSE)), k - 1L)
      # the formula style gives the same
      f <- stats::as.formula(paste("events_1 ~", by))
      sf <- sir(f, t, person_time = "person_time", reference_rate = "rate")
      expect_identical(as.data.frame(sf)[[by]], tab[[by]])
      expect_equal(as.data.frame(sf)$sir, tab$sir, tolerance = 0)
      sf2 <- sir(t, f, person_time = "person_time", reference_rate = "rate")
      expect_equal(sf2$homogeneity, s$homogeneity, tolerance = 0)
    } else {
      expect_null(s$homogeneity)
      expect_no_match(paste(capture.output(print(s)), collapse = "\n"), "homogeneity")
      expect_equal(sir(events_1 ~ 1, t, person_time = "person_time", reference_rate = "rate")$sir,
                   s$sir, tolerance = 0)
    }
  })
})

test_that("sir methods: print, summary, as.data.frame", {
  skip_without_fixtures()
  t <- sir_table()
  t$sexf <- factor(ifelse(t$sex == 1, "male", "female"), levels = c("male", "female"))
  s <- sir(t, "events_1", "person_time", "rate", by = "sexf")
  expect_output(print(s), "SIR 0.977")
  expect_output(print(summary(s)), "(all)", fixed = TRUE)
  expect_output(print(summary(s)), "likelihood ratio")
  tab <- as.data.frame(s)
  expect_s3_class(tab$sexf, "factor")
  expect_identical(levels(tab$sexf), c("male", "female"))
  expect_identical(as.character(tab$sexf), c("male", "female", NA))
  expect_identical(names(tab), c("sexf", "observed", "expected", "person_time", "sir", "lower",
                                 "upper", "p_value", "p_chisq"))
  # two strata variables: one row per combination present
  s2 <- sir(t, "events_1", "person_time", "rate", by = c("sexf", "per_band"))
  expect_identical(nrow(as.data.frame(s2)), 9L)
  expect_identical(s2$homogeneity$df, c(7L, 7L))
  close10(s2$sir, s$sir, "overall SIR does not depend on strata")
})

# ---- plots ------------------------------------------------------------------------------------

test_that("lexis_diagram and plot_rates draw (base graphics)", {
  skip_without_fixtures()
  d <- read_fixture("data_lexis_sim.csv")
  grDevices::pdf(NULL)
  on.exit(grDevices::dev.off(), add = TRUE)
  lines <- lexis_diagram(d, "entry", "exit", "status", time_scales = sim_scales, sample = 50,
                         breaks = list(age = seq(30, 100, 10)), seed = 1)
  expect_identical(nrow(lines), 50L)
  expect_equal(lines$y1 - lines$y0, lines$x1 - lines$x0)
  all_lines <- lexis_diagram(d[1:20, ], "entry", "exit", "status", time_scales = sim_scales)
  expect_identical(all_lines$row, 1:20)
  t <- person_time_table(d, "entry", "exit", "status", time_scales = sim_scales,
                         breaks = list(age = seq(30, 100, 10), per = c(2000, 2021)), by = "sex")
  p <- plot_rates(t, "age_band", by = "sex")
  expect_setequal(unique(p$sex), c(1L, 2L))
  expect_true(all(p$rate >= 0))
  expect_true(any(p$rate == 0))   # zero rates are there, but not drawn on the log axis
  p1 <- plot_rates(t, "age_band", log = FALSE, per = 1000)
  expect_identical(nrow(p1), length(unique(t$age_band)))
  t$age_group <- paste0(t$age_band, "-")
  expect_silent(plot_rates(t, "age_group", by = "sex"))
})

test_that("rates: one vocabulary with Python and one parser for `kind`", {
  r <- rate_difference(events1 = c(5, 12), person_time1 = c(100, 250), events2 = c(3, 20),
                       person_time2 = c(120, 200))
  expect_identical(names(r), c("rate_difference", "std_err", "se", "lower", "upper", "p_value"))
  expect_identical(r$se, r$std_err)
  args <- list(events1 = 5, person_time1 = 100, events2 = 3, person_time2 = 120)
  expect_error(hrrstats:::hrr_call("compare_rates", c(args, kind = "differnce")),
               "argument `kind`: unknown value \"differnce\"; accepted: \"ratio\", \"difference\"",
               fixed = TRUE)
  d <- hrrstats:::hrr_call("compare_rates", c(args, kind = "difference"))$value
  expect_equal(d$rate_difference, rate_difference(events1 = 5, person_time1 = 100, events2 = 3,
                                                  person_time2 = 120)$rate_difference)
})

test_that("the first time scale and the breaks are checked in the core, as in Python", {
  d <- data.frame(entry = c(50, 60), exit = c(55, 70), status = c(0, 1))
  a <- lexis_split(d, "entry", "exit", "status", time_scales = list(age = NULL),
                   breaks = list(age = c(0, 50, 100)))
  b <- lexis_split(d, "entry", "exit", "status", time_scales = list(age = "entry"),
                   breaks = list(age = c(0, 50, 100)))
  expect_identical(a, b)
  expect_error(lexis_split(d, "entry", "exit", "status", time_scales = list(age = c(50, 61)),
                           breaks = list(age = c(0, 50, 100))),
               paste0("argument `time_scales`: the first scale (`age`) is the one `entry` and ",
                      "`exit` are measured on; its value at entry must be `entry` (give NULL ",
                      "in R, None in Python)"), fixed = TRUE)
  expect_error(person_time_table(d, "entry", "exit", "status", time_scales = list(age = NULL),
                                 breaks = list(age = c("a", "b"))),
               "argument `breaks`: the breaks of `age` must be numeric", fixed = TRUE)
  d$per <- c(2000, 2001)
  grDevices::pdf(NULL)
  on.exit(grDevices::dev.off(), add = TRUE)
  expect_error(lexis_diagram(d, "entry", "exit", "status",
                             time_scales = list(age = NULL, per = "per"), breaks = list(age = "a")),
               "argument `breaks`: the breaks of `age` must be numeric", fixed = TRUE)
})
