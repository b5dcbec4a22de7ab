//! The oracle test (DESIGN.md §6): a member who blocks every other member one at a time, and
//! mutes words, sees the anonymous posts exactly as before, on every surface that shows them:
//! the board's thread list, the thread, search, notifications and the unread counts.

use super::util::{self, Member, TestServer, keys, new_key};

/// The rows of the screen between the header and the status line (what a member reads).
fn body(screen: &str) -> Vec<String> {
    let lines: Vec<&str> = screen.lines().collect();
    let n = lines.len();
    lines[1..n.saturating_sub(2)]
        .iter()
        .map(|l| l.trim_end().to_string())
        .collect()
}

/// Everything the observer can see of the anonymous posts, from the board list and back.
async fn anonymous_view(m: &mut Member) -> Vec<Vec<String>> {
    let mut views = Vec::new();
    // The board list row of Support (counts included).
    let screen = m.wait_for("Small wins").await;
    views.push(
        body(&screen)
            .into_iter()
            .filter(|l| l.contains("Support") || l.contains("anonymous posting"))
            .collect(),
    );
    // Support's thread list (the second board).
    m.send(b"g").await;
    m.send(keys::DOWN).await;
    m.send(keys::ENTER).await;
    let screen = m.wait_for("Anon thread").await;
    views.push(body(&screen));
    // The thread itself.
    m.send(keys::ENTER).await;
    let screen = m
        .wait_until(
            |s| s.contains("first anonymous words") && s.contains("second anonymous words"),
            "the anonymous thread",
        )
        .await;
    views.push(body(&screen));
    m.send(keys::ESC).await;
    m.wait_for("Anon thread").await;
    m.send(keys::ESC).await;
    m.wait_for("Small wins").await;
    // Search.
    m.send(b"/").await;
    m.send(b"anonymous words\r").await;
    let screen = m.wait_for("Anon thread").await;
    views.push(body(&screen));
    m.send(keys::ESC).await;
    m.wait_for("Small wins").await;
    // Notifications (the observer was mentioned anonymously).
    m.send(b"a").await;
    let screen = m.wait_for("mentioned you").await;
    views.push(body(&screen));
    m.send(keys::ESC).await;
    m.wait_for("Small wins").await;
    views
}

/// Blocks the author of the Welcome thread titled `title` (named), from the board list.
async fn block_author_of(m: &mut Member, title: &str) {
    m.send(b"g").await;
    m.send(keys::ENTER).await;
    let screen = m.wait_for(title).await;
    let rows = body(&screen);
    let at = rows
        .iter()
        .skip(1)
        .position(|l| l.contains(title))
        .expect("the thread is listed");
    for _ in 0..at {
        m.send(keys::DOWN).await;
    }
    m.send(keys::ENTER).await;
    m.wait_for("named words").await;
    m.send(keys::TAB).await;
    m.send(b"b").await;
    m.send(b"b").await;
    m.wait_for("You blocked").await;
    m.send(keys::ESC).await;
    m.wait_for("Small wins").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blocking_members_one_by_one_and_muting_words_never_reveals_an_anonymous_author() {
    let dir = util::data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let mut owl = Member::sign_up(server.addr, &new_key(), "owl").await;
    let names = ["ash", "birch", "cedar", "dana"];
    let mut writers = Vec::new();
    for name in names {
        let mut w = Member::sign_up(server.addr, &new_key(), name).await;
        w.post_thread(
            &format!("By {name}"),
            &format!("named words by {name} pineapple{name}"),
        )
        .await;
        w.send(keys::ESC).await;
        w.send(keys::ESC).await;
        w.wait_for("Small wins").await;
        writers.push(w);
    }
    // Birch starts an anonymous thread on Support; Cedar replies in it anonymously, mentioning
    // the observer.
    {
        let birch = &mut writers[1];
        birch.send(keys::DOWN).await;
        birch.send(keys::ENTER).await;
        birch.wait_for("new thread").await;
        birch.send(b"c").await;
        birch
            .send(b"Anon thread\t\t\x1bafirst anonymous words")
            .await;
        birch.wait_for("Anonymous: on").await;
        birch.send(keys::CTRL_S).await;
        birch.wait_for("you, anonymously").await;
    }
    {
        let cedar = &mut writers[2];
        cedar.send(keys::DOWN).await;
        cedar.send(keys::ENTER).await;
        cedar.wait_for("Anon thread").await;
        cedar.send(keys::ENTER).await;
        cedar.wait_for("first anonymous words").await;
        cedar.send(b"r").await;
        cedar.wait_for("Anonymous: off").await;
        cedar.send(b"\x1basecond anonymous words, @owl").await;
        cedar.send(keys::CTRL_S).await;
        cedar.wait_for("you, anonymously").await;
    }
    // A named reply there too, by Dana, so the thread is not only anonymous.
    {
        let dana = &mut writers[3];
        dana.send(keys::DOWN).await;
        dana.send(keys::ENTER).await;
        dana.wait_for("Anon thread").await;
        dana.send(keys::ENTER).await;
        dana.wait_for("second anonymous words").await;
        dana.reply("named words by dana in the anon thread").await;
    }

    // Once to read everything (read marks settle), once for the baseline.
    anonymous_view(&mut owl).await;
    let baseline = anonymous_view(&mut owl).await;
    assert!(
        baseline[2].iter().filter(|l| l.contains("anon-")).count() == 2,
        "two pseudonyms in the thread: {:#?}",
        baseline[2]
    );

    // Block every other member, one at a time; after each, the anonymous posts look the same.
    // (Dana's named reply goes when Dana is blocked: the views are compared without it.)
    let without_dana = |views: &[Vec<String>]| -> Vec<Vec<String>> {
        views
            .iter()
            .map(|v| {
                v.iter()
                    .filter(|l| !l.contains("dana") && !l.contains("in the anon thread"))
                    .filter(|l| !l.trim().is_empty())
                    .cloned()
                    .collect()
            })
            .collect()
    };
    let anon_only = |views: &[Vec<String>]| -> Vec<Vec<String>> {
        let mut v = without_dana(views);
        // Where the selection sits is the observer's doing, not the data's.
        for view in &mut v {
            for l in view.iter_mut() {
                *l = l.replace('▸', " ");
            }
        }
        // The thread's post count drops with Dana's named reply; the rest must not change.
        v[2].retain(|l| !l.contains("posts 1-"));
        // The thread list row ends with counts and the last poster, which Dana's named reply
        // changes: compare the row up to its first " · " (title and the thread's pseudonym).
        v[1] = views[1]
            .iter()
            .filter(|l| l.contains("Anon thread"))
            .map(|l| {
                let head = l.split(" · ").next().unwrap_or_default().replace('▸', " ");
                // The right-aligned part moves with its length: compare words, not columns.
                head.split_whitespace().collect::<Vec<_>>().join(" ")
            })
            .collect();
        v
    };
    let expected = anon_only(&baseline);
    for name in names {
        block_author_of(&mut owl, &format!("By {name}")).await;
        let view = anonymous_view(&mut owl).await;
        assert_eq!(
            anon_only(&view),
            expected,
            "after blocking {name}, the anonymous posts look different"
        );
        // And the pseudonyms stay the same two, with their words.
        let thread = view[2].join("\n");
        assert!(
            thread.contains("first anonymous words") && thread.contains("second anonymous words"),
            "after blocking {name}: {thread}"
        );
    }

    // Muting words: a word only one member ever used changes nothing about anonymous posts.
    owl.send(b"s").await;
    owl.wait_for("Muted words").await;
    owl.send(b"w").await;
    owl.send(b"pineapplebirch, pineapplecedar\r").await;
    owl.wait_for("pineapplebirch").await;
    owl.send(keys::ESC).await;
    let view = anonymous_view(&mut owl).await;
    assert_eq!(anon_only(&view), expected, "after muting words");

    owl.disconnect().await;
    for w in writers {
        w.disconnect().await;
    }
    server.stop().await;
}
