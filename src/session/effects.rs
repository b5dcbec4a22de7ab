//! The effect interpreter: each [`Effect`] the App asks for becomes a service call on the
//! blocking pool (it calls SQLite), and its result comes back as a [`Msg`]. Service errors
//! become words for the member; nothing they typed is lost.

use super::*;

/// How a batch of effects ends the session, if it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Stop {
    Go,
    Quit,
    QuickExit,
}

/// Runs effects in order, feeding each result back to the App; says whether to stop.
pub(super) async fn run_effects(
    service: &Service,
    app: &mut App,
    key: Option<&KeyInfo>,
    effects: Vec<Effect>,
) -> Stop {
    let mut queue: std::collections::VecDeque<Effect> = effects.into();
    let mut stop = Stop::Go;
    while let Some(effect) = queue.pop_front() {
        match effect {
            Effect::Quit if stop == Stop::Go => stop = Stop::Quit,
            Effect::Quit => {}
            // Nothing else runs once the member asked to vanish: the wipe goes first, and the
            // draft is saved after it (see `run`).
            Effect::QuickExit => return Stop::QuickExit,
            effect => {
                if let Some(msg) = perform(service, app.user.as_ref(), key, effect).await {
                    queue.extend(app.update(msg));
                }
            }
        }
    }
    stop
}

/// Runs one effect against the service (on the blocking pool: it calls SQLite).
pub async fn perform(
    service: &Service,
    user: Option<&User>,
    key: Option<&KeyInfo>,
    effect: Effect,
) -> Option<Msg> {
    let service = service.clone();
    let user = user.cloned();
    let key = key.cloned();
    let result = tokio::task::spawn_blocking(move || {
        perform_blocking(&service, user.as_ref(), key.as_ref(), effect)
    })
    .await;
    match result {
        Ok(msg) => msg,
        Err(e) => {
            tracing::error!(error = %e, "effect task failed");
            Some(Msg::Failed(
                "Something went wrong on the server. Nothing you wrote is lost.".into(),
            ))
        }
    }
}

fn settings(service: &Service, user: &User) -> Result<Loaded, ServiceError> {
    Ok(Loaded::Settings(
        crate::tui::screens::settings::SettingsData {
            keys: service.keys(user.id)?,
            totp: service.has_totp(user.id)?,
            recovery_codes_left: service.recovery_codes_left(user.id)?,
            presence: service.presence_visible(user)?,
            muted: service.muted_words(user)?,
            blocked: service.blocked(user)?,
            report_bell: service.report_bell(user)?,
            time_zone: service.time_zone(user)?,
        },
    ))
}

fn perform_blocking(
    service: &Service,
    user: Option<&User>,
    key: Option<&KeyInfo>,
    effect: Effect,
) -> Option<Msg> {
    let loaded = |r: Result<Loaded, ServiceError>| -> Option<Msg> {
        Some(match r {
            Ok(l) => Msg::Loaded(l),
            Err(e) => {
                if matches!(e, ServiceError::Store(_)) {
                    tracing::warn!(error = %e, "store error");
                }
                Msg::Failed(e.to_string())
            }
        })
    };
    match (effect, user) {
        (Effect::Quit | Effect::QuickExit, _) => None,
        (
            Effect::SignUp {
                handle,
                claim,
                invite,
            },
            _,
        ) => {
            let key = key?;
            loaded(
                service
                    .sign_up(&handle, key, claim.as_deref(), invite.as_deref())
                    .map(|(u, codes, key_id)| Loaded::SignedUp(u, codes, key_id)),
            )
        }
        (Effect::Recover { handle, code }, _) => {
            let key = key?;
            loaded(
                service
                    .recover(&handle, &code, key)
                    .and_then(|(u, left)| Ok(Loaded::Recovered(u, left, service.key_id(key)?))),
            )
        }
        (_, None) => None,
        (Effect::LoadBoards, Some(u)) => loaded(service.boards(u).map(Loaded::Boards)),
        (
            Effect::LoadThreads {
                board,
                offset,
                limit,
            },
            Some(u),
        ) => loaded(
            service
                .threads(u, board, offset, limit)
                .map(|(board, threads)| Loaded::Threads {
                    board,
                    offset,
                    threads,
                }),
        ),
        (Effect::LoadThread { thread, at }, Some(u)) => {
            let offset = match at {
                PageAt::Offset(o) => Ok(o),
                PageAt::Post(p) => service.page_of(u, p).map(|r| r.map_or(0, |(_, o)| o)),
                PageAt::FirstUnread => service.unread_page(u, thread),
            };
            loaded(
                offset
                    .and_then(|o| service.thread(u, thread, o))
                    .map(Loaded::Thread),
            )
        }
        (Effect::NextUnread(current), Some(u)) => {
            loaded(service.next_unread(u, current).map(Loaded::NextUnread))
        }
        (Effect::Withdraw(post), Some(u)) => {
            loaded(service.withdraw_post(u, post).map(Loaded::Done))
        }
        (Effect::MarkRead(board), Some(u)) => loaded(service.mark_read(u, board).map(Loaded::Done)),
        (Effect::LoadDraft(place), Some(u)) => loaded(
            service
                .load_draft(u, place)
                .map(|d| Loaded::Draft(place, d)),
        ),
        (Effect::SaveDraft(place, draft), Some(u)) => loaded(
            service
                .save_draft(u, place, &draft)
                .map(|_| Loaded::DraftSaved),
        ),
        (Effect::LoadSettings, Some(u)) => loaded(settings(service, u)),
        (Effect::AddKey(text), Some(u)) => {
            loaded(KeyInfo::parse_authorized(&text).and_then(|(key, comment)| {
                let comment = (!comment.is_empty()).then_some(comment);
                service.add_key(Some(u), u.id, &key, comment.as_deref())?;
                Ok(Loaded::Done(format!("Key added: {}", key.fingerprint)))
            }))
        }
        (Effect::RevokeKey(id), Some(u)) => loaded(
            service
                .revoke_key(Some(u), u.id, id)
                .map(|_| Loaded::Done("Key revoked.".into())),
        ),
        (Effect::StartTotp, Some(u)) => Some(Msg::Loaded(Loaded::TotpSetup(service.totp_setup(u)))),
        (Effect::EnableTotp { secret, code }, Some(u)) => loaded(
            service
                .enable_totp(u, &secret, &code)
                .map(|_| Loaded::TotpEnabled),
        ),
        (Effect::DisableTotp(code), Some(u)) => loaded(
            service
                .disable_totp(u, &code)
                .map(|_| Loaded::Done("Your second factor is off.".into())),
        ),
        (
            Effect::DeleteAccount {
                confirm,
                erase_posts,
            },
            Some(u),
        ) => loaded(
            service
                .delete_account(u, &confirm, erase_posts)
                .map(|_| Loaded::AccountDeleted),
        ),
        (Effect::BlockAuthor(post), Some(u)) => loaded(
            service
                .block_author(u, post)
                .map(|(text, leave)| Loaded::BlocksChanged(text, leave)),
        ),
        (
            Effect::Report {
                target,
                category,
                note,
            },
            Some(u),
        ) => loaded(service.report(u, target, &category, &note).map(|text| {
            if category == crate::store::reports::AT_RISK {
                Loaded::ReportedAtRisk(text)
            } else {
                Loaded::Done(text)
            }
        })),
        (Effect::LoadInbox, Some(u)) => loaded(service.inbox(u).map(Loaded::Inbox)),
        (Effect::OpenConversation(handle), Some(u)) => loaded(
            service
                .correspondent(u, &handle)
                .map(|o| Loaded::Correspondent(o.id, o.handle)),
        ),
        (Effect::LoadProfile(post), Some(u)) => loaded(
            service
                .profile_of_post(u, post)
                .map(|p| Loaded::Profile(p, post)),
        ),
        (Effect::MessageAuthor(post), Some(u)) => loaded(
            service
                .post_correspondent(u, post)
                .map(|o| Loaded::Correspondent(o.id, o.handle)),
        ),
        (Effect::LoadConversation { with, before }, Some(u)) => loaded(
            service
                .conversation(u, with, before)
                .map(Loaded::Conversation),
        ),
        (Effect::SendMessage { to, body }, Some(u)) => loaded(
            service
                .send_message(u, to, &body)
                .map(|()| Loaded::MessageSent(to)),
        ),
        (Effect::BlockHandle(handle), Some(u)) => loaded(
            service
                .block_handle(u, &handle)
                .map(|text| Loaded::BlocksChanged(text, false)),
        ),
        (Effect::BlockMember(member), Some(u)) => loaded(
            service
                .block_member(u, member)
                .map(|text| Loaded::BlocksChanged(text, true)),
        ),
        (
            Effect::EditPost {
                post,
                body,
                content_warning,
                reason,
            },
            Some(u),
        ) => loaded(
            service
                .edit_post(u, post, &body, &content_warning, &reason)
                .map(Loaded::Edited),
        ),
        (
            Effect::SetContentWarning {
                post,
                label,
                reason,
            },
            Some(u),
        ) => loaded(
            service
                .set_content_warning(u, post, &label, &reason)
                .map(Loaded::Done),
        ),
        (Effect::EraseRevision { revision, reason }, Some(u)) => loaded(
            service
                .erase_revision(u, revision, &reason)
                .map(Loaded::Done),
        ),
        (Effect::Support(post), Some(u)) => {
            loaded(service.toggle_support(u, post).map(Loaded::Done))
        }
        (Effect::LoadRevisions(post), Some(u)) => loaded(
            service
                .revisions(u, post)
                .map(|list| Loaded::Revisions(post, list)),
        ),
        (Effect::RequestUnmask { post, reason }, Some(u)) => {
            loaded(service.request_unmask(u, post, &reason).map(Loaded::Done))
        }
        (Effect::DecideUnmask { request, confirm }, Some(u)) => {
            loaded(service.decide_unmask(u, request, confirm).map(Loaded::Done))
        }
        (Effect::LoadBoardAdmin, Some(u)) => {
            loaded(service.boards_to_manage(u).map(Loaded::BoardAdmin))
        }
        (Effect::ManageBoard(op), Some(u)) => loaded(service.manage_board(u, op).map(Loaded::Done)),
        (Effect::LoadCounts, Some(u)) => loaded((|| {
            Ok(Loaded::Counts(
                service.unread_messages(u)?,
                service.unread_notifications(u)?,
                service.open_reports(u)?,
                service.report_bell(u)?.unwrap_or(false),
            ))
        })()),
        (Effect::LoadOnline, Some(u)) => loaded(service.who_is_online(u).map(Loaded::Online)),
        (Effect::LoadAnnouncement(id), Some(_)) => {
            loaded(service.announcement(id).map(Loaded::Announcement))
        }
        (Effect::LoadStats, Some(u)) => {
            loaded(service.stats(u).map(|s| Loaded::Stats(Box::new(s))))
        }
        (Effect::SetTimeZone(name), Some(u)) => {
            loaded(service.set_time_zone(u, &name).map(Loaded::TimeZoneSet))
        }
        (Effect::SetTheme(theme), Some(u)) => loaded(
            service
                .set_theme(u, theme.name())
                .map(|()| Loaded::ThemeSet(theme)),
        ),
        (Effect::SetReportBell(on), Some(u)) => {
            loaded(service.set_report_bell(u, on).map(Loaded::Done))
        }
        (Effect::SetPresence(visible), Some(u)) => {
            loaded(service.set_presence(u, visible).map(Loaded::Done))
        }
        (Effect::Search(text, offset), Some(u)) => loaded(
            service
                .search_page(u, &text, offset)
                .map(Loaded::SearchResults),
        ),
        (Effect::DismissNotifications(ids), Some(u)) => {
            loaded(service.dismiss_notifications(u, &ids).map(Loaded::Done))
        }
        (Effect::LoadNotifications, Some(u)) => {
            loaded(service.notifications(u).map(Loaded::Notifications))
        }
        (Effect::LoadReports, Some(u)) => loaded(service.review_queue(u).map(Loaded::Reports)),
        (Effect::ClaimReport { target, claim }, Some(u)) => {
            loaded(service.claim_report(u, target, claim).map(Loaded::Done))
        }
        (Effect::ResolveReport { target, outcome }, Some(u)) => loaded(
            service
                .resolve_report(u, target, &outcome)
                .map(Loaded::Done),
        ),
        (
            Effect::Sanction {
                post,
                sanction,
                reason,
            },
            Some(u),
        ) => loaded(
            service
                .sanction(u, post, sanction, &reason)
                .map(Loaded::Done),
        ),
        (Effect::DecideHeld { post, approve }, Some(u)) => {
            loaded(service.decide_held(u, post, approve).map(Loaded::Done))
        }
        (
            Effect::MoveThread {
                thread,
                slug,
                reason,
            },
            Some(u),
        ) => loaded(
            service
                .move_thread(u, thread, &slug, &reason)
                .map(Loaded::Done),
        ),
        (Effect::LoadRecord, Some(u)) => loaded(service.my_record(u).map(Loaded::Record)),
        (Effect::Appeal(text), Some(u)) => loaded(service.appeal(u, &text).map(Loaded::Done)),
        (Effect::Moderate { action, reason }, Some(u)) => {
            loaded(service.moderate(u, action, &reason).map(Loaded::Done))
        }
        (Effect::Unblock(handle), Some(u)) => loaded(
            service
                .unblock(u, &handle)
                .map(|text| Loaded::BlocksChanged(text, false)),
        ),
        (Effect::SetMutedWords(list), Some(u)) => {
            loaded(service.set_muted_words(u, &list).map(|w| {
                Loaded::Done(if w.is_empty() {
                    "No muted words.".into()
                } else {
                    format!("Muted: {}", w.join(", "))
                })
            }))
        }
        (Effect::LoadSafetyPlan, Some(u)) => loaded(service.safety_plan(u).map(Loaded::SafetyPlan)),
        (Effect::SaveSafetyPlan(text), Some(u)) => loaded(
            service
                .set_safety_plan(u, &text)
                .map(|_| Loaded::Done("Your safety plan is saved. Only you can see it.".into())),
        ),
        (Effect::AcceptDocuments, Some(u)) => loaded(
            service
                .accept_documents(u)
                .map(|_| Loaded::DocumentsAccepted),
        ),
        (Effect::LoadPending, Some(u)) => loaded(service.pending_accounts(u).map(Loaded::Pending)),
        (Effect::DecidePending { member, approve }, Some(u)) => {
            loaded(service.decide_pending(u, member, approve).map(|_| {
                Loaded::Done(if approve {
                    "Approved.".into()
                } else {
                    "Rejected.".into()
                })
            }))
        }
        (Effect::CreateInvite, Some(u)) => loaded(
            service
                .create_invite(Some(u), service.config().invite_days)
                .map(|(code, expires)| Loaded::Invite(code, expires)),
        ),
        (Effect::LoadAudit { offset, filter }, Some(u)) => loaded(
            service
                .audit_for(u, offset, &filter)
                .map(|entries| Loaded::Audit(offset, entries)),
        ),
        (Effect::RegenerateCodes, Some(u)) => {
            loaded(service.regenerate_recovery_codes(u).map(Loaded::Codes))
        }
        (Effect::Post(place, draft), Some(u)) => {
            loaded(service.post(u, place, &draft).map(|p| Loaded::Posted {
                place,
                thread: p.thread,
                post: p.post,
                held: p.held,
            }))
        }
    }
}
