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

/// mimalloc's small blocks (every size class above one word) are whole numbers of 16 bytes
/// carved from aligned pages, so a block for a layout no more aligned than 16 bytes and than its
/// size is aligned as asked: mimalloc's own `mi_malloc_is_naturally_aligned` rule, which its
/// aligned entry points apply before calling plain `malloc`. Like them, each call checks the
/// block it got and takes the aligned path should the rule ever not hold (a debug build of
/// mimalloc with guard pages, a later version).
const NATURAL_ALIGN: usize = 16;

fn natural(align: usize, size: usize) -> bool {
    align <= NATURAL_ALIGN && align <= size
}

fn aligned(p: *mut c_void, align: usize) -> bool {
    (p as usize) & (align - 1) == 0
}

/// A block for `layout` from `plain` when mimalloc's natural alignment serves it, checked, else
/// from `aligned_call`.
///
/// # Safety
///
/// `plain` and `aligned_call` must be a matching pair of mimalloc's entry points (`mi_malloc`
/// and `mi_malloc_aligned`, or their zeroing twins), and `layout` must not be empty.
#[inline]
unsafe fn block(
    layout: Layout,
    plain: unsafe extern "C" fn(usize) -> *mut c_void,
    aligned_call: unsafe extern "C" fn(usize, usize) -> *mut c_void,
) -> *mut u8 {
    let (size, align) = (layout.size(), layout.align());
    // SAFETY: FFI calls with a size and a power-of-two alignment; mimalloc returns null when out
    // of memory, as `alloc` may. A misaligned block is freed before it is replaced.
    unsafe {
        if natural(align, size) {
            let p = plain(size);
            if aligned(p, align) {
                return p.cast();
            }
            mi::mi_free(p);
        }
        aligned_call(size, align).cast()
    }
}

/// Set as the global allocator by the binary and the benchmarks.
pub struct Allocator;

// SAFETY: every block comes from mimalloc and goes back to it through `mi_free`, which takes
// blocks of its plain and aligned entry points alike; every block returned is aligned as its
// layout asks, either checked after a plain call or made so by an aligned one.
unsafe impl GlobalAlloc for Allocator {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: mimalloc's allocating calls, plain and aligned.
        unsafe { block(layout, mi::mi_malloc, mi::mi_malloc_aligned) }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: mimalloc's zeroing calls, plain and aligned.
        unsafe { block(layout, mi::mi_zalloc, mi::mi_zalloc_aligned) }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        // SAFETY: `ptr` came from this allocator, so from mimalloc.
        unsafe { mi::mi_free(ptr.cast::<c_void>()) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let align = layout.align();
        // SAFETY: `ptr` came from mimalloc and is live. The new block holds the old contents
        // (up to `new_size`); should a plain reallocation come back misaligned, the aligned
        // reallocation moves those contents on to an aligned block.
        unsafe {
            let p = ptr.cast::<c_void>();
            if natural(align, new_size) {
                let q = mi::mi_realloc(p, new_size);
                if q.is_null() || aligned(q, align) {
                    return q.cast();
                }
                return mi::mi_realloc_aligned(q, new_size, align).cast();
            }
            mi::mi_realloc_aligned(p, new_size, align).cast()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_aligned_as_their_layouts_ask() {
        // Sizes around each alignment, small and large, through every entry point; many blocks
        // of each layout at once, so that a misaligned one shows rather than turning up by luck.
        for align in [1, 2, 4, 8, 16, 32, 64, 4096] {
            for size in [1, 3, 8, 15, 16, 24, 40, 48, 100, 1000, 70_000] {
                let layout = Layout::from_size_align(size, align).unwrap();
                let mut live = Vec::new();
                for _ in 0..64 {
                    // SAFETY: non-zero sizes; every block is freed below with its layout.
                    unsafe {
                        let a = Allocator.alloc(layout);
                        let z = Allocator.alloc_zeroed(layout);
                        assert!(!a.is_null() && !z.is_null());
                        assert_eq!(a as usize % align, 0, "alloc {size}/{align}");
                        assert_eq!(z as usize % align, 0, "alloc_zeroed {size}/{align}");
                        assert!(std::slice::from_raw_parts(z, size).iter().all(|&b| b == 0));
                        live.push((a, layout));
                        live.push((z, layout));
                    }
                }
                // Every block grown, then shrunk below its alignment where it can be.
                for (p, layout) in &mut live {
                    for new_size in [layout.size() * 3, 1.max(layout.size() / 5), 7] {
                        // SAFETY: `p` is live with `layout`; the contents that fit must stay.
                        unsafe {
                            p.write_bytes(9, layout.size().min(new_size));
                            let q = Allocator.realloc(*p, *layout, new_size);
                            assert!(!q.is_null());
                            assert_eq!(
                                q as usize % align,
                                0,
                                "realloc {size}/{align} to {new_size}"
                            );
                            let kept = layout.size().min(new_size);
                            assert!(std::slice::from_raw_parts(q, kept).iter().all(|&b| b == 9));
                            *p = q;
                            *layout = Layout::from_size_align(new_size, align).unwrap();
                        }
                    }
                }
                for (p, layout) in live {
                    // SAFETY: each block is live with this layout.
                    unsafe { Allocator.dealloc(p, layout) };
                }
            }
        }
    }
}
