//! Snapshot tests: fixed inputs, expanded and pretty-printed, compared with the checked-in
//! files in `tests/expand/`. They show exactly what the attributes write. After a deliberate
//! change, rewrite the files with `LOOPBRIDGE_BLESS=1 cargo test -p loopbridge-macros --lib`
//! and review the diff.

use std::path::PathBuf;

use proc_macro2::TokenStream;
use quote::quote;

/// Compares the pretty-printed `expansion` with `tests/expand/<name>.expanded.rs`.
#[track_caller]
fn assert_snapshot(name: &str, expansion: TokenStream) {
    let file: syn::File = match syn::parse2(expansion.clone()) {
        Ok(file) => file,
        Err(err) => panic!("the expansion of {name} is not a Rust file: {err}\n{expansion}"),
    };
    let actual = prettyplease::unparse(&file);
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/expand")
        .join(format!("{name}.expanded.rs"));
    if std::env::var_os("LOOPBRIDGE_BLESS").is_some() {
        std::fs::write(&path, &actual).expect("write the snapshot");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "the expansion of {name} differs from {}; if the change is deliberate, rerun with \
         LOOPBRIDGE_BLESS=1 and review the diff.\n--- actual ---\n{actual}",
        path.display()
    );
}

#[test]
fn blocking_on_a_free_function() {
    let expansion = crate::blocking::expand(
        TokenStream::new(),
        quote! {
            /// Fetches the temperature of `city`.
            pub async fn temperature<'a>(city: &'a str, (lat, lon): (f32, f32)) -> Result<i32, Error> {
                lookup(city, lat, lon).await
            }
        },
    );
    assert_snapshot("blocking_fn", expansion);
}

#[test]
fn blocking_on_impl_blocks() {
    let expansion = crate::blocking::expand(
        TokenStream::new(),
        quote! {
            impl<S: Storage> Store<S> {
                /// Parses the value stored under `key`.
                pub async fn get<T: FromStr>(&self, key: &str) -> Result<T, StoreError>
                where
                    T::Err: Display,
                {
                    self.storage.read(key).await?.parse().map_err(StoreError::parse)
                }

                pub async fn put(&mut self, key: impl Into<String>, mut value: String) {
                    value.push('\n');
                    self.storage.write(key.into(), value).await
                }

                #[loopbridge::blocking(name = "close_now")]
                pub async fn close(self) -> usize {
                    self.storage.flush().await
                }

                #[loopbridge::blocking(skip)]
                pub async fn watch(&self) -> Watcher {
                    Watcher::new(self).await
                }

                pub fn len(&self) -> usize {
                    self.storage.len()
                }
            }
        },
    );
    let trait_impl = crate::blocking::expand(
        quote!(suffix = "_sync", crate = "my_lib::loopbridge"),
        quote! {
            impl<S: Storage> Source for Store<S> {
                type Item = Record;

                async fn next(&mut self) -> Option<Self::Item> {
                    self.storage.next_record().await
                }
            }
        },
    );
    assert_snapshot("blocking_impl", quote!(#expansion #trait_impl));
}

#[test]
fn test_on_every_flavour_and_with_options() {
    let plain = crate::test::expand(
        TokenStream::new(),
        quote! {
            async fn spawn_and_await() {
                assert_eq!(loopbridge::spawn(async { 1 }).await.unwrap(), 1);
            }
        },
    );
    let with_options = crate::test::expand(
        quote!(backends(tokio_current_thread, smol), timeout = "5s"),
        quote! {
            #[should_panic(expected = "boom")]
            async fn knows_its_flavor(flavor: Flavor) -> Result<(), Error> {
                check(flavor).await?;
                panic!("boom")
            }
        },
    );
    assert_snapshot("test", quote!(#plain #with_options));
}
