//! The reader's view as a table (issue "the reader's view in one place"): every kind of reader
//! × every kind of post × every surface that shows a post must agree with one written rule,
//! [`sees`]. A surface that decides visibility on its own drifts from the rule and fails here.
//!
//! And the oracle property: for random small communities, the way every anonymous post shows
//! — author, text with its quotes, search, notifications — does not change whatever a member
//! blocks.

use rand::{RngExt, SeedableRng};

use super::*;
use crate::store::reports::Target;

/// The readers of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    /// Wrote the posts under test.
    Author,
    Stranger,
    /// Blocked the author.
    Blocker,
    /// Was blocked by the author.
    Blocked,
    /// Waiting for approval: the welcome board only.
    Waiting,
    Moderator,
    Sysop,
}

const READERS: [Who; 7] = [
    Who::Author,
    Who::Stranger,
    Who::Blocker,
    Who::Blocked,
    Who::Waiting,
    Who::Moderator,
    Who::Sysop,
];

/// The posts of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Case {
    /// By the author, under their name, in someone else's thread.
    Named,
    /// By the author, anonymously.
    Anonymous,
    /// By the author, anonymously, in a thread where every other reader hid the pseudonym.
    HiddenPseudonym,
    /// By the author, hidden by a moderator.
    HiddenByModerator,
    /// By the author, held for approval.
    Held,
    /// By a stranger, in a thread the author started under their name.
    InAuthorsThread,
    /// By the author, on the welcome board.
    Welcome,
    /// By the author, on a board since archived.
    Archived,
    /// By the member the author blocked, quoting the author's named post.
    QuotingTheBlocker,
    /// By the author, anonymously, quoting a post of the member who blocked them.
    AnonymousQuotingBlocker,
}

const CASES: [Case; 10] = [
    Case::Named,
    Case::Anonymous,
    Case::HiddenPseudonym,
    Case::HiddenByModerator,
    Case::Held,
    Case::InAuthorsThread,
    Case::Welcome,
    Case::Archived,
    Case::QuotingTheBlocker,
    Case::AnonymousQuotingBlocker,
];

/// The rule, written once: may `who` see the post of `case`?
fn sees(who: Who, case: Case) -> bool {
    let welcome_only = who == Who::Waiting;
    match case {
        // A block hides the blocked member's named posts from the blocker, nothing more.
        Case::Named | Case::InAuthorsThread => who != Who::Blocker && !welcome_only,
        // The author blocked its writer.
        Case::QuotingTheBlocker => who != Who::Author && !welcome_only,
        // A block never acts on an anonymous post.
        Case::Anonymous | Case::AnonymousQuotingBlocker => !welcome_only,
        Case::HiddenPseudonym => who == Who::Author,
        Case::HiddenByModerator | Case::Held | Case::Archived => false,
        Case::Welcome => who != Who::Blocker,
    }
}

/// Who wrote the post of `case`.
fn poster(case: Case) -> Who {
    match case {
        Case::InAuthorsThread => Who::Stranger,
        Case::QuotingTheBlocker => Who::Blocked,
        _ => Who::Author,
    }
}

struct World {
    _dir: tempfile::TempDir,
    s: Service,
    readers: Vec<(Who, User)>,
    /// The post of each case, its thread, and the word only it contains.
    posts: Vec<(Case, PostId, ThreadId, String)>,
    /// A thread, readable by every reader but the waiting one, whose posts quote each case.
    quotes: ThreadId,
    /// The quoting post for each case.
    quoting: Vec<(Case, PostId)>,
}

fn open_service() -> (tempfile::TempDir, Service) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = Config {
        data_dir: dir.path().to_path_buf(),
        encryption: crate::config::Encryption::None,
        ..Config::default()
    };
    config.posting.post_interval = 0;
    config.posting.new_member_post_interval = 0;
    config.posting.new_member_thread_interval = 0;
    config.posting.first_day_threads = 1000;
    config.posting.first_day_replies = 1000;
    config.posting.duplicate_window = 0;
    config.watched.approve = vec!["heldword".into()];
    let opened = crate::boot::open(config, false).expect("open");
    (dir, opened.service)
}

fn key() -> KeyInfo {
    let k = russh::keys::PrivateKey::random(&mut rand::rng(), russh::keys::Algorithm::Ed25519)
        .expect("key");
    KeyInfo::from_public_key(k.public_key())
}

fn post(s: &Service, who: &User, place: DraftPlace, title: &str, body: &str, anon: bool) -> Posted {
    let draft = Draft {
        title: title.into(),
        body: body.into(),
        anonymous: anon,
        ..Draft::default()
    };
    s.post(who, place, &draft).expect("post")
}

const WELCOME: BoardId = BoardId(1);
const SUPPORT: BoardId = BoardId(2);
const GENERAL: BoardId = BoardId(4);

fn world() -> World {
    let (dir, s) = open_service();
    let add = |h: &str, role| s.add_user(h, &key(), role).expect("add");
    let author = add("author", Role::Member);
    let stranger = add("stranger", Role::Member);
    let blocker = add("blocker", Role::Member);
    let blocked = add("blocked", Role::Member);
    let waiting = add("waiting", Role::Member);
    let moderator = add("moderator1", Role::Moderator);
    let sysop = add("sysop1", Role::Sysop);
    let neutral = add("neutral", Role::Member);
    s.store()
        .write(|c| users::set_status(c, waiting.id, AccountStatus::Pending, None))
        .expect("pending");
    let waiting = s.user(waiting.id).expect("user").expect("waiting");
    // Everyone is mentioned, so notifications are a surface of every case.
    let mention = "@author @stranger @blocker @blocked @waiting @moderator1 @sysop1";
    let text = |word: &str| format!("{word} {mention}");

    let general = post(
        &s,
        &neutral,
        DraftPlace::NewThread(GENERAL),
        "general",
        "hello",
        false,
    )
    .thread;
    let support = post(
        &s,
        &neutral,
        DraftPlace::NewThread(SUPPORT),
        "support",
        "hi",
        false,
    )
    .thread;
    let reply = |who: &User, t, board, word: &str, anon| {
        post(&s, who, DraftPlace::Reply(board, t), "", &text(word), anon)
    };
    let mut posts = Vec::new();
    let named = reply(&author, general, GENERAL, "tokennamed", false);
    posts.push((Case::Named, named.post, general, "tokennamed".to_string()));
    let anon = reply(&author, support, SUPPORT, "tokenanon", true);
    posts.push((Case::Anonymous, anon.post, support, "tokenanon".into()));
    let hid = post(
        &s,
        &neutral,
        DraftPlace::NewThread(SUPPORT),
        "hid",
        "x",
        false,
    )
    .thread;
    let first = reply(&author, hid, SUPPORT, "tokenfirst", true);
    let second = reply(&author, hid, SUPPORT, "tokenhidden", true);
    posts.push((
        Case::HiddenPseudonym,
        second.post,
        hid,
        "tokenhidden".into(),
    ));
    let hidden = reply(&author, general, GENERAL, "tokenmodhidden", false);
    s.moderate(&moderator, ModAction::Hide(hidden.post), "test")
        .expect("hide");
    posts.push((
        Case::HiddenByModerator,
        hidden.post,
        general,
        "tokenmodhidden".into(),
    ));
    let held = reply(&author, general, GENERAL, "tokenheld heldword", false);
    assert!(held.held);
    posts.push((Case::Held, held.post, general, "tokenheld".into()));
    let own = post(
        &s,
        &author,
        DraftPlace::NewThread(GENERAL),
        "authors",
        "mine",
        false,
    )
    .thread;
    let in_own = reply(&stranger, own, GENERAL, "tokeninthread", false);
    posts.push((
        Case::InAuthorsThread,
        in_own.post,
        own,
        "tokeninthread".into(),
    ));
    let welcome = post(
        &s,
        &neutral,
        DraftPlace::NewThread(WELCOME),
        "hello",
        "hi",
        false,
    )
    .thread;
    let w = reply(&author, welcome, WELCOME, "tokenwelcome", false);
    posts.push((Case::Welcome, w.post, welcome, "tokenwelcome".into()));
    s.create_board(
        None,
        &crate::config::BoardSeed {
            slug: "old".into(),
            name: "Old".into(),
            description: String::new(),
            read_only: false,
            anonymous: false,
            welcome: false,
        },
    )
    .expect("board");
    let old = BoardId(5);
    let archived = post(
        &s,
        &author,
        DraftPlace::NewThread(old),
        "old",
        &text("tokenarchived"),
        false,
    );
    posts.push((
        Case::Archived,
        archived.post,
        archived.thread,
        "tokenarchived".into(),
    ));
    let quoting = post(
        &s,
        &blocked,
        DraftPlace::Reply(GENERAL, general),
        "",
        &format!(
            "{}\n{}",
            crate::store::quotes::marker(named.post),
            text("tokenquoteblocker")
        ),
        false,
    );
    posts.push((
        Case::QuotingTheBlocker,
        quoting.post,
        general,
        "tokenquoteblocker".into(),
    ));
    let blockers_post = reply(&blocker, general, GENERAL, "blockerwords", false);
    let anon_quoting = post(
        &s,
        &author,
        DraftPlace::Reply(SUPPORT, support),
        "",
        &format!(
            "{}\n{}",
            crate::store::quotes::marker(blockers_post.post),
            text("tokenanonquote")
        ),
        true,
    );
    posts.push((
        Case::AnonymousQuotingBlocker,
        anon_quoting.post,
        support,
        "tokenanonquote".into(),
    ));

    // A thread that quotes each case, written before any block exists.
    let quotes = post(
        &s,
        &neutral,
        DraftPlace::NewThread(GENERAL),
        "quotes",
        "q",
        false,
    )
    .thread;
    let mut quoting_posts = Vec::new();
    for (case, id, _, _) in &posts {
        let q = post(
            &s,
            &neutral,
            DraftPlace::Reply(GENERAL, quotes),
            "",
            &crate::store::quotes::marker(*id),
            false,
        );
        quoting_posts.push((*case, q.post));
    }

    // The blocks and hides the table is about; then the archive.
    s.block_member(&blocker, author.id).expect("block");
    s.block_member(&author, blocked.id).expect("block");
    let readers = vec![
        (Who::Author, author),
        (Who::Stranger, stranger),
        (Who::Blocker, blocker),
        (Who::Blocked, blocked),
        (Who::Waiting, waiting),
        (Who::Moderator, moderator),
        (Who::Sysop, sysop),
    ];
    for (who, u) in &readers {
        // (The waiting account cannot see the post, so cannot hide its pseudonym.)
        if *who != Who::Author && *who != Who::Waiting {
            s.block_author(u, first.post).expect("hide pseudonym");
        }
    }
    s.set_board(None, "old", BoardSetting::Archived(true))
        .expect("archive");
    assert_eq!(
        READERS.map(|w| w),
        readers.iter().map(|r| r.0).collect::<Vec<_>>()[..]
    );
    assert_eq!(
        CASES,
        posts.iter().map(|p| p.0).collect::<Vec<_>>()[..],
        "every case has a post"
    );
    World {
        _dir: dir,
        s,
        readers,
        posts,
        quotes,
        quoting: quoting_posts,
    }
}

#[test]
fn every_surface_shows_a_post_exactly_to_the_readers_the_rule_says() {
    let w = world();
    let s = &w.s;
    for (who, reader) in &w.readers {
        let notes = s.notifications(reader).expect("notifications");
        let quotes_page = s.thread(reader, w.quotes, 0).ok();
        for (case, id, thread, word) in &w.posts {
            let expect = sees(*who, *case);
            let at = format!("{who:?} reading {case:?}");
            // The thread page.
            let page = s.thread(reader, *thread, 0).ok();
            let on_page = page
                .as_ref()
                .and_then(|p| p.posts.iter().find(|p| p.id == *id));
            let staff_sees_hidden = *case == Case::HiddenByModerator && reader.is_staff();
            assert_eq!(
                on_page.is_some_and(|p| !p.hidden),
                expect,
                "{at}: thread page"
            );
            assert_eq!(
                on_page.is_some_and(|p| p.hidden),
                staff_sees_hidden,
                "{at}: hidden mark"
            );
            // Page lookups (opening a post from search or a notification).
            assert_eq!(
                s.page_of(reader, *id).expect("page of").is_some(),
                expect,
                "{at}: page_of"
            );
            // Search.
            let found = s.search(reader, word).expect("search");
            assert_eq!(found.iter().any(|h| h.post == *id), expect, "{at}: search");
            // Notifications: everyone active is mentioned; nobody is told of their own post.
            let told = notes.iter().any(|n| n.post == Some(*id));
            let mentioned = *who != Who::Waiting && *who != poster(*case);
            assert_eq!(told, expect && mentioned, "{at}: notifications");
            // Support: a post the reader cannot see is not there for them.
            let support = s.toggle_support(reader, *id);
            let own = *who == poster(*case);
            match (&support, expect) {
                (Ok(_), true) => {
                    s.toggle_support(reader, *id).expect("take back");
                }
                (Err(ServiceError::Refused(_)), true) if own => {}
                (Err(ServiceError::NotFound(_)), false) => {}
                (Err(ServiceError::Denied(Denied::Pending)), _) if *who == Who::Waiting => {}
                other => panic!("{at}: support gave {other:?}"),
            }
            // Reports: a member reports only what they can see.
            let report = s.report(reader, Target::Post(*id), "other", "");
            assert_eq!(report.is_ok(), expect, "{at}: report {report:?}");
            // What a quote inside the post shows depends only on the quoted post and the
            // reader: the blocked member's quote of the author, the anonymous author's quote
            // of the member who blocked them.
            if let Some(p) = on_page.filter(|p| !p.hidden) {
                let quoted = match case {
                    Case::QuotingTheBlocker => Some(("author wrote:", sees(*who, Case::Named))),
                    Case::AnonymousQuotingBlocker => Some(("blocker wrote:", *who != Who::Waiting)),
                    _ => None,
                };
                if let Some((header, visible)) = quoted {
                    assert_eq!(
                        p.body.contains(header),
                        visible,
                        "{at}: quote inside: {}",
                        p.body
                    );
                    assert_eq!(
                        p.body.contains(crate::store::quotes::UNAVAILABLE),
                        !visible,
                        "{at}: quote inside: {}",
                        p.body
                    );
                }
            }
            // A quote of the post, by a member nobody blocked.
            let (_, q) = w.quoting.iter().find(|(c, _)| c == case).expect("quote");
            if let Some(qp) = quotes_page
                .as_ref()
                .and_then(|p| p.posts.iter().find(|p| p.id == *q))
            {
                let shown = !qp.body.contains(crate::store::quotes::UNAVAILABLE);
                assert_eq!(shown, expect, "{at}: quote: {}", qp.body);
            } else {
                assert_eq!(*who, Who::Waiting, "{at}: the quotes thread is readable");
            }
        }
    }
}

#[test]
fn thread_lists_and_board_counts_agree_with_the_thread_pages() {
    let w = world();
    let s = &w.s;
    for (who, reader) in &w.readers {
        let boards = s.boards(reader).expect("boards");
        assert!(
            boards.iter().all(|b| !b.archived),
            "{who:?}: no archived board listed"
        );
        for b in &boards {
            let (_, list) = s.threads(reader, b.id, 0, 200).expect("threads");
            assert_eq!(
                b.thread_count,
                list.len() as i64,
                "{who:?}: {} count",
                b.slug
            );
            for t in &list {
                let page = s.thread(reader, t.id, 0).expect("a listed thread opens");
                let shown = page.posts.iter().filter(|p| !p.hidden).count() as i64;
                assert_eq!(t.post_count, shown, "{who:?}: {} post count", t.title);
                if let Some(last) = &t.last_poster {
                    let newest = page.posts.iter().rev().find(|p| !p.hidden).expect("a post");
                    assert_eq!(last, &newest.author, "{who:?}: last poster of {}", t.title);
                }
            }
        }
        // The archived board's thread does not open by id either, nor take a reply.
        let (_, _, archived_thread, _) = w
            .posts
            .iter()
            .find(|p| p.0 == Case::Archived)
            .expect("case");
        assert!(
            s.thread(reader, *archived_thread, 0).is_err(),
            "{who:?}: archived thread opens"
        );
        let r = s.post(
            reader,
            DraftPlace::Reply(BoardId(5), *archived_thread),
            &Draft {
                body: "late".into(),
                ..Draft::default()
            },
        );
        assert!(
            r.is_err(),
            "{who:?}: a reply on an archived board was taken"
        );
    }
}

#[test]
fn who_is_online_never_shows_a_block_to_the_member_blocked() {
    let (_d, s) = open_service();
    let a = s.add_user("shy", &key(), Role::Member).expect("add");
    let b = s.add_user("curious", &key(), Role::Member).expect("add");
    let c = s.add_user("bystander", &key(), Role::Member).expect("add");
    s.set_presence(&a, true).expect("visible");
    let _present = s.hub().enter(a.id);
    let before_b = s.who_is_online(&b).expect("online");
    let before_c = s.who_is_online(&c).expect("online");
    assert_eq!(before_b, vec!["shy".to_string()]);
    s.block_member(&a, b.id).expect("block");
    assert_eq!(
        s.who_is_online(&b).expect("online"),
        before_b,
        "B learns nothing"
    );
    assert_eq!(s.who_is_online(&c).expect("online"), before_c);
    // The blocker no longer sees the member they blocked.
    s.set_presence(&b, true).expect("visible");
    let _b_present = s.hub().enter(b.id);
    assert!(
        !s.who_is_online(&a)
            .expect("online")
            .contains(&"curious".to_string())
    );
}

#[test]
fn a_locked_thread_offers_no_composer_the_store_would_refuse() {
    let (_d, s) = open_service();
    let m = s.add_user("member", &key(), Role::Member).expect("add");
    let moderator = s.add_user("keeper", &key(), Role::Moderator).expect("add");
    let t = post(&s, &m, DraftPlace::NewThread(GENERAL), "t", "x", false).thread;
    s.moderate(&moderator, ModAction::Lock(t), "cooling down")
        .expect("lock");
    let page = s.thread(&m, t, 0).expect("page");
    assert_eq!(page.reply_refused, Some(Denied::Locked));
    assert_eq!(page.edit_refused, Some(Denied::Locked));
    let staff_page = s.thread(&moderator, t, 0).expect("page");
    assert_eq!(
        staff_page.reply_refused, None,
        "staff may write in a locked thread"
    );
    // And what the screen offers, the store takes.
    let reply = DraftPlace::Reply(GENERAL, t);
    post(&s, &moderator, reply, "", "closing note", false);
    let refused = s.post(
        &m,
        reply,
        &Draft {
            body: "me too".into(),
            ..Draft::default()
        },
    );
    assert!(
        matches!(refused, Err(ServiceError::Denied(Denied::Locked))),
        "{refused:?}"
    );
    assert_eq!(
        s.load_draft(&m, reply).expect("draft").map(|d| d.body),
        Some("me too".into()),
        "the refused draft is kept"
    );
}

#[test]
fn reading_a_thread_writes_nothing_until_the_marks_are_flushed_in_one_batch() {
    let (_d, s) = open_service();
    let author = s.add_user("writer", &key(), Role::Member).expect("add");
    let readers: Vec<User> = (0..20)
        .map(|i| {
            s.add_user(&format!("reader{i}"), &key(), Role::Member)
                .expect("add")
        })
        .collect();
    let t = post(
        &s,
        &author,
        DraftPlace::NewThread(GENERAL),
        "busy",
        "news",
        false,
    )
    .thread;
    // Another connection holds the write lock, as another process would: threads still open.
    let other = s.store().connect().expect("connection");
    other.execute_batch("BEGIN IMMEDIATE").expect("lock");
    for r in &readers {
        let page = s
            .thread(r, t, 0)
            .expect("opens while the database is locked");
        assert_eq!(page.posts.len(), 1);
        let (_, list) = s.threads(r, GENERAL, 0, 10).expect("lists while locked");
        assert_eq!(list[0].unread, 1, "not written yet, so still unread");
    }
    other.execute_batch("ROLLBACK").expect("unlock");
    let written = s.flush_read_marks().expect("flush");
    assert_eq!(written, readers.len(), "one batch for every reader");
    for r in &readers {
        let (_, list) = s.threads(r, GENERAL, 0, 10).expect("list");
        assert_eq!(list[0].unread, 0);
        // Opening it again moves nothing, so queues nothing.
        s.thread(r, t, 0).expect("page");
    }
    assert_eq!(
        s.flush_read_marks().expect("flush"),
        0,
        "a mark is written only when it advances"
    );
}

/// One anonymous post as a reader meets it on every surface.
fn anonymous_view(s: &Service, reader: &User, posts: &[(ThreadId, PostId, String)]) -> Vec<String> {
    let notes = s.notifications(reader).expect("notes");
    let mut out = Vec::new();
    for (thread, id, word) in posts {
        let page = s.thread(reader, *thread, 0).expect("page");
        let p = page.posts.iter().find(|p| p.id == *id);
        out.push(format!(
            "{:?}",
            p.map(|p| (&p.author, &p.body, p.collapsed()))
        ));
        let hits = s.search(reader, word).expect("search");
        out.push(format!(
            "{:?}",
            hits.iter()
                .filter(|h| h.post == *id)
                .map(|h| (&h.author, &h.body))
                .collect::<Vec<_>>()
        ));
        out.push(format!(
            "{:?}",
            notes
                .iter()
                .filter(|n| n.post == Some(*id))
                .map(|n| (&n.actor, &n.kind))
                .collect::<Vec<_>>()
        ));
    }
    out
}

#[test]
fn whatever_a_member_blocks_every_anonymous_post_shows_the_same() {
    for seed in 0..4u64 {
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        let (_d, s) = open_service();
        let members: Vec<User> = (0..5)
            .map(|i| {
                s.add_user(&format!("member{i}x"), &key(), Role::Member)
                    .expect("add")
            })
            .collect();
        let observer = s.add_user("observer", &key(), Role::Member).expect("add");
        // Threads started by a member nobody blocks (a blocked starter's thread is absent,
        // which says nothing about who wrote what in it).
        let host = s.add_user("host", &key(), Role::Member).expect("add");
        let mut threads = Vec::new();
        for i in 0..2 {
            let t = post(
                &s,
                &host,
                DraftPlace::NewThread(SUPPORT),
                &format!("t{i}"),
                "start",
                false,
            );
            threads.push((t.thread, t.post));
        }
        let mut written: Vec<PostId> = threads.iter().map(|t| t.1).collect();
        let mut anonymous = Vec::new();
        for n in 0..12 {
            let author = &members[rng.random_range(0..members.len())];
            let (thread, _) = threads[rng.random_range(0..threads.len())];
            let anon = rng.random_bool(0.5);
            let word = format!("word{n}q");
            let quote = if rng.random_bool(0.5) {
                let q = written[rng.random_range(0..written.len())];
                format!("{}\n", crate::store::quotes::marker(q))
            } else {
                String::new()
            };
            let mention = if rng.random_bool(0.5) {
                " @observer"
            } else {
                ""
            };
            let p = post(
                &s,
                author,
                DraftPlace::Reply(SUPPORT, thread),
                "",
                &format!("{quote}{word}{mention}"),
                anon,
            );
            // Quotes come from anonymous posts and the host's: the observer's own block of a
            // named post's author rightly hides that post, in a quote too, which tells
            // nothing of any anonymous author.
            if anon {
                written.push(p.post);
            }
            if anon {
                anonymous.push((thread, p.post, word));
            }
        }
        let before = anonymous_view(&s, &observer, &anonymous);
        // Blocks by the observer, one at a time, and blocks among the others.
        for m in &members {
            s.block_member(&observer, m.id).expect("block");
            assert_eq!(
                anonymous_view(&s, &observer, &anonymous),
                before,
                "seed {seed}: after blocking {}",
                m.handle
            );
        }
        for _ in 0..4 {
            let a = &members[rng.random_range(0..members.len())];
            let b = &members[rng.random_range(0..members.len())];
            if a.id != b.id {
                s.block_member(a, b.id).expect("block");
            }
        }
        assert_eq!(
            anonymous_view(&s, &observer, &anonymous),
            before,
            "seed {seed}: others' blocks"
        );
    }
}

#[test]
fn an_anonymous_pseudonym_does_not_change_when_its_author_deletes_their_account() {
    let (_d, s) = open_service();
    let leaving = s.add_user("leaving", &key(), Role::Member).expect("add");
    let observer = s.add_user("observer", &key(), Role::Member).expect("add");
    let host = s.add_user("host", &key(), Role::Member).expect("add");
    let t = post(
        &s,
        &host,
        DraftPlace::NewThread(SUPPORT),
        "t",
        "start",
        false,
    )
    .thread;
    let anon = post(
        &s,
        &leaving,
        DraftPlace::Reply(SUPPORT, t),
        "",
        "secret words",
        true,
    )
    .post;
    let named = post(
        &s,
        &leaving,
        DraftPlace::Reply(SUPPORT, t),
        "",
        "named words",
        false,
    )
    .post;
    let shown = |id: PostId| {
        s.thread(&observer, t, 0)
            .expect("page")
            .posts
            .into_iter()
            .find(|p| p.id == id)
            .map(|p| p.author)
    };
    let before = shown(anon);
    assert!(before.as_deref().is_some_and(|a| a.starts_with("anon-")));
    s.delete_account(&leaving, "leaving", false)
        .expect("delete, keeping posts");
    assert_eq!(
        shown(anon),
        before,
        "the pseudonym would tie the posts to the deleted account"
    );
    assert_eq!(shown(named).as_deref(), Some("[deleted]"));
    // Still answered like any anonymous post: no profile, and no author to name.
    assert!(matches!(
        s.profile_of_post(&observer, anon),
        Err(ServiceError::Refused(_))
    ));
}

#[test]
fn a_quote_of_a_post_behind_a_content_warning_stays_behind_it() {
    let (_d, s) = open_service();
    let a = s.add_user("writer", &key(), Role::Member).expect("add");
    let b = s.add_user("reader", &key(), Role::Member).expect("add");
    let draft = Draft {
        title: "heavy".into(),
        body: "the hard details".into(),
        content_warning: "self-harm".into(),
        ..Draft::default()
    };
    let first = s
        .post(&a, DraftPlace::NewThread(GENERAL), &draft)
        .expect("post");
    let q = post(
        &s,
        &b,
        DraftPlace::Reply(GENERAL, first.thread),
        "",
        &crate::store::quotes::marker(first.post),
        false,
    );
    let page = s.thread(&b, first.thread, 0).expect("page");
    let quoting = page.posts.iter().find(|p| p.id == q.post).expect("quote");
    assert!(!quoting.body.contains("hard details"), "{}", quoting.body);
    assert!(quoting.body.contains("CW: self-harm"), "{}", quoting.body);
}

#[test]
fn a_moderators_content_warning_on_their_own_anonymous_post_does_not_name_them() {
    let (_d, s) = open_service();
    let moderator = s.add_user("careful", &key(), Role::Moderator).expect("add");
    let host = s.add_user("host", &key(), Role::Member).expect("add");
    let t = post(
        &s,
        &host,
        DraftPlace::NewThread(SUPPORT),
        "t",
        "start",
        false,
    )
    .thread;
    let mine = post(
        &s,
        &moderator,
        DraftPlace::Reply(SUPPORT, t),
        "",
        "my own story",
        true,
    )
    .post;
    s.set_content_warning(&moderator, mine, "grief", "it is heavy")
        .expect("cw");
    let log = s
        .audit(&crate::store::audit::Filter::default(), 50, 0)
        .expect("audit");
    let row = log
        .iter()
        .find(|e| e.action == "cw_changed")
        .expect("the change is audited");
    assert!(
        !row.actor.contains("careful"),
        "the audit row unmasks the author: {row:?}"
    );
}

#[test]
fn acting_on_a_post_the_member_cannot_see_names_no_one() {
    let (_d, s) = open_service();
    let a = s.add_user("writer", &key(), Role::Member).expect("add");
    let b = s.add_user("reader", &key(), Role::Member).expect("add");
    let draft = Draft {
        title: "held".into(),
        body: "heldword inside".into(),
        ..Draft::default()
    };
    let held = s
        .post(&a, DraftPlace::NewThread(GENERAL), &draft)
        .expect("post");
    assert!(held.held);
    for r in [
        s.block_author(&b, held.post).map(|(t, _)| t),
        s.profile_of_post(&b, held.post).map(|p| p.handle),
        s.post_correspondent(&b, held.post).map(|u| u.handle),
    ] {
        assert!(matches!(r, Err(ServiceError::NotFound("post"))), "{r:?}");
    }
}

#[test]
fn board_changes_from_the_shell_are_audited_with_the_change() {
    let (_d, s) = open_service();
    s.create_board(
        None,
        &crate::config::BoardSeed {
            slug: "art".into(),
            name: "Art".into(),
            description: String::new(),
            read_only: false,
            anonymous: false,
            welcome: false,
        },
    )
    .expect("create");
    s.set_board(None, "art", BoardSetting::Archived(true))
        .expect("archive");
    s.move_board(None, "art", 0).expect("move");
    let log = s
        .audit(&crate::store::audit::Filter::default(), 50, 0)
        .expect("audit");
    let reasons: Vec<String> = log.iter().filter_map(|e| e.reason.clone()).collect();
    for expected in [
        "art: created",
        "art: archived: on",
        "art: moved to position 0",
    ] {
        assert!(
            reasons.iter().any(|r| r == expected),
            "{expected:?} in {reasons:?}"
        );
    }
    // A member's session cannot make the same change.
    let m = s.add_user("member", &key(), Role::Member).expect("add");
    assert!(matches!(
        s.set_board(Some(&m), "art", BoardSetting::Archived(false)),
        Err(ServiceError::Denied(Denied::SysopOnly))
    ));
}
