//! Values remembered per thread between the specs of a batch: a value computed from a key is
//! handed out again for an equal key. Keys are the plain data the value is computed from
//! (catalogue entries, endpoint fields, a policy's JSON text), compared exactly, so a remembered
//! value is always the one that would have been computed.

use std::any::{Any, TypeId};
use std::cell::RefCell;
use std::hash::Hash;

use foldhash::{HashMap, HashMapExt};

/// How many values of one kind a thread keeps; past it, it starts over rather than tracking
/// which it used last. Enough for every catalogue service in a few variants.
const KEEP: usize = 2048;

thread_local! {
    /// One table per kind of value, found by the types of its key and value.
    static TABLES: RefCell<HashMap<TypeId, Box<dyn Any>>> = RefCell::default();
}

/// The value for `key`: remembered, or made by `make` and remembered. `make` may itself ask
/// for remembered values.
pub(crate) fn remember<K, V>(key: K, make: impl FnOnce(&K) -> V) -> V
where
    K: Hash + Eq + 'static,
    V: Clone + 'static,
{
    let found = TABLES.with_borrow_mut(|tables| table::<K, V>(tables).get(&key).cloned());
    if let Some(v) = found {
        return v;
    }
    let value = make(&key);
    TABLES.with_borrow_mut(|tables| {
        let t = table::<K, V>(tables);
        if t.len() >= KEEP {
            t.clear();
        }
        t.insert(key, value.clone());
    });
    value
}

fn table<K: Hash + Eq + 'static, V: 'static>(
    tables: &mut HashMap<TypeId, Box<dyn Any>>,
) -> &mut HashMap<K, V> {
    tables
        .entry(TypeId::of::<HashMap<K, V>>())
        .or_insert_with(|| Box::new(HashMap::<K, V>::new()))
        .downcast_mut()
        .expect("each table is stored under its own type")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_keys_get_the_remembered_value_and_others_their_own() {
        let calls = std::cell::Cell::new(0);
        let square = |k: &u32| {
            calls.set(calls.get() + 1);
            k * k
        };
        assert_eq!(remember(3u32, square), 9);
        assert_eq!(remember(3u32, square), 9);
        assert_eq!(remember(4u32, square), 16);
        assert_eq!(calls.get(), 2);
        // Another kind of value under an equal key is its own.
        assert_eq!(remember(3u32, |k| format!("{k}")), "3");
    }

    #[test]
    fn a_value_may_be_made_from_other_remembered_values() {
        let outer = remember(("outer", 1u8), |_| remember(2u16, |k| *k + 1) * 10);
        assert_eq!(outer, 30);
    }
}
