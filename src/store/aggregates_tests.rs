//! The kept aggregates (migration 3) answer exactly what the per-reader queries answer, for
//! every reader without blocks or hidden pseudonyms, whatever happened to the posts: random
//! runs of posting, holding, approving, rejecting, hiding, restoring, moving threads, reading
//! and erasing accounts, compared after each step.

use arbtest::arbitrary::Unstructured;

use super::posts::{self, NewPost};
use super::test_support::{member, store};
use super::visibility::Reader;
use super::{Store, boards, erase};
use crate::config::Config;
use crate::domain::{BoardId, PostId, ThreadId, UserId};

/// Every board page and the board list, plain and exact, for `reader`.
fn agree(store: &Store, reader: &Reader, boards_seen: &[BoardId]) {
    store
        .read(|c| {
            assert_eq!(
                boards::list_with(c, reader, true)?,
                boards::list_with(c, reader, false)?,
                "board counts"
            );
            for &b in boards_seen {
                for offset in [0, 3] {
                    assert_eq!(
                        posts::threads_page_plain(c, reader, b, offset, 4)?,
                        posts::threads_page_exact(c, reader, b, offset, 4)?,
                        "threads of board {b:?} from {offset}"
                    );
                }
            }
            Ok(())
        })
        .expect("read");
}

#[test]
fn the_kept_counts_match_the_counted_ones_for_plain_readers() {
    arbtest::arbtest(|u: &mut Unstructured<'_>| {
        let store = store();
        store
            .write(|c| boards::seed(c, &Config::default().boards))
            .expect("seed");
        let members: Vec<UserId> = (0..4).map(|i| member(&store, &format!("m{i}"))).collect();
        let board_ids = [BoardId(1), BoardId(2), BoardId(3)];
        let mut threads: Vec<ThreadId> = Vec::new();
        let mut posts_made: Vec<PostId> = Vec::new();
        let mut erased: Vec<UserId> = Vec::new();
        for _ in 0..u.int_in_range(1..=30)? {
            let who = *u.choose(&members)?;
            if erased.contains(&who) {
                continue;
            }
            let held = u.ratio(1, 5)?;
            let post = NewPost {
                author: who,
                body: "words",
                content_warning: None,
                anonymous: u.ratio(1, 4)?,
                held,
            };
            let step = u.int_in_range(0..=7)?;
            let result = store.write(|c| {
                match step {
                    0 | 1 if threads.is_empty() || step == 0 => {
                        let b = board_ids[(who.0 as usize) % board_ids.len()];
                        let (t, p) = posts::create_thread(c, b, "t", &post)?;
                        threads.push(t);
                        posts_made.push(p);
                    }
                    1 | 2 if !threads.is_empty() => {
                        let t = threads[(who.0 as usize + posts_made.len()) % threads.len()];
                        posts_made.push(posts::reply(c, t, &post)?);
                    }
                    3 if !posts_made.is_empty() => {
                        let p = posts_made[posts_made.len() / 2];
                        posts::set_post_hidden(c, p, who.0 % 2 == 0)?;
                    }
                    4 if !posts_made.is_empty() => {
                        let p = posts_made[(who.0 as usize) % posts_made.len()];
                        posts::decide_held(c, p, who.0 % 2 == 1)?;
                    }
                    5 if !threads.is_empty() => {
                        let t = threads[threads.len() - 1];
                        posts::move_thread(c, t, board_ids[(who.0 as usize) % 3])?;
                    }
                    6 if !threads.is_empty() && !posts_made.is_empty() => {
                        let t = threads[0];
                        let last: Option<PostId> = c.query_row(
                            "SELECT max(id) FROM posts WHERE thread_id = ?1",
                            [t],
                            |r| r.get(0),
                        )?;
                        if let Some(p) = last {
                            posts::mark_read(c, who, t, p)?;
                        }
                    }
                    7 => {
                        erase::delete_account(c, who, who.0 % 2 == 0)?;
                    }
                    _ => {}
                }
                Ok(())
            });
            result.expect("step");
            if step == 7 {
                erased.push(who);
                threads.clear();
                posts_made.clear();
                let mut ids = store
                    .read(|c| {
                        let mut s = c.prepare("SELECT id FROM threads ORDER BY id")?;
                        let v = s
                            .query_map([], |r| r.get(0))?
                            .collect::<rusqlite::Result<Vec<ThreadId>>>()?;
                        Ok(v)
                    })
                    .expect("threads");
                threads.append(&mut ids);
                let mut ids = store
                    .read(|c| {
                        let mut s = c.prepare("SELECT id FROM posts ORDER BY id")?;
                        let v = s
                            .query_map([], |r| r.get(0))?
                            .collect::<rusqlite::Result<Vec<PostId>>>()?;
                        Ok(v)
                    })
                    .expect("posts");
                posts_made.append(&mut ids);
            }
            for &m in &members {
                if erased.contains(&m) {
                    continue;
                }
                let reader = Reader {
                    id: m,
                    welcome_only: false,
                    staff: false,
                };
                agree(&store, &reader, &board_ids);
                let waiting = Reader {
                    id: m,
                    welcome_only: true,
                    staff: false,
                };
                agree(&store, &waiting, &board_ids);
            }
        }
        Ok(())
    })
    .budget_ms(3000);
}

/// Found by the property above: after the author of a thread erased their account, the next
/// erasure in that thread unindexed the oldest reply with the thread's title, which it was never
/// indexed under, and the full-text index broke ("database disk image is malformed").
#[test]
fn erasing_accounts_one_after_another_in_one_thread_keeps_the_index_whole() {
    let store = store();
    store
        .write(|c| boards::seed(c, &Config::default().boards))
        .expect("seed");
    let (a, b, c3) = (
        member(&store, "a"),
        member(&store, "b"),
        member(&store, "c"),
    );
    let post = |author, body: &'static str| NewPost {
        author,
        body,
        content_warning: None,
        anonymous: false,
        held: false,
    };
    let t = store
        .write(|c| Ok(posts::create_thread(c, BoardId(1), "opening words", &post(a, "first"))?.0))
        .expect("thread");
    for (who, body) in [(b, "second reply"), (c3, "third reply")] {
        store
            .write(|c| posts::reply(c, t, &post(who, body)))
            .expect("reply");
    }
    store
        .write(|c| erase::delete_account(c, a, true))
        .expect("erase the thread's author");
    store
        .write(|c| erase::delete_account(c, b, true))
        .expect("erase the oldest replier");
    let reader = Reader {
        id: c3,
        welcome_only: false,
        staff: false,
    };
    let hits = |q: &str| {
        store
            .read(|c| {
                let query = format!("\"{q}\"");
                super::search::search(c, &reader, Some(&query), &Default::default(), 0)
            })
            .expect("search")
    };
    assert_eq!(hits("third").len(), 1, "what is left is still found");
    assert!(
        hits("second").is_empty(),
        "an erased reply is gone from the index"
    );
    assert!(
        hits("opening").is_empty(),
        "an erased title is gone from the index"
    );
    store
        .read(|c| {
            c.execute_batch(
                "INSERT INTO posts_fts (posts_fts, rank) VALUES ('integrity-check', 0)",
            )?;
            Ok(())
        })
        .expect("the index is whole");
}
