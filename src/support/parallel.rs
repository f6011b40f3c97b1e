//! Data parallelism that degrades to a plain loop: rayon natively (feature `parallel`), sequential
//! in wasm, where each Web Worker is one core and the pool is managed by the page.

/// Applies `f` to every item, on all cores where available, keeping the order of the results.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync + Send) -> Vec<R> {
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        items.par_iter().map(f).collect()
    }
    #[cfg(not(feature = "parallel"))]
    {
        items.iter().map(f).collect()
    }
}

/// Threads that run [`map`]'s items at once (1 in wasm).
pub fn threads() -> usize {
    #[cfg(feature = "parallel")]
    {
        rayon::current_num_threads()
    }
    #[cfg(not(feature = "parallel"))]
    {
        1
    }
}

/// How many items to hand out between two progress reports, so every core stays busy.
pub fn batch_size() -> usize {
    #[cfg(feature = "parallel")]
    {
        2 * threads()
    }
    #[cfg(not(feature = "parallel"))]
    {
        1
    }
}

/// Applies `f(index, chunk)` to the consecutive `chunk`-long pieces of `data` (the last may be
/// shorter), on all cores where available.
pub fn for_each_chunk_mut<T: Send>(data: &mut [T], chunk: usize, f: impl Fn(usize, &mut [T]) + Sync + Send) {
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        data.par_chunks_mut(chunk).enumerate().for_each(|(i, c)| f(i, c));
    }
    #[cfg(not(feature = "parallel"))]
    {
        data.chunks_mut(chunk).enumerate().for_each(|(i, c)| f(i, c));
    }
}
