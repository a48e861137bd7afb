//! The process's allocator: glibc's malloc until a command asks for
//! mimalloc, then mimalloc for every new block.
//!
//! Why two: a query's evaluator allocates and frees a row at each join of
//! each answer row, and glibc's bookkeeping for that (free lists, merging
//! chunks) costs far more than mimalloc's. A build, though, is tuned for
//! glibc, and its peak memory is higher with mimalloc
//! (docs/performance.md), so commands that build keep glibc. The choice is
//! made at the start of `main` (and by `bench` around the queries it
//! times, with other threads alive). Any block, whenever it was made, is
//! freed by the allocator that made it, which mimalloc tells apart by
//! address once it has been in use.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, Ordering};

use libmimalloc_sys as mi;

/// The global allocator `main` installs.
pub struct Allocator;

/// Whether new blocks come from mimalloc.
static MIMALLOC: AtomicBool = AtomicBool::new(false);
/// Whether mimalloc has ever been in use, so that a block may be its.
static MIMALLOC_USED: AtomicBool = AtomicBool::new(false);

/// From now on, new blocks come from mimalloc.
pub fn use_mimalloc() {
    MIMALLOC_USED.store(true, Ordering::Relaxed);
    // Release: a thread that sees mimalloc in use, and so may free one of
    // its blocks, also sees `MIMALLOC_USED`.
    MIMALLOC.store(true, Ordering::Release);
}

/// `work` with new blocks from mimalloc, then from the allocator in use
/// before: how `bench` times queries as `xietong query` runs them, between
/// builds that keep glibc.
pub fn with_mimalloc<R>(work: impl FnOnce() -> R) -> R {
    let before = mimalloc();
    use_mimalloc();
    let result = work();
    MIMALLOC.store(before, Ordering::Release);
    result
}

fn mimalloc() -> bool {
    MIMALLOC.load(Ordering::Acquire)
}

/// Whether mimalloc made the block: only once it has been in use, and
/// then by the address ranges it reserved.
fn from_mimalloc(ptr: *mut u8) -> bool {
    // SAFETY: mi_is_in_heap_region only looks the address up in mimalloc's
    // map of the memory it reserved (every page of it, huge pages included,
    // in the mimalloc that libmimalloc-sys 0.1.49 bundles; Cargo.toml pins
    // it), so a block glibc made is never taken for mimalloc's.
    MIMALLOC_USED.load(Ordering::Relaxed) && unsafe { mi::mi_is_in_heap_region(ptr.cast()) }
}

// SAFETY: each block is freed or resized by the allocator that made it
// (`from_mimalloc`), and both allocators honour the layout's alignment.
unsafe impl GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if mimalloc() {
            // SAFETY: a layout's alignment is a power of two.
            unsafe { mi::mi_malloc_aligned(layout.size(), layout.align()).cast() }
        } else {
            // SAFETY: the caller's contract, passed on.
            unsafe { System.alloc(layout) }
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if mimalloc() {
            // SAFETY: as in `alloc`.
            unsafe { mi::mi_zalloc_aligned(layout.size(), layout.align()).cast() }
        } else {
            // SAFETY: the caller's contract, passed on.
            unsafe { System.alloc_zeroed(layout) }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if from_mimalloc(ptr) {
            // SAFETY: mimalloc made the block.
            unsafe { mi::mi_free(ptr.cast()) }
        } else {
            // SAFETY: glibc made the block; the caller's contract, passed on.
            unsafe { System.dealloc(ptr, layout) }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if from_mimalloc(ptr) {
            // SAFETY: mimalloc made the block.
            unsafe { mi::mi_realloc_aligned(ptr.cast(), new_size, layout.align()).cast() }
        } else {
            // SAFETY: glibc made the block; the caller's contract, passed on.
            unsafe { System.realloc(ptr, layout, new_size) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Blocks from both allocators are freed and resized by the right one,
    /// whichever is in use when they are, at any alignment and size
    /// (glibc's large blocks are mmapped chunks, mimalloc's huge ones
    /// come from the OS directly).
    #[test]
    fn blocks_go_back_to_the_allocator_that_made_them() {
        let a = Allocator;
        let layouts = [(100, 16), (100, 4096), (2 << 20, 64), (80 << 20, 16)].map(|(size, align)| Layout::from_size_align(size, align).unwrap());
        // SAFETY: the layouts are non-zero in size; each block is used
        // within its size and freed once, with the layout it has.
        unsafe {
            let before: Vec<*mut u8> = layouts.iter().map(|l| a.alloc_zeroed(*l)).collect();
            for (p, l) in before.iter().zip(&layouts) {
                assert!(!p.is_null() && !mi::mi_is_in_heap_region(p.cast()));
                assert_eq!(*p as usize % l.align(), 0);
                assert!(std::slice::from_raw_parts(*p, l.size()).iter().all(|b| *b == 0));
            }
            let after: Vec<*mut u8> = with_mimalloc(|| layouts.iter().map(|l| a.alloc_zeroed(*l)).collect());
            // Back to glibc for new blocks: mimalloc's are still its own.
            let glibc_again = a.alloc(layouts[0]);
            assert!(!mi::mi_is_in_heap_region(glibc_again.cast()));
            a.dealloc(glibc_again, layouts[0]);
            for (p, l) in after.iter().zip(&layouts) {
                assert!(!p.is_null() && mi::mi_is_in_heap_region(p.cast()), "{l:?}");
                assert_eq!(*p as usize % l.align(), 0, "{l:?}");
                assert!(std::slice::from_raw_parts(*p, l.size()).iter().all(|b| *b == 0));
            }
            // Each block is resized and freed while the other allocator is
            // the one in use.
            for (blocks, from_mimalloc) in [(before, false), (after, true)] {
                let resize_and_free = || {
                    for (p, l) in blocks.into_iter().zip(&layouts) {
                        p.write(7);
                        let bigger = l.size() * 2;
                        let q = a.realloc(p, *l, bigger);
                        assert_eq!(mi::mi_is_in_heap_region(q.cast()), from_mimalloc, "a block stays with its allocator when resized: {l:?}");
                        assert_eq!((q.read(), q as usize % l.align()), (7, 0), "{l:?}");
                        a.dealloc(q, Layout::from_size_align(bigger, l.align()).unwrap());
                    }
                };
                if from_mimalloc {
                    resize_and_free();
                } else {
                    with_mimalloc(resize_and_free);
                }
            }
        }
    }
}
