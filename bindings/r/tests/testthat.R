library(testthat)
library(hrrstats)

test_check("hrrstats")
