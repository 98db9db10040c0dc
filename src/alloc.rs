//! The process's memory allocator: mimalloc, entered through its plain `malloc` whenever the
//! layout allows, as the standard library does with the C library's allocator.
//!
//! A render makes and frees over a thousand small template values per spec. mimalloc's aligned
//! entry points take a longer path (three calls and a check that ends in plain `malloc` for
//! these layouts) than its plain ones, and the `mimalloc` crate sends every allocation through
//! them; calling plain `malloc` directly took 3 % off a batch's instructions (BENCHMARKS.md).

use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

use libmimalloc_sys as mi;

/// mimalloc hands out blocks aligned to their own size up to this alignment (its
/// `MI_MAX_ALIGN_SIZE`), so a layout no more aligned than this and than its size needs no
/// aligned allocation: the rule of mimalloc's own `mi_malloc_is_naturally_aligned`.
const NATURAL_ALIGN: usize = 16;

fn natural(align: usize, size: usize) -> bool {
    align <= NATURAL_ALIGN && align <= size
}

/// Set as the global allocator by the binary and the benchmarks.
pub struct Allocator;

// SAFETY: every block comes from mimalloc and goes back to it; a block is aligned as its layout
// asks, either by mimalloc's natural alignment (see `natural`) or by its aligned entry points.
unsafe impl GlobalAlloc for Allocator {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: plain FFI calls; mimalloc returns null when out of memory, as `alloc` may.
        unsafe {
            if natural(layout.align(), layout.size()) {
                mi::mi_malloc(layout.size()).cast()
            } else {
                mi::mi_malloc_aligned(layout.size(), layout.align()).cast()
            }
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as `alloc`.
        unsafe {
            if natural(layout.align(), layout.size()) {
                mi::mi_zalloc(layout.size()).cast()
            } else {
                mi::mi_zalloc_aligned(layout.size(), layout.align()).cast()
            }
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        // SAFETY: `ptr` came from this allocator, so from mimalloc.
        unsafe { mi::mi_free(ptr.cast::<c_void>()) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` came from mimalloc; the new block is aligned as in `alloc`.
        unsafe {
            if natural(layout.align(), new_size) {
                mi::mi_realloc(ptr.cast::<c_void>(), new_size).cast()
            } else {
                mi::mi_realloc_aligned(ptr.cast::<c_void>(), new_size, layout.align()).cast()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_aligned_as_their_layouts_ask() {
        // Sizes around each alignment, small and large, through every entry point.
        for align in [1, 2, 4, 8, 16, 32, 64, 4096] {
            for size in [1, 3, 8, 15, 16, 24, 40, 48, 100, 1000, 70_000] {
                let layout = Layout::from_size_align(size, align).unwrap();
                // SAFETY: non-zero sizes; every block is freed with the layout it was made with.
                unsafe {
                    let a = Allocator.alloc(layout);
                    let z = Allocator.alloc_zeroed(layout);
                    assert!(!a.is_null() && !z.is_null());
                    assert_eq!(a as usize % align, 0, "alloc {size}/{align}");
                    assert_eq!(z as usize % align, 0, "alloc_zeroed {size}/{align}");
                    assert!(std::slice::from_raw_parts(z, size).iter().all(|&b| b == 0));
                    a.write_bytes(7, size);
                    let grown = Allocator.realloc(a, layout, size * 3);
                    assert_eq!(grown as usize % align, 0, "realloc {size}/{align}");
                    assert!(
                        std::slice::from_raw_parts(grown, size)
                            .iter()
                            .all(|&b| b == 7)
                    );
                    let grown_layout = Layout::from_size_align(size * 3, align).unwrap();
                    Allocator.dealloc(grown, grown_layout);
                    Allocator.dealloc(z, layout);
                }
            }
        }
    }
}
