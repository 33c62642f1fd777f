impl<S: Storage> Store<S> {
    /// Parses the value stored under `key`.
    pub async fn get<T: FromStr>(&self, key: &str) -> Result<T, StoreError>
    where
        T::Err: Display,
    {
        self.storage.read(key).await?.parse().map_err(StoreError::parse)
    }
    /// Parses the value stored under `key`.
    ///
    /// The blocking twin of [`get`](Self::get): runs it to completion on the calling thread with `loopbridge::block_on` and returns its output.
    ///
    /// # Panics
    ///
    /// Panics at once, instead of deadlocking, where blocking the calling thread could starve the executor the future needs (on a single-thread runtime, for instance): `.await` [`get`](Self::get) there. A panic in `get` reaches the caller unchanged.
    #[track_caller]
    pub fn get_blocking<T: FromStr>(&self, key: &str) -> Result<T, StoreError>
    where
        T::Err: Display,
    {
        ::loopbridge::__private::block_on(Self::get::<T>(self, key))
    }
    pub async fn put(&mut self, key: impl Into<String>, mut value: String) {
        value.push('\n');
        self.storage.write(key.into(), value).await
    }
    /// The blocking twin of [`put`](Self::put): runs it to completion on the calling thread with `loopbridge::block_on` and returns its output.
    ///
    /// # Panics
    ///
    /// Panics at once, instead of deadlocking, where blocking the calling thread could starve the executor the future needs (on a single-thread runtime, for instance): `.await` [`put`](Self::put) there. A panic in `put` reaches the caller unchanged.
    #[track_caller]
    pub fn put_blocking(&mut self, key: impl Into<String>, value: String) {
        ::loopbridge::__private::block_on(Self::put(self, key, value))
    }
    pub async fn close(self) -> usize {
        self.storage.flush().await
    }
    /// The blocking twin of [`close`](Self::close): runs it to completion on the calling thread with `loopbridge::block_on` and returns its output.
    ///
    /// # Panics
    ///
    /// Panics at once, instead of deadlocking, where blocking the calling thread could starve the executor the future needs (on a single-thread runtime, for instance): `.await` [`close`](Self::close) there. A panic in `close` reaches the caller unchanged.
    #[track_caller]
    pub fn close_now(self) -> usize {
        ::loopbridge::__private::block_on(Self::close(self))
    }
    pub async fn watch(&self) -> Watcher {
        Watcher::new(self).await
    }
    pub fn len(&self) -> usize {
        self.storage.len()
    }
}
impl<S: Storage> Source for Store<S> {
    type Item = Record;
    async fn next(&mut self) -> Option<Self::Item> {
        self.storage.next_record().await
    }
}
impl<S: Storage> Store<S> {
    /// The blocking twin of [`next`](Self::next): runs it to completion on the calling thread with `loopbridge::block_on` and returns its output.
    ///
    /// # Panics
    ///
    /// Panics at once, instead of deadlocking, where blocking the calling thread could starve the executor the future needs (on a single-thread runtime, for instance): `.await` [`next`](Self::next) there. A panic in `next` reaches the caller unchanged.
    #[track_caller]
    pub fn next_sync(&mut self) -> Option<<Self as Source>::Item> {
        my_lib::loopbridge::__private::block_on(<Self as Source>::next(self))
    }
}
