// Forward R's routine registration to the Rust library (extendr), which also keeps
// the linker from dropping the static library.
void R_init_hrrstats_extendr(void *dll);

void R_init_hrrstats(void *dll) {
    R_init_hrrstats_extendr(dll);
}
