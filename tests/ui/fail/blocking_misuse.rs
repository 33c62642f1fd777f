//! `#[loopbridge::blocking]` where no twin can be made.

#[loopbridge::blocking]
fn not_async() -> u32 {
    1
}

#[loopbridge::blocking]
trait Store {
    async fn get(&self) -> u32;
}

trait Source {
    #[loopbridge::blocking]
    async fn next(&mut self) -> Option<u32>;
}

struct Db;

#[loopbridge::blocking]
impl Db {
    async fn fine(&self) {}

    #[loopbridge::blocking(name = "now")]
    fn not_async_either(&self) {}
}

struct Cache;

#[loopbridge::blocking]
impl Cache {
    fn only_sync(&self) {}
}

fn main() {}
