//! The reader's view as a table (issue "the reader's view in one place"): every kind of reader
//! × every kind of post × every surface that shows a post must agree with one written rule,
//! [`sees`]. A surface that decides visibility on its own drifts from the rule and fails here.
//!
//! The anonymity oracle is in `anonymity.rs`.

use rand::{RngExt, SeedableRng};

use super::test_support::{key, service_on_disk, service_with, without_pace};
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
    /// By the author, anonymously, then withdrawn by them.
    Withdrawn,
}

const CASES: [Case; 11] = [
    Case::Named,
    Case::Anonymous,
    Case::HiddenPseudonym,
    Case::HiddenByModerator,
    Case::Withdrawn,
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
        Case::HiddenByModerator | Case::Held | Case::Archived | Case::Withdrawn => false,
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
    s: Service,
    readers: Vec<(Who, User)>,
    /// The post of each case, its thread, and the word only it contains.
    posts: Vec<(Case, PostId, ThreadId, String)>,
    /// A thread, readable by every reader but the waiting one, whose posts quote each case.
    quotes: ThreadId,
    /// The quoting post for each case.
    quoting: Vec<(Case, PostId)>,
}

fn open_service() -> Service {
    service_with(|c| {
        without_pace(c);
        c.watched.approve = vec!["heldword".into()];
    })
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
    let s = open_service();
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
    let withdrawn = reply(&author, support, SUPPORT, "tokenwithdrawn", true);
    s.withdraw_post(&author, withdrawn.post).expect("withdraw");
    posts.push((
        Case::Withdrawn,
        withdrawn.post,
        support,
        "tokenwithdrawn".into(),
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
            // Moderators keep what they hid and what its author withdrew, marked.
            let staff_sees_hidden =
                matches!(case, Case::HiddenByModerator | Case::Withdrawn) && reader.is_staff();
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
fn the_unread_walk_and_where_a_thread_opens_agree_with_the_unread_counts() {
    use std::collections::BTreeSet;
    let w = world();
    let s = &w.s;
    for (who, reader) in &w.readers {
        let mut unread = BTreeSet::new();
        for b in &s.boards(reader).expect("boards") {
            let (_, list) = s.threads(reader, b.id, 0, 200).expect("threads");
            for t in &list {
                // A thread opens at its first unread post, or at its end once all is read.
                let first = if t.unread > 0 {
                    t.post_count - t.unread
                } else {
                    (t.post_count - 1).max(0)
                };
                assert_eq!(
                    s.unread_page(reader, t.id).expect("unread page"),
                    first - first % POSTS_PER_PAGE,
                    "{who:?}: where {} opens",
                    t.title
                );
                if t.unread > 0 {
                    unread.insert(t.id);
                }
            }
        }
        // Walking from one unread thread to the next, reading each to its end, visits exactly
        // the threads the lists count as unread: none of a blocked member's, none elsewhere.
        let mut walked = BTreeSet::new();
        let mut current = None;
        while let Some(t) = s.next_unread(reader, current).expect("next unread") {
            assert!(walked.insert(t), "{who:?}: {t:?} came twice");
            let mut offset = s.unread_page(reader, t).expect("page");
            loop {
                let page = s.thread(reader, t, offset).expect("an unread thread opens");
                if page.offset + POSTS_PER_PAGE >= page.post_count {
                    break;
                }
                offset += POSTS_PER_PAGE;
            }
            current = Some(t);
        }
        assert_eq!(walked, unread, "{who:?}: the walk");
    }
}

#[test]
fn marking_a_board_or_everything_read_leaves_nothing_unread_there() {
    let w = world();
    let s = &w.s;
    let (_, reader) = w
        .readers
        .iter()
        .find(|(who, _)| *who == Who::Stranger)
        .expect("reader");
    let boards = s.boards(reader).expect("boards");
    let busy = boards
        .iter()
        .find(|b| b.unread_threads > 0)
        .expect("a board with something unread");
    let said = s.mark_read(reader, Some(busy.id)).expect("mark the board");
    assert!(said.contains("on this board read"), "{said}");
    let after = s.boards(reader).expect("boards");
    for b in &after {
        let before = boards.iter().find(|x| x.id == b.id).expect("same boards");
        let expect = if b.id == busy.id {
            0
        } else {
            before.unread_threads
        };
        assert_eq!(b.unread_threads, expect, "{}", b.slug);
    }
    s.mark_read(reader, None).expect("mark everything");
    assert!(
        s.boards(reader)
            .expect("boards")
            .iter()
            .all(|b| b.unread_threads == 0)
    );
    assert_eq!(s.next_unread(reader, None).expect("next"), None);
    assert_eq!(
        s.mark_read(reader, None).expect("again"),
        "Nothing was unread."
    );
}

#[test]
fn who_is_online_never_shows_a_block_to_the_member_blocked() {
    let s = open_service();
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
    let s = open_service();
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
    // On disk: the point is that readers go on while another process holds the write lock.
    let (_dir, s) = service_on_disk(without_pace);
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

mod anonymity;
mod titles;
mod unread;
