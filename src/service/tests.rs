//! Unit tests of pace, trust and stale accounts, on an in-memory store.

use super::test_support::{draft, key, service, service_with};
use super::*;

#[test]
fn a_new_member_is_slowed_gently_and_never_loses_the_draft() {
    let s = service();
    let m = s.add_user("newcomer", &key(), Role::Member).expect("add");
    let place = DraftPlace::NewThread(BoardId(1));
    let thread = s
        .post(&m, place, &draft("first", "hello"))
        .expect("first post")
        .thread;
    let reply = DraftPlace::Reply(BoardId(1), thread);
    match s.post(&m, reply, &draft("", "too soon")) {
        Err(ServiceError::SlowDown(text)) => {
            assert!(
                text.contains("again in") && text.contains("Help now"),
                "{text}"
            );
        }
        other => panic!("expected a slow-down, got {other:?}"),
    }
    let kept = s.load_draft(&m, reply).expect("draft").map(|d| d.body);
    assert_eq!(kept, Some("too soon".into()));
}

#[test]
fn first_day_limits_and_duplicates_are_refused_and_trust_lifts_the_limits() {
    let s = service_with(|c| {
        c.posting.new_member_post_interval = 0;
        c.posting.new_member_thread_interval = 0;
        c.posting.post_interval = 0;
        c.posting.first_day_threads = 1;
        c.posting.trusted_after_days = 0;
        c.posting.trusted_after_threads_read = 1;
    });
    let m = s.add_user("eager", &key(), Role::Member).expect("add");
    let board = DraftPlace::NewThread(BoardId(1));
    let t = s.post(&m, board, &draft("one", "a")).expect("first").thread;
    let second = s.post(&m, board, &draft("two", "b"));
    assert!(
        matches!(second, Err(ServiceError::SlowDown(ref t)) if t.contains("first day")),
        "{second:?}"
    );
    let reply = DraftPlace::Reply(BoardId(1), t);
    s.post(&m, reply, &draft("", "same words")).expect("reply");
    let again = s.post(&m, reply, &draft("", "same words"));
    assert!(
        matches!(again, Err(ServiceError::SlowDown(ref t)) if t.contains("just posted")),
        "{again:?}"
    );
    // Reading, not posting, is what earns trust.
    let elder = s.add_user("elder", &key(), Role::Member).expect("add");
    let t2 = s
        .post(&elder, board, &draft("by elder", "x"))
        .expect("elder")
        .thread;
    s.thread(&m, t2, 0).expect("read");
    let third = s.post(&m, board, &draft("three", "c"));
    assert!(
        third.is_ok(),
        "trust level 1 lifts the first-day limit: {third:?}"
    );
    assert_eq!(s.user(m.id).expect("user").map(|u| u.trust_level), Some(1));
}

#[test]
fn a_demoted_moderator_cannot_act_on_a_stale_copy_of_their_account() {
    let s = service();
    let moderator = s
        .add_user("watchful", &key(), Role::Moderator)
        .expect("add");
    assert!(s.create_invite(Some(&moderator), 7).is_ok());
    s.set_role(None, "watchful", Role::Member, "stepped down")
        .expect("demote");
    // `moderator` still says Moderator: the service must not believe it.
    assert!(matches!(
        s.create_invite(Some(&moderator), 7),
        Err(ServiceError::Denied(Denied::StaffOnly))
    ));
    assert!(matches!(
        s.pending_accounts(&moderator),
        Err(ServiceError::Denied(Denied::StaffOnly))
    ));
    assert!(matches!(
        s.audit_for(&moderator, 0, ""),
        Err(ServiceError::Denied(Denied::StaffOnly))
    ));
}

#[test]
fn a_banned_member_cannot_post_from_an_open_session() {
    let s = service();
    let member = s.add_user("poster", &key(), Role::Member).expect("add");
    s.ban(None, "poster", None, "test").expect("ban");
    let draft = Draft {
        title: "t".into(),
        body: "b".into(),
        ..Draft::default()
    };
    let r = s.post(&member, DraftPlace::NewThread(BoardId(1)), &draft);
    assert!(r.is_err(), "{r:?}");
}

/// A write reaches live sessions at once, not at the watcher's next poll: every use case that
/// writes tells the watcher (through `Service::write`), and a failed one does not.
#[test]
fn every_write_tells_the_live_watcher_and_a_refused_one_does_not() {
    let s = service();
    let m = s.add_user("poster", &key(), Role::Member).expect("add");
    assert!(s.hub().take_poke(), "adding a member poked the watcher");
    assert!(!s.hub().take_poke(), "the poke was taken");
    let place = DraftPlace::NewThread(BoardId(1));
    let posted = s.post(&m, place, &draft("first", "hello")).expect("post");
    assert!(s.hub().take_poke(), "a post pokes the watcher");
    s.moderate(&m, ModAction::Hide(posted.post), "no reason")
        .expect_err("a member cannot hide");
    assert!(
        !s.hub().take_poke(),
        "a refused action writes nothing and pokes nothing"
    );
    s.set_presence(&m, true).expect("presence");
    assert!(s.hub().take_poke(), "a setting pokes the watcher");
}

#[test]
fn authors_hear_what_a_moderator_did_to_their_posts_and_why_never_who() {
    let s = service_with(super::test_support::without_pace);
    let author = s.add_user("writer", &key(), Role::Member).expect("add");
    let other = s.add_user("bystander", &key(), Role::Member).expect("add");
    let moderator = s
        .add_user("careful_mod", &key(), Role::Moderator)
        .expect("add");
    let named = s
        .post(
            &author,
            DraftPlace::NewThread(BoardId(1)),
            &draft("Named one", "x"),
        )
        .expect("named");
    let anonymous = Draft {
        anonymous: true,
        ..draft("Quiet one", "y")
    };
    let quiet = s
        .post(&author, DraftPlace::NewThread(BoardId(2)), &anonymous)
        .expect("anonymous");
    s.moderate(&moderator, ModAction::Hide(named.post), "off topic")
        .expect("hide");
    s.set_content_warning(&moderator, quiet.post, "grief", "heavy")
        .expect("cw");
    s.move_thread(&moderator, named.thread, "general", "fits better")
        .expect("move");
    let told: Vec<String> = s
        .notifications(&author)
        .expect("notifications")
        .into_iter()
        .filter_map(|n| n.body)
        .collect();
    // The hidden post opened "Named one", so its title shows as members see it now, in every
    // notice that names the thread (titles are put in when a notice is read).
    assert_eq!(
        told,
        vec![
            "A moderator moved your thread \u{201c}(opening post hidden)\u{201d} to General. Why: fits better",
            "A moderator put a content warning (grief) on your post in \u{201c}Quiet one\u{201d}. Why: heavy",
            "A moderator hid your post in \u{201c}(opening post hidden)\u{201d}. Why: off topic",
        ],
        "newest first; the anonymous post's author is told too"
    );
    assert!(told.iter().all(|t| !t.contains("careful_mod")));
    assert!(s.notifications(&other).expect("other").is_empty());
    // A moderator's action on their own post tells no one.
    let own = s
        .post(
            &moderator,
            DraftPlace::NewThread(BoardId(1)),
            &draft("Mine", "z"),
        )
        .expect("own");
    s.moderate(&moderator, ModAction::Hide(own.post), "tidying")
        .expect("hide own");
    assert!(s.notifications(&moderator).expect("mod").is_empty());
}

#[test]
fn an_erased_thread_leaves_no_copy_of_its_title_in_anyones_notices() {
    use crate::store::test_support::rows_holding;
    let s = service_with(super::test_support::without_pace);
    let author = s.add_user("writer", &key(), Role::Member).expect("add");
    let replier = s.add_user("replier", &key(), Role::Member).expect("add");
    let moderator = s
        .add_user("careful_mod", &key(), Role::Moderator)
        .expect("add");
    let title = "Unforgettable private words";
    let thread = s
        .post(
            &author,
            DraftPlace::NewThread(BoardId(4)),
            &draft(title, "x"),
        )
        .expect("thread")
        .thread;
    let reply = s
        .post(
            &replier,
            DraftPlace::Reply(BoardId(4), thread),
            &draft("", "a reply"),
        )
        .expect("reply");
    s.moderate(&moderator, ModAction::Hide(reply.post), "off topic")
        .expect("hide");
    // A notice from before notices named their thread by reference (migration 7) held a copy.
    let old = format!("A moderator hid your post in \u{201c}{title}\u{201d}. Why: earlier");
    s.store()
        .write(|c| store::reports::notify(c, replier.id, "moderator", &old))
        .expect("old notice");
    let hid = format!("A moderator hid your post in \u{201c}{title}\u{201d}. Why: off topic");
    let bodies = |who: &User| -> Vec<String> {
        let notes = s.notifications(who).expect("notifications");
        notes.into_iter().filter_map(|n| n.body).collect()
    };
    // At the next visit (oldest first), and in the list (newest first), with the title.
    assert_eq!(
        s.take_notices(&replier).expect("notices"),
        vec![hid.clone(), old.clone()]
    );
    assert_eq!(bodies(&replier), vec![old.clone(), hid]);
    assert_eq!(
        rows_holding(s.store(), "notifications", title),
        1,
        "only the old notice holds the title itself"
    );

    s.delete_account(&author, "writer", true).expect("erase");
    let gone = "A moderator hid your post in \u{201c}[removed]\u{201d}.";
    assert_eq!(
        bodies(&replier),
        vec![
            format!("{gone} Why: earlier"),
            format!("{gone} Why: off topic")
        ]
    );
    s.moderate(&moderator, ModAction::Restore(reply.post), "on reflection")
        .expect("restore");
    assert_eq!(
        s.take_notices(&replier).expect("notices"),
        vec!["A moderator restored your post in \u{201c}[removed]\u{201d}. Why: on reflection"]
    );
    assert_eq!(rows_holding(s.store(), "notifications", title), 0);
    assert_eq!(rows_holding(s.store(), "notifications", "Unforgettable"), 0);
}

#[test]
fn an_author_withdraws_their_post_members_lose_it_moderators_keep_it_and_the_audit_unmasks_no_one()
{
    let s = service_with(super::test_support::without_pace);
    let author = s.add_user("writer", &key(), Role::Member).expect("add");
    let reader = s.add_user("reader", &key(), Role::Member).expect("add");
    let moderator = s
        .add_user("careful_mod", &key(), Role::Moderator)
        .expect("add");
    let thread = s
        .post(
            &author,
            DraftPlace::NewThread(BoardId(2)),
            &draft("Heavy day", "first"),
        )
        .expect("thread")
        .thread;
    let anonymous = Draft {
        anonymous: true,
        ..draft("", "I regret saying this")
    };
    let post = s
        .post(&author, DraftPlace::Reply(BoardId(2), thread), &anonymous)
        .expect("reply")
        .post;
    assert!(matches!(
        s.withdraw_post(&reader, post),
        Err(ServiceError::Refused(_))
    ));
    s.withdraw_post(&author, post).expect("withdraw");
    let seen = |u: &User| s.thread(u, thread, 0).expect("page").posts;
    assert_eq!(seen(&reader).len(), 1, "gone for members");
    assert_eq!(seen(&author).len(), 1, "and for its author");
    assert!(s.search(&reader, "regret").expect("search").is_empty());
    let kept = seen(&moderator);
    let p = kept
        .iter()
        .find(|p| p.id == post)
        .expect("kept for moderators");
    assert!(p.withdrawn && p.hidden, "{p:?}");
    let audit = s
        .audit(&crate::store::audit::Filter::default(), 50, 0)
        .expect("audit");
    // An anonymous withdrawal leaves no row: its time beside its author's login or named
    // withdrawal would say who wrote the post, without an unmask.
    assert!(
        !audit.iter().any(|e| e.action == "post_withdrawn"),
        "{audit:?}"
    );
    // A named one is audited under its author's handle.
    let named = s
        .post(
            &author,
            DraftPlace::Reply(BoardId(2), thread),
            &draft("", "mine"),
        )
        .expect("reply")
        .post;
    s.withdraw_post(&author, named).expect("withdraw");
    let audit = s
        .audit(&crate::store::audit::Filter::default(), 50, 0)
        .expect("audit");
    let rows: Vec<_> = audit
        .iter()
        .filter(|e| e.action == "post_withdrawn")
        .collect();
    assert_eq!(rows.len(), 1, "{audit:?}");
    assert!(rows[0].actor.contains("writer"), "{rows:?}");
    assert!(matches!(
        s.withdraw_post(&author, post),
        Err(ServiceError::Refused(t)) if t.contains("already gone")
    ));
    // A post a moderator hid stays with the moderators.
    let other = s
        .post(
            &author,
            DraftPlace::Reply(BoardId(2), thread),
            &draft("", "second"),
        )
        .expect("reply")
        .post;
    s.moderate(&moderator, ModAction::Hide(other), "check")
        .expect("hide");
    assert!(s.withdraw_post(&author, other).is_err());
    s.moderate(&moderator, ModAction::Restore(other), "fine")
        .expect("the moderators can still restore it");
}

#[test]
fn search_understands_phrases_prefixes_boards_and_dates_and_pages_its_results() {
    let s = service_with(super::test_support::without_pace);
    let m = s.add_user("seeker", &key(), Role::Member).expect("add");
    let first = s
        .post(
            &m,
            DraftPlace::NewThread(BoardId(1)),
            &draft("Night thoughts", "sleeping is hard"),
        )
        .expect("one");
    s.post(
        &m,
        DraftPlace::NewThread(BoardId(3)),
        &draft("Bad night", "a bad night again"),
    )
    .expect("two");
    let titles = |q: &str| -> Vec<String> {
        s.search(&m, q)
            .expect(q)
            .into_iter()
            .map(|h| h.thread_title)
            .collect()
    };
    assert_eq!(titles("\"bad night\""), vec!["Bad night"]);
    assert_eq!(titles("sleep*"), vec!["Night thoughts"]);
    assert_eq!(titles("night board:welcome"), vec!["Night thoughts"]);
    assert!(titles("night since:2999-01-01").is_empty());
    assert_eq!(titles("night before:2999-01-01").len(), 2);
    assert!(
        titles("board:nowhere").is_empty(),
        "an unknown board finds nothing"
    );
    assert!(matches!(
        s.search(&m, "since:yesterday"),
        Err(ServiceError::Refused(t)) if t.contains("not a date")
    ));
    for i in 0..55 {
        s.post(
            &m,
            DraftPlace::Reply(BoardId(1), first.thread),
            &draft("", &format!("paging {i}")),
        )
        .expect("reply");
    }
    let page = |offset| s.search_page(&m, "paging", offset).expect("page").len();
    assert_eq!((page(0), page(50), page(100)), (50, 5, 0));
}

/// Kiritimati (UTC+14) and Pago Pago (UTC−11) are 25 hours apart, so at any moment their
/// dates differ, and at least one differs from UTC's: a filter read as UTC midnights fails
/// one of the checks whenever this runs.
#[test]
fn date_filters_mean_the_members_own_day() {
    let s = service_with(super::test_support::without_pace);
    let m = s.add_user("seeker", &key(), Role::Member).expect("add");
    s.post(
        &m,
        DraftPlace::NewThread(BoardId(1)),
        &draft("Today", "written now"),
    )
    .expect("post");
    let now = jiff::Timestamp::from_second(s.clock().now()).expect("now");
    let date_in = |zone: &str| {
        now.to_zoned(jiff::tz::TimeZone::get(zone).expect("zone"))
            .date()
            .to_string()
    };
    let (east, west) = (date_in("Pacific/Kiritimati"), date_in("Pacific/Pago_Pago"));
    assert_ne!(east, west);
    let found = |q: &str| s.search(&m, q).expect(q).len();
    for (zone, today, other) in [
        ("Pacific/Kiritimati", &east, &west),
        ("Pacific/Pago_Pago", &west, &east),
    ] {
        s.set_time_zone(&m, zone).expect("zone");
        assert_eq!(found(&format!("since:{today}")), 1, "{zone} since {today}");
        assert_eq!(
            found(&format!("before:{today}")),
            0,
            "{zone} before {today}"
        );
        // The other zone's date is a day away from this member's today.
        let expect_since = usize::from(other < today);
        assert_eq!(
            found(&format!("since:{other}")),
            expect_since,
            "{zone} since {other}"
        );
    }
}

#[test]
fn the_dashboard_counts_what_happened_and_only_sysops_see_it() {
    let s = service_with(super::test_support::without_pace);
    let sysop = s.add_user("keeper", &key(), Role::Sysop).expect("add");
    let moderator = s.add_user("warden", &key(), Role::Moderator).expect("add");
    let member = s.add_user("fern", &key(), Role::Member).expect("add");
    for who in [&moderator, &member] {
        assert!(
            matches!(s.stats(who), Err(ServiceError::Denied(Denied::SysopOnly))),
            "{}",
            who.handle
        );
    }
    let board = DraftPlace::NewThread(BoardId(1));
    let posted = s
        .post(&member, board, &draft("hard day", "a"))
        .expect("post");
    let reply = DraftPlace::Reply(BoardId(1), posted.thread);
    s.post(&member, reply, &draft("", "b")).expect("reply");
    s.post(&moderator, reply, &draft("", "c")).expect("reply");
    s.report(
        &moderator,
        store::reports::Target::Post(posted.post),
        store::reports::AT_RISK,
        "",
    )
    .expect("report");
    let _here = s.hub().enter(member.id);
    let _again = s.hub().enter(member.id);

    let now = s.stats(&sysop).expect("stats");
    assert_eq!(now.posts_per_hour.len(), STATS_HOURS);
    assert_eq!(
        now.posts_per_hour[STATS_HOURS - 1],
        3,
        "{:?}",
        now.posts_per_hour
    );
    assert_eq!(now.posts_last_day(), 3);
    assert_eq!((now.open_reports, now.urgent_reports), (1, 1));
    assert_eq!(now.first_reports.len(), 1);
    assert!(now.first_reports[0].2, "the urgent report is marked");
    assert_eq!((now.sessions, now.members_online), (2, 1));
    assert_eq!((now.members, now.pending_accounts), (3, 0));

    // Two hours on, the posts sit two bars back; a day on, they have left the chart.
    s.clock().advance(2 * 3600 + 60);
    let later = s.stats(&sysop).expect("stats");
    assert_eq!(
        later.posts_per_hour[STATS_HOURS - 3],
        3,
        "{:?}",
        later.posts_per_hour
    );
    assert_eq!(later.posts_last_day(), 3);
    s.clock().advance(23 * 3600);
    assert_eq!(s.stats(&sysop).expect("stats").posts_last_day(), 0);
}

#[test]
fn a_time_zone_is_in_the_export_and_goes_with_the_account() {
    let s = service();
    let m = s.add_user("wanderer", &key(), Role::Member).expect("add");
    assert_eq!(
        s.set_time_zone(&m, "asia/kathmandu").expect("known"),
        Some("Asia/Kathmandu".to_string())
    );
    assert!(
        s.set_time_zone(&m, "localtime").is_err(),
        "the server's own zone"
    );
    let export = s.export(&m).expect("export");
    assert!(
        export.contains("\"time_zone\": \"Asia/Kathmandu\""),
        "{export}"
    );
    s.delete_account(&m, "wanderer", false).expect("delete");
    let left = s.store().read(|c| users::time_zone(c, m.id)).expect("read");
    assert_eq!(left, None, "nothing about where they were is kept");
}

#[test]
fn an_account_waiting_for_approval_meets_nobody_in_who_is_online() {
    let s = service();
    let seen = s.add_user("seen", &key(), Role::Member).expect("add");
    s.set_presence(&seen, true).expect("visible");
    let _here = s.hub().enter(seen.id);
    let waiting = s.add_user("waiting", &key(), Role::Member).expect("add");
    s.store()
        .write(|c| users::set_status(c, waiting.id, AccountStatus::Pending, None))
        .expect("pending");
    let member = s.add_user("member", &key(), Role::Member).expect("add");
    assert_eq!(
        s.who_is_online(&member).expect("online"),
        vec!["seen".to_string()]
    );
    assert!(s.who_is_online(&waiting).expect("online").is_empty());
}

#[test]
fn the_dashboard_names_the_first_items_of_the_review_queue_as_the_queue_orders_them() {
    use store::reports::{AT_RISK, Target};
    let s = service_with(super::test_support::without_pace);
    let sysop = s.add_user("keeper", &key(), Role::Sysop).expect("add");
    let moderator = s.add_user("warden", &key(), Role::Moderator).expect("add");
    let add = |h: &str| s.add_user(h, &key(), Role::Member).expect("add");
    let (writer, one, two) = (add("writer"), add("one"), add("two"));
    let thread = s
        .post(
            &writer,
            DraftPlace::NewThread(BoardId(1)),
            &draft("Reported thread", "a"),
        )
        .expect("thread");
    let reply = s
        .post(
            &writer,
            DraftPlace::Reply(BoardId(1), thread.thread),
            &draft("", "b"),
        )
        .expect("reply");
    let report = |who: &User, target, category| {
        s.report(who, target, category, "a note").expect("report");
    };
    report(&one, Target::Post(reply.post), "spam");
    report(&two, Target::Post(reply.post), "spam");
    report(&one, Target::Thread(thread.thread), "harassment");
    report(&two, Target::Member(writer.id), "other");
    // Filed last, and first in the queue.
    report(&two, Target::Post(thread.post), AT_RISK);

    let stats = s.stats(&sysop).expect("stats");
    assert_eq!(
        stats.first_reports,
        vec![
            (format!("post {}", thread.post), 1, true),
            (format!("post {}", reply.post), 2, false),
            ("thread: Reported thread".to_string(), 1, false),
        ]
    );
    let queue = s.review_queue(&moderator).expect("queue");
    let head: Vec<(String, i64, bool)> = queue
        .iter()
        .take(STATS_REPORTS)
        .map(|i| (i.label.clone(), i.reports, i.urgent))
        .collect();
    assert_eq!(
        stats.first_reports, head,
        "the same items as the queue's first"
    );
    assert_eq!((stats.open_reports, stats.urgent_reports), (4, 1));
    assert_eq!(queue.len(), 4);
}
