//! The oracle property: for random small communities, the way every anonymous post shows —
//! author, text with its quotes, search, notifications — does not change whatever a member
//! blocks; and the anonymous cases around it (deletion, content warnings, moderators' own).

use super::*;

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
        let s = open_service();
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
    let s = open_service();
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
    let s = open_service();
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
    let s = open_service();
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
    let s = open_service();
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
    let s = open_service();
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
