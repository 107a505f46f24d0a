# Shared by the generator scripts (generate*.R): where fixtures go and how they are
# written. Numbers get 17 significant digits (an exact round trip of doubles), missing
# values "NA", no quoting. Each script owns file-name prefixes and writes only those.
# Sourced from the repository root.
out <- file.path("tests", "reference", "fixtures")
dir.create(out, showWarnings = FALSE, recursive = TRUE)

fmt <- function(x) {
  if (is.numeric(x)) ifelse(is.na(x), "NA", sprintf("%.17g", x)) else as.character(x)
}

written <- character(0)

# A CSV writer that refuses names not matching `prefix` (a regular expression), and
# fields containing a comma (the files are unquoted).
fixture_writer <- function(prefix) {
  function(df, name) {
    stopifnot(grepl(prefix, name))
    df <- as.data.frame(df)
    df[] <- lapply(df, fmt)
    stopifnot(!any(vapply(df, function(v) any(grepl(",", v)), TRUE)))
    write.csv(df, file.path(out, name), row.names = FALSE, quote = FALSE)
    written <<- c(written, name)
  }
}
