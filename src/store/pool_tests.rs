//! The read pool: bounded, shared, and whole again after a read that panics.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use super::MAX_READERS;
use super::test_support::store;

fn open_readers(store: &super::Store) -> (usize, usize) {
    let pool = store.readers.pool.lock().unwrap();
    (pool.open, pool.idle.len())
}

#[test]
fn many_reads_at_once_share_a_bounded_pool_and_all_finish() {
    let store = Arc::new(store());
    let inside = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let threads: Vec<_> = (0..64)
        .map(|_| {
            let (store, inside, most) = (store.clone(), inside.clone(), most.clone());
            std::thread::spawn(move || {
                store
                    .read(|c| {
                        let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        std::thread::sleep(Duration::from_millis(5));
                        let n: i64 = c.query_row("SELECT count(*) FROM users", [], |r| r.get(0))?;
                        inside.fetch_sub(1, Ordering::SeqCst);
                        Ok(n)
                    })
                    .expect("read")
            })
        })
        .collect();
    for t in threads {
        assert_eq!(t.join().expect("reader thread"), 0);
    }
    let most = most.load(Ordering::SeqCst);
    assert!(most <= MAX_READERS, "{most} reads ran at once");
    assert!(most > 1, "reads ran one at a time");
    let (open, idle) = open_readers(&store);
    assert!(open <= MAX_READERS, "{open} connections open");
    assert_eq!(open, idle, "every connection came back");
}

#[test]
fn a_read_that_panics_gives_its_connection_back() {
    let store = store();
    for _ in 0..MAX_READERS * 2 {
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            store.read(|_| -> super::Result<()> { panic!("a bug in a read") })
        }));
        assert!(r.is_err());
    }
    let (open, idle) = open_readers(&store);
    assert_eq!(open, idle);
    assert!(open <= MAX_READERS);
    // Were the connections lost, this read would wait for ever.
    let n: i64 = store
        .read(|c| Ok(c.query_row("SELECT 1", [], |r| r.get(0))?))
        .expect("read");
    assert_eq!(n, 1);
}
