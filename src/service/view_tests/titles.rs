//! A thread's title goes with its opening post: withdrawn by its author or hidden by a
//! moderator, it shows to members as a neutral title on every surface that shows a title (the
//! thread list, the thread's header, search results, notifications), and its words find
//! nothing; the replies stay readable; moderators see the title, marked.

use super::*;
use crate::store::visibility::{MARK_HIDDEN, MARK_WITHDRAWN, TITLE_HIDDEN, TITLE_WITHDRAWN};

/// Every title `reader` is shown for `thread`, with where it was shown.
fn titles_shown(
    s: &Service,
    reader: &User,
    thread: ThreadId,
    words: &str,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let page = s.thread(reader, thread, 0).expect("the thread opens");
    out.push(("thread header".to_string(), page.title.clone()));
    let (_, list) = s.threads(reader, page.board_id, 0, 200).expect("threads");
    let listed = list.iter().find(|t| t.id == thread).expect("listed");
    out.push(("thread list".into(), listed.title.clone()));
    for hit in s.search(reader, words).expect("search") {
        if hit.thread == thread {
            out.push(("search".into(), hit.thread_title));
        }
    }
    for n in s.notifications(reader).expect("notifications") {
        if n.thread == Some(thread) {
            out.push(("notification".into(), n.thread_title.expect("a title")));
        }
    }
    out
}

#[test]
fn a_withdrawn_or_hidden_opening_post_takes_its_title_with_it_for_members() {
    let s = open_service();
    let add = |h: &str, role| s.add_user(h, &key(), role).expect("add");
    let author = add("author", Role::Member);
    let replier = add("replier", Role::Member);
    let reader = add("reader", Role::Member);
    let moderator = add("moderator1", Role::Moderator);
    let start = |title: &str| {
        post(
            &s,
            &author,
            DraftPlace::NewThread(GENERAL),
            title,
            "the opening",
            false,
        )
    };
    let regret = start("Regretted confession");
    let harmful = start("Harmful headline");
    for t in [regret.thread, harmful.thread] {
        let reply = DraftPlace::Reply(GENERAL, t);
        post(
            &s,
            &replier,
            reply,
            "",
            "kind reply @reader @moderator1",
            false,
        );
    }
    s.withdraw_post(&author, regret.post).expect("withdraw");
    s.moderate(&moderator, ModAction::Hide(harmful.post), "harmful")
        .expect("hide");

    for (thread, words, neutral, mark) in [
        (
            regret.thread,
            "Regretted confession",
            TITLE_WITHDRAWN,
            MARK_WITHDRAWN,
        ),
        (
            harmful.thread,
            "Harmful headline",
            TITLE_HIDDEN,
            MARK_HIDDEN,
        ),
    ] {
        for member in [&reader, &replier, &author] {
            let who = &member.handle;
            // The title's words find nothing; the reply's words find the reply, under the
            // neutral title.
            assert!(
                s.search(member, words).expect("search").is_empty(),
                "{who}: {words} matched"
            );
            let shown = titles_shown(&s, member, thread, "kind reply");
            let places: Vec<&str> = shown.iter().map(|(at, _)| at.as_str()).collect();
            let mut expected = vec!["thread header", "thread list", "search"];
            if member.id != replier.id {
                expected.push("notification");
            }
            assert_eq!(places, expected, "{who}: {shown:?}");
            for (at, title) in &shown {
                assert_eq!(title, neutral, "{who}: the title in the {at}");
            }
            let page = s.thread(member, thread, 0).expect("page");
            assert_eq!(
                page.posts
                    .iter()
                    .map(|p| p.body.as_str())
                    .collect::<Vec<_>>(),
                vec!["kind reply @reader @moderator1"],
                "{who}: the reply stays readable, the opening post does not"
            );
        }
        // Moderators see the title, marked.
        for (at, title) in titles_shown(&s, &moderator, thread, "kind reply") {
            assert_eq!(
                title,
                format!("{mark}{words}"),
                "moderator: the title in the {at}"
            );
        }
    }
    // A member's export: their own thread keeps its title (the words are theirs); a reply in
    // someone else's carries the title members see.
    let titles = |who: &User| -> Vec<String> {
        let export: serde_json::Value =
            serde_json::from_str(&s.export(who).expect("export")).expect("json");
        export["posts"]
            .as_array()
            .expect("posts")
            .iter()
            .map(|p| p["thread_title"].as_str().expect("title").to_string())
            .collect()
    };
    assert_eq!(
        titles(&author),
        vec!["Regretted confession", "Harmful headline"]
    );
    assert_eq!(titles(&replier), vec![TITLE_WITHDRAWN, TITLE_HIDDEN]);
    // Restored, the title is back for everyone.
    s.moderate(
        &moderator,
        ModAction::Restore(harmful.post),
        "on reflection",
    )
    .expect("restore");
    for (at, title) in titles_shown(&s, &reader, harmful.thread, "kind reply") {
        assert_eq!(title, "Harmful headline", "restored: the title in the {at}");
    }
    assert_eq!(
        s.search(&reader, "headline").expect("search").len(),
        1,
        "and its words find it again"
    );
}
