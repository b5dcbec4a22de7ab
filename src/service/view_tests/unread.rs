//! The unread walk (`N`) and where a thread opens, for readers whose view differs from the
//! kept aggregates: a member who blocked someone, a moderator who also sees hidden posts.

use super::*;

/// Reads `thread` to its last page, as a member pressing `N` and paging through would.
fn read_through(s: &Service, reader: &User, thread: ThreadId) {
    let mut offset = s.unread_page(reader, thread).expect("unread page");
    loop {
        let page = s.thread(reader, thread, offset).expect("the thread opens");
        if page.offset + POSTS_PER_PAGE >= page.post_count {
            break;
        }
        offset += POSTS_PER_PAGE;
    }
}

/// The threads `N` visits from the board list, in order, reading each.
fn walk(s: &Service, reader: &User) -> Vec<ThreadId> {
    let mut walked = Vec::new();
    let mut current = None;
    while let Some(t) = s.next_unread(reader, current).expect("next unread") {
        assert!(!walked.contains(&t), "{t:?} came twice: {walked:?}");
        walked.push(t);
        read_through(s, reader, t);
        current = Some(t);
    }
    walked
}

#[test]
fn the_unread_walk_follows_the_list_a_member_with_a_block_sees() {
    let s = open_service();
    let add = |h: &str| s.add_user(h, &key(), Role::Member).expect("add");
    let (starter, blocked, reader) = (add("starter"), add("loud"), add("reader"));
    let new = |title: &str| {
        post(
            &s,
            &starter,
            DraftPlace::NewThread(SUPPORT),
            title,
            "opening",
            false,
        )
        .thread
    };
    let (first, second, third) = (new("first"), new("second"), new("third"));
    // The newest post of `first` is the blocked member's named reply, which the reader never
    // sees; the newest of `second` is their anonymous one, which a block never hides.
    post(
        &s,
        &blocked,
        DraftPlace::Reply(SUPPORT, first),
        "",
        "named reply",
        false,
    );
    post(
        &s,
        &blocked,
        DraftPlace::Reply(SUPPORT, second),
        "",
        "quiet reply",
        true,
    );
    s.block_member(&reader, blocked.id).expect("block");

    let (_, list) = s.threads(&reader, SUPPORT, 0, 200).expect("threads");
    let listed: Vec<(ThreadId, i64)> = list
        .iter()
        .filter(|t| t.unread > 0)
        .map(|t| (t.id, t.unread))
        .collect();
    assert_eq!(
        listed,
        vec![(second, 2), (third, 1), (first, 1)],
        "the list: by the newest post the reader sees, counting only those"
    );
    let board = s
        .boards(&reader)
        .expect("boards")
        .into_iter()
        .find(|b| b.id == SUPPORT)
        .expect("general");
    assert_eq!(board.unread_threads, 3);
    assert_eq!(
        walk(&s, &reader),
        listed.iter().map(|(t, _)| *t).collect::<Vec<_>>(),
        "N visits the threads in the order the list shows them"
    );
    let (_, after) = s.threads(&reader, SUPPORT, 0, 200).expect("threads");
    assert!(after.iter().all(|t| t.unread == 0), "{after:?}");
}

/// A thread on General by `writer` that fills one page exactly: its opening post and the
/// replies after it (returned, oldest first).
fn one_full_page(s: &Service, writer: &User) -> (ThreadId, Vec<PostId>) {
    let thread = post(
        s,
        writer,
        DraftPlace::NewThread(GENERAL),
        "long",
        "0",
        false,
    )
    .thread;
    let place = DraftPlace::Reply(GENERAL, thread);
    let replies = (1..POSTS_PER_PAGE)
        .map(|i| post(s, writer, place, "", &format!("reply {i}"), false).post)
        .collect();
    (thread, replies)
}

#[test]
fn a_moderator_lands_on_the_page_of_their_first_unread_post_past_the_hidden_ones() {
    let s = open_service();
    let writer = s.add_user("writer", &key(), Role::Member).expect("add");
    let member = s.add_user("member", &key(), Role::Member).expect("add");
    let moderator = s.add_user("keeper", &key(), Role::Moderator).expect("add");
    let (thread, replies) = one_full_page(&s, &writer);
    // Both read the first page, which is the whole thread so far.
    for reader in [&member, &moderator] {
        assert_eq!(s.unread_page(reader, thread).expect("page"), 0);
        read_through(&s, reader, thread);
    }
    // Five read posts are hidden: the moderator's page keeps them, the member's does not.
    for id in &replies[..5] {
        s.moderate(&moderator, ModAction::Hide(*id), "off topic")
            .expect("hide");
    }
    let place = DraftPlace::Reply(GENERAL, thread);
    let first_new = post(&s, &writer, place, "", "new one", false).post;
    post(&s, &writer, place, "", "new two", false);
    for (reader, expect) in [(&member, 0), (&moderator, POSTS_PER_PAGE)] {
        let at = s.unread_page(reader, thread).expect("unread page");
        assert_eq!(at, expect, "{}: where the thread opens", reader.handle);
        let page = s.thread(reader, thread, at).expect("page");
        assert!(
            page.posts.iter().any(|p| p.id == first_new),
            "{}: the first unread post is on the page the thread opens at",
            reader.handle
        );
    }
    // All read: the moderator's last page is the one with the newest post.
    read_through(&s, &moderator, thread);
    let at = s.unread_page(&moderator, thread).expect("page");
    let page = s.thread(&moderator, thread, at).expect("last page");
    assert_eq!(at, POSTS_PER_PAGE);
    assert_eq!(page.posts.last().map(|p| p.body.as_str()), Some("new two"));
}

#[test]
fn a_post_opened_from_search_is_on_the_page_a_moderator_is_shown() {
    let s = open_service();
    let writer = s.add_user("writer", &key(), Role::Member).expect("add");
    let moderator = s.add_user("keeper", &key(), Role::Moderator).expect("add");
    let (thread, replies) = one_full_page(&s, &writer);
    let place = DraftPlace::Reply(GENERAL, thread);
    for id in &replies[..3] {
        s.moderate(&moderator, ModAction::Hide(*id), "off topic")
            .expect("hide");
    }
    let wanted = post(&s, &writer, place, "", "findable words", false).post;
    for reader in [&writer, &moderator] {
        let hit = s.search(reader, "findable").expect("search");
        assert_eq!(hit.iter().map(|h| h.post).collect::<Vec<_>>(), vec![wanted]);
        let (t, at) = s.page_of(reader, wanted).expect("page of").expect("seen");
        let page = s.thread(reader, t, at).expect("page");
        assert!(
            page.posts.iter().any(|p| p.id == wanted),
            "{}: the post is on the page it opens at ({at})",
            reader.handle
        );
    }
}
