//! Options of `#[loopbridge::blocking]` that are unknown, misplaced or malformed.

#[loopbridge::blocking(nmae = "fetch_now")]
async fn unknown_option() {}

#[loopbridge::blocking(name = "fetch_now", suffix = "_sync")]
async fn name_and_suffix() {}

#[loopbridge::blocking(name = "fetch now")]
async fn not_an_identifier() {}

#[loopbridge::blocking(suffix = "")]
async fn empty_suffix() {}

#[loopbridge::blocking(crate = "not a path")]
async fn bad_crate() {}

struct Db;

#[loopbridge::blocking(name = "one_name")]
impl Db {
    async fn get(&self) {}

    #[loopbridge::blocking(crate = "lb")]
    async fn put(&self) {}
}

fn main() {}
