//! The process's allocator: glibc's malloc until a command asks for
//! mimalloc, then mimalloc for every new block.
//!
//! Why two: a query's evaluator allocates and frees a row at each join of
//! each answer row, and with glibc that bookkeeping (free lists, chunk
//! merging) was a quarter of a large query's time; mimalloc takes 15–25 %
//! off the competency queries. A build, though, is tuned for glibc (its
//! peak memory at 10 000 articles is 120 MB with glibc, 234 MB with
//! mimalloc), so commands that build keep glibc. The choice is made once,
//! at the start of `main`: blocks allocated before it (the parsed command
//! line) are freed by the allocator that made them, which mimalloc tells
//! apart by address.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, Ordering};

use libmimalloc_sys as mi;

/// The global allocator `main` installs.
pub struct Allocator;

static MIMALLOC: AtomicBool = AtomicBool::new(false);

/// From now on, new blocks come from mimalloc. Never undone.
pub fn use_mimalloc() {
    MIMALLOC.store(true, Ordering::Relaxed);
}

fn mimalloc() -> bool {
    MIMALLOC.load(Ordering::Relaxed)
}

/// Whether mimalloc made the block: only once it is in use, and then by
/// the address ranges it reserved.
fn from_mimalloc(ptr: *mut u8) -> bool {
    // SAFETY: mi_is_in_heap_region only compares the address with
    // mimalloc's reserved regions.
    mimalloc() && unsafe { mi::mi_is_in_heap_region(ptr.cast()) }
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
    /// whichever is in use when they are.
    #[test]
    fn blocks_go_back_to_the_allocator_that_made_them() {
        let a = Allocator;
        let layout = Layout::from_size_align(100, 16).unwrap();
        // SAFETY: the layout is non-zero in size; each block is used within its size.
        unsafe {
            let before = a.alloc(layout);
            assert!(!before.is_null() && !mi::mi_is_in_heap_region(before.cast()));
            use_mimalloc();
            let after = a.alloc(layout);
            assert!(!after.is_null() && mi::mi_is_in_heap_region(after.cast()));
            assert_eq!(after as usize % 16, 0);
            let before = a.realloc(before, layout, 10_000);
            assert!(!mi::mi_is_in_heap_region(before.cast()), "a glibc block stays glibc's when resized");
            let after = a.realloc(after, layout, 10_000);
            assert!(mi::mi_is_in_heap_region(after.cast()));
            let big = Layout::from_size_align(10_000, 16).unwrap();
            a.dealloc(before, big);
            a.dealloc(after, big);
        }
    }
}
