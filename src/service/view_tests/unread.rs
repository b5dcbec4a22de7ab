//! The unread walk (`N`) and where a thread opens, for readers whose view differs from the
//! kept aggregates.

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

