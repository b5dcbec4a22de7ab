//! The store at scale, in this process: boards, threads and posts seeded fast through the
//! store's own functions (the same tables and full-text index a post goes into), on an
//! encrypted database, then the pages and searches a member's screens ask for.

use std::time::{Duration, Instant};

use haven::config::{BoardSeed, Config, Encryption};
use haven::domain::{BoardId, Draft, DraftPlace, Role, ThreadId, User};
use haven::service::KeyInfo;
use haven::store::{boards, posts};
use rand::RngExt;

use crate::stats::Samples;

pub struct StoreReport {
    pub posts: usize,
    pub boards: usize,
    pub seeded_in: Duration,
    pub board_list: Samples,
    pub board_page: Samples,
    pub thread_page: Samples,
    pub search_common: Samples,
    pub search_rare: Samples,
    pub search_phrase: Samples,
    pub durable_posts_per_s: f64,
    pub writers: usize,
    pub cold_start: Duration,
    pub db_bytes: u64,
}

/// The words posts are made of: a few thousand, picked with a skew, so that some are in
/// many posts and most in few.
struct Words {
    vocabulary: Vec<String>,
}

/// In about half the posts.
pub const COMMON: &str = "today";
/// In one post in 100,000.
pub const RARE: &str = "zephyrine";
/// Both words in about one post in fifty.
pub const PHRASE: &str = "small steps";

impl Words {
    fn new() -> Words {
        let mut rng = rand::rng();
        let vocabulary = (0..4000)
            .map(|_| {
                let len = rng.random_range(4..10);
                (0..len)
                    .map(|_| char::from(b'a' + rng.random_range(0..26u8)))
                    .collect()
            })
            .collect();
        Words { vocabulary }
    }

    fn body(&self, rng: &mut rand::rngs::ThreadRng, n: usize) -> String {
        let mut words: Vec<&str> = (0..28)
            .map(|_| {
                let x: f64 = rng.random();
                self.vocabulary[((x * x * x) * self.vocabulary.len() as f64) as usize].as_str()
            })
            .collect();
        if rng.random_bool(0.5) {
            words.push(COMMON);
        }
        if n % 50 == 7 {
            words.push(PHRASE);
        }
        if n % 100_000 == 99_999 {
            words.push(RARE);
        }
        words.join(" ")
    }
}

fn key() -> KeyInfo {
    let k = russh::keys::PrivateKey::random(&mut rand::rng(), russh::keys::Algorithm::Ed25519)
        .expect("key");
    KeyInfo::from_public_key(k.public_key()).expect("key info")
}

fn config(dir: &std::path::Path) -> Config {
    let mut config = Config {
        data_dir: dir.to_path_buf(),
        encryption: Encryption::Keyfile,
        ..Config::default()
    };
    let p = &mut config.posting;
    p.post_interval = 0;
    p.new_member_post_interval = 0;
    p.new_member_thread_interval = 0;
    p.first_day_threads = 1_000_000;
    p.first_day_replies = 1_000_000;
    p.duplicate_window = 0;
    config
}

/// Times `f` `n` times.
fn sample(n: usize, mut f: impl FnMut(usize)) -> Samples {
    let mut s = Samples::default();
    for i in 0..n {
        let t = Instant::now();
        f(i);
        s.push(t.elapsed());
    }
    s
}

pub fn run(total_posts: usize, board_count: usize, samples: usize, write_secs: f64) -> StoreReport {
    let dir = tempfile::tempdir().expect("tempdir");
    let service = haven::boot::open(config(dir.path()), false)
        .expect("open store")
        .service;
    let members: Vec<User> = (0..100)
        .map(|i| {
            service
                .add_user(&format!("writer{i}"), &key(), Role::Member)
                .expect("member")
        })
        .collect();
    let reader = service
        .add_user("reader", &key(), Role::Member)
        .expect("reader");
    let words = Words::new();
    let began = Instant::now();
    let store = service.store().clone();
    let boards: Vec<BoardId> = store
        .write(|c| {
            (0..board_count)
                .map(|i| {
                    boards::create(
                        c,
                        &BoardSeed {
                            slug: format!("bench-{i}"),
                            name: format!("Bench board {i}"),
                            description: "Seeded by bbs-bench".into(),
                            read_only: false,
                            anonymous: i % 4 == 0,
                            welcome: false,
                        },
                    )
                })
                .collect()
        })
        .expect("boards");
    // Ten posts a thread, threads spread over the boards, in batches of a few thousand.
    let mut threads: Vec<ThreadId> = Vec::new();
    let mut n = 0usize;
    let mut rng = rand::rng();
    while n < total_posts {
        let batch = (total_posts - n).min(5000);
        let made = store
            .write(|c| {
                let mut made = Vec::new();
                let mut current = None;
                for k in 0..batch {
                    let body = words.body(&mut rng, n + k);
                    let author = &members[(n + k) % members.len()];
                    let post = posts::NewPost {
                        author: author.id,
                        body: &body,
                        content_warning: None,
                        anonymous: false,
                        held: false,
                    };
                    match current {
                        Some(t) if !(n + k).is_multiple_of(10) => {
                            posts::reply(c, t, &post)?;
                        }
                        _ => {
                            let board = boards[(n + k) / 10 % boards.len()];
                            let title = words.body(&mut rng, 1);
                            let title = &title[..title.len().min(40)];
                            let (t, _) = posts::create_thread(c, board, title, &post)?;
                            current = Some(t);
                            made.push(t);
                        }
                    }
                }
                Ok(made)
            })
            .expect("seed posts");
        threads.extend(made);
        n += batch;
    }
    let seeded_in = began.elapsed();
    // The write-ahead log is folded in, as it would be on a server that has run a while.
    store.checkpoint().expect("checkpoint");

    let board_list = sample(samples.min(50), |_| {
        service.boards(&reader).expect("boards");
    });
    let board_page = sample(samples, |i| {
        service
            .threads(&reader, boards[i * 7919 % boards.len()], 0, 20)
            .expect("threads");
    });
    let thread_page = sample(samples, |i| {
        service
            .thread(&reader, threads[i * 104_729 % threads.len()], 0)
            .expect("thread");
    });
    let search_common = sample(samples.min(50), |_| {
        service.search(&reader, COMMON).expect("search");
    });
    let search_rare = sample(samples.min(50), |_| {
        service.search(&reader, RARE).expect("search");
    });
    let search_phrase = sample(samples.min(50), |_| {
        service.search(&reader, PHRASE).expect("search");
    });

    // Durable posts per second: writers posting replies at once, each acknowledged only
    // when its transaction is on disk.
    let writers = 16;
    // The writers post as members past their first day: the first-day limits count what a
    // member wrote since joining, and the seeding gave each of these 10,000 posts (at a
    // million), more than any member can write on their first day.
    store
        .write(|c| {
            for m in &members[..writers] {
                haven::store::pace::set_trust_level(c, m.id, 1)?;
            }
            Ok(())
        })
        .expect("trust the writers");
    super::progress(&format!(
        "store: {writers} writers posting for {write_secs} s (pid {})",
        std::process::id()
    ));
    let deadline = Instant::now() + Duration::from_secs_f64(write_secs);
    let began = Instant::now();
    let posted: usize = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..writers)
            .map(|w| {
                let service = &service;
                let author = &members[w];
                let thread = threads[w * 31 % threads.len()];
                let board = boards[w * 31 / 10 % boards.len()];
                scope.spawn(move || {
                    let mut count = 0;
                    while Instant::now() < deadline {
                        let draft = Draft {
                            body: format!("durable reply {w} {count}"),
                            ..Draft::default()
                        };
                        // The thread's board is looked up by the service; the one given
                        // here only names where the draft was written.
                        let place = DraftPlace::Reply(board, thread);
                        service.post(author, place, &draft).expect("post");
                        count += 1;
                    }
                    count
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("writer")).sum()
    });
    let durable_posts_per_s = posted as f64 / began.elapsed().as_secs_f64();

    drop(service);
    drop(store);
    let began = Instant::now();
    let reopened = haven::boot::open(config(dir.path()), false).expect("reopen");
    let cold_start = began.elapsed();
    drop(reopened);
    let db_bytes = std::fs::metadata(dir.path().join(haven::boot::DB_FILE))
        .map(|m| m.len())
        .unwrap_or(0);
    StoreReport {
        posts: total_posts,
        boards: board_count,
        seeded_in,
        board_list,
        board_page,
        thread_page,
        search_common,
        search_rare,
        search_phrase,
        durable_posts_per_s,
        writers,
        cold_start,
        db_bytes,
    }
}
