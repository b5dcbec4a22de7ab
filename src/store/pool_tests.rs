//! The read pool: bounded, shared, and whole again after a read that panics.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use super::MAX_READERS;
use super::test_support::store;

fn open_readers(store: &super::Store) -> (usize, usize) {
    let pool = store.readers.pool.lock().expect("pool lock");
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

#[test]
fn a_statement_run_again_with_new_values_is_not_compiled_again() {
    // Without the planner's stability guarantee SQLite compiles a statement again whenever a
    // value it planned with is bound anew (a LIMIT, an equality before an ORDER BY), on every
    // run: a third of a thread page's cost.
    use rusqlite::StatementStatus;
    let store = store();
    let sql = "SELECT word FROM muted_words WHERE user_id = ?1 ORDER BY word LIMIT ?2";
    store
        .read(|c| {
            for n in 1..=3 {
                let mut stmt = c.prepare_cached(sql)?;
                let words: Vec<String> = stmt
                    .query_map(rusqlite::params![n, n], |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()?;
                assert!(words.is_empty());
            }
            let stmt = c.prepare_cached(sql)?;
            assert_eq!(stmt.get_status(StatementStatus::Run), 3);
            assert_eq!(stmt.get_status(StatementStatus::RePrepare), 0);
            Ok(())
        })
        .expect("read");
}
