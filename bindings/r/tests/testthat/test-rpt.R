# Checks moved into the core by the rpt round: the same input, the same error in R and
# Python.
test_that("lexis_split()/lexis_cut(): the core checks the length of `id`", {
  sc <- list(per = NULL, age = c(50, 60, 70))
  msg <- "^argument `id` has length 2 but `entry` has length 3$"
  expect_error(lexis_split(entry = c(0, 1, 2), exit = c(2, 3, 4), status = c(0, 1, 0),
                           time_scales = sc, breaks = list(per = c(0, 1, 5)), id = c("a", "b")),
               msg)
  expect_error(lexis_cut(entry = c(0, 1, 2), exit = c(2, 3, 4), status = c(0, 1, 0),
                         time_scales = sc, cut = c(1, NA, 3), new_state = 2, id = c("a", "b")),
               msg)
  out <- lexis_split(entry = c(0, 1, 2), exit = c(2, 3, 4), status = c(0, 1, 0),
                     time_scales = sc, breaks = list(per = c(0, 1, 5)), id = c("a", "b", "c"))
  expect_true(all(out$id %in% c("a", "b", "c")) && nrow(out) >= 3L)
})
