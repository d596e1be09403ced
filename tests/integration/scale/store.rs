//! The store suite: the same tests on SQLite and on PostgreSQL, so that
//! every store function is known to work on both backends.

use herald::{
    model::{
        Audience, CardChange, Id, InboxChange, InboxChangeKind, NewNotification, Notification, User,
    },
    store::{CATCH_UP_PAGE, Muted, NewUser, Store},
};

use crate::kit::stores::{Backend, TestDb};

crate::kit::stores::on_both_backends!(
    users_are_unique_by_email_and_found_by_id,
    follows_are_idempotent_and_listed_both_ways,
    boards_members_cards_assignees_and_comments,
    posts_and_their_followers,
    a_fan_out_is_one_statement_with_a_prev_id_chain_per_recipient,
    audiences_the_store_selects_leave_out_the_actor,
    inbox_pages_counts_and_read_state,
    catch_up_reads_are_paged_and_ranges_filter_by_recipient,
    concurrent_writers_keep_cursors_in_commit_order,
    a_notification_names_only_rows_that_exist,
    preferences_and_mutes_leave_recipients_out_of_the_fan_out,
    a_large_fan_out_with_preferences_is_still_one_statement,
    groups_count_unread_members_and_rank_their_people,
    pushes_are_queued_with_their_notifications_claimed_and_finished,
);

async fn user(store: &Store, name: &str) -> User {
    store
        .create_user(NewUser {
            name,
            email: &format!("{}@example.com", name.to_lowercase()),
            password_hash: "hash",
        })
        .await
        .expect("create user")
}

fn updated(actor: Id) -> NewNotification {
    NewNotification {
        kind: "CARD_UPDATED",
        message: "updated".into(),
        actor_id: Some(actor),
        ..Default::default()
    }
}

/// Writes one notification to each of `recipients` in one transaction.
async fn notify(store: &Store, actor: Id, recipients: &[Id]) -> Vec<Id> {
    let mut tx = store.begin_write().await.unwrap();
    let rows = tx
        .insert_notifications(&Audience::Users(recipients.to_vec()), &updated(actor))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    rows.iter().map(|n| n.id).collect()
}

async fn users_are_unique_by_email_and_found_by_id(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let alice = user(&store, "Alice").await;
    let bob = user(&store, "Bob").await;
    let again = store
        .create_user(NewUser {
            name: "Other",
            email: "alice@example.com",
            password_hash: "x",
        })
        .await
        .expect_err("a second alice@example.com");
    assert!(again.is_unique_violation());

    let (found, hash) = store
        .credentials_by_email("alice@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (found.id, found.name.as_str(), hash.as_deref()),
        (alice.id, "Alice", Some("hash"))
    );
    assert!(
        store
            .credentials_by_email("nobody@example.com")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        store.user(bob.id).await.unwrap().unwrap().email.as_deref(),
        Some("bob@example.com")
    );
    assert!(store.user(bob.id + 100).await.unwrap().is_none());
    let mut ids: Vec<Id> = store
        .users_by_ids(&[alice.id, bob.id, 9_999])
        .await
        .unwrap()
        .iter()
        .map(|u| u.id)
        .collect();
    ids.sort_unstable();
    assert_eq!(ids, vec![alice.id, bob.id]);
    assert!(store.users_by_ids(&[]).await.unwrap().is_empty());
    assert!(store.ping(std::time::Duration::from_secs(5)).await);
}

async fn follows_are_idempotent_and_listed_both_ways(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let alice = user(&store, "Alice").await;
    let bob = user(&store, "Bob").await;
    let carol = user(&store, "Carol").await;
    store.follow(bob.id, alice.id).await.unwrap();
    store.follow(bob.id, alice.id).await.unwrap();
    store.follow(carol.id, alice.id).await.unwrap();
    let names = |users: Vec<User>| users.into_iter().map(|u| u.name).collect::<Vec<_>>();
    assert_eq!(
        names(store.followers(alice.id, 100).await.unwrap()),
        ["Bob", "Carol"]
    );
    assert_eq!(
        names(store.following(bob.id, 100).await.unwrap()),
        ["Alice"]
    );
    store.unfollow(bob.id, alice.id).await.unwrap();
    assert_eq!(
        names(store.followers(alice.id, 100).await.unwrap()),
        ["Carol"]
    );
}

async fn boards_members_cards_assignees_and_comments(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let alice = user(&store, "Alice").await;
    let bob = user(&store, "Bob").await;

    let mut tx = store.begin_write().await.unwrap();
    let board = tx.insert_board(alice.id, "Launch").await.unwrap();
    assert!(tx.insert_board_member(board.id, bob.id).await.unwrap());
    assert!(!tx.insert_board_member(board.id, bob.id).await.unwrap());
    let card = tx
        .insert_card(board.id, alice.id, "Ship v1", Some("Everything"))
        .await
        .unwrap();
    assert!(tx.insert_assignee(card.id, bob.id).await.unwrap());
    assert!(!tx.insert_assignee(card.id, bob.id).await.unwrap());
    assert!(tx.insert_assignee(card.id, alice.id).await.unwrap());
    assert_eq!(
        tx.card_assignee_ids(card.id).await.unwrap(),
        vec![bob.id, alice.id]
    );
    let comment = tx
        .insert_comment(card.id, bob.id, "Looks good")
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let boards = store
        .boards_by_ids(&[board.id, board.id + 1])
        .await
        .unwrap();
    assert_eq!(boards.len(), 1);
    assert_eq!(boards[0].name, "Launch");
    let member = |user| store.board_and_membership(board.id, user);
    assert!(member(bob.id).await.unwrap().unwrap().1);
    assert!(!member(bob.id + 1).await.unwrap().unwrap().1);
    let mut tx = store.begin_write().await.unwrap();
    assert!(tx.is_board_member(board.id, bob.id).await.unwrap());
    assert!(!tx.is_board_member(board.id, bob.id + 1).await.unwrap());
    drop(tx);
    let members: Vec<Id> = store
        .board_members(board.id, 100)
        .await
        .unwrap()
        .iter()
        .map(|u| u.id)
        .collect();
    assert_eq!(members, vec![alice.id, bob.id]);

    // A title-only change keeps the description; clearing it sets NULL.
    let mut tx = store.begin_write().await.unwrap();
    let changed = tx
        .update_card(
            card.id,
            &CardChange {
                title: Some("Ship v1.0".into()),
                description: None,
            },
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (changed.title.as_str(), changed.description.as_deref()),
        ("Ship v1.0", Some("Everything"))
    );
    let cleared = tx
        .update_card(
            card.id,
            &CardChange {
                title: None,
                description: Some(None),
            },
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (cleared.title.as_str(), cleared.description),
        ("Ship v1.0", None)
    );
    let described = tx
        .update_card(
            card.id,
            &CardChange {
                title: None,
                description: Some(Some("Later".into())),
            },
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(described.description.as_deref(), Some("Later"));
    assert!(
        tx.update_card(card.id + 100, &CardChange::default())
            .await
            .unwrap()
            .is_none()
    );
    assert!(tx.delete_assignee(card.id, alice.id).await.unwrap());
    assert!(!tx.delete_assignee(card.id, alice.id).await.unwrap());
    tx.commit().await.unwrap();

    assert_eq!(
        store.cards_by_ids(&[card.id]).await.unwrap()[0]
            .description
            .as_deref(),
        Some("Later")
    );
    assert_eq!(store.cards_by_ids(&[card.id]).await.unwrap().len(), 1);
    assert_eq!(store.board_cards(board.id, 0, 100).await.unwrap().len(), 1);
    let assignees: Vec<Id> = store
        .card_assignees(card.id, 100)
        .await
        .unwrap()
        .iter()
        .map(|u| u.id)
        .collect();
    assert_eq!(assignees, vec![bob.id]);
    let comments = store.card_comments(card.id, 0, 100).await.unwrap();
    assert_eq!(comments.len(), 1);
    assert_eq!(comments[0].body, "Looks good");
    assert_eq!(
        store.comments_by_ids(&[comment.id]).await.unwrap()[0].author_id,
        bob.id
    );

    // A transaction dropped without commit leaves nothing behind.
    let mut tx = store.begin_write().await.unwrap();
    tx.insert_card(board.id, alice.id, "Never", None)
        .await
        .unwrap();
    drop(tx);
    assert_eq!(store.board_cards(board.id, 0, 100).await.unwrap().len(), 1);
}

async fn posts_and_their_followers(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let alice = user(&store, "Alice").await;
    let bob = user(&store, "Bob").await;
    store.follow(bob.id, alice.id).await.unwrap();
    let mut tx = store.begin_write().await.unwrap();
    let post = tx
        .insert_post(alice.id, Some("Sunset"), "a.png")
        .await
        .unwrap();
    let untitled = tx.insert_post(alice.id, None, "b.png").await.unwrap();
    tx.commit().await.unwrap();
    let mut posts = store.posts_by_ids(&[post.id, untitled.id]).await.unwrap();
    posts.sort_by_key(|p| p.id);
    assert_eq!(posts[0].caption.as_deref(), Some("Sunset"));
    assert_eq!(posts[1].caption, None);
    assert_eq!(posts[1].image_file, "b.png");
}

async fn a_fan_out_is_one_statement_with_a_prev_id_chain_per_recipient(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let alice = user(&store, "Alice").await;
    let mut followers = Vec::new();
    for i in 0..3 {
        followers.push(user(&store, &format!("F{i}")).await.id);
    }
    assert!(notify(&store, alice.id, &[]).await.is_empty());
    let first = notify(&store, alice.id, &followers).await;
    let second = notify(&store, alice.id, &followers[1..]).await;
    assert_eq!(first.len(), 3);
    assert!(first.windows(2).all(|w| w[0] < w[1]));
    assert!(second.iter().all(|id| id > first.last().unwrap()));
    let f1 = store.notifications_after(followers[1], 0).await.unwrap();
    assert_eq!(
        f1.iter().map(|n| n.prev_id).collect::<Vec<_>>(),
        vec![0, f1[0].id]
    );
    assert_eq!(f1[0].actor_id, Some(alice.id));
    assert_eq!((f1[0].kind.as_str(), f1[0].card_id), ("CARD_UPDATED", None));
    let mut latest = store
        .latest_notification_ids(&[followers[0], followers[1], alice.id])
        .await
        .unwrap();
    latest.sort_unstable();
    let mut expected = vec![
        (followers[0], first[0]),
        (followers[1], second[0]),
        (alice.id, 0),
    ];
    expected.sort_unstable();
    assert_eq!(latest, expected);

    // Thousands of recipients: one statement, every row returned in order.
    let many = bulk_users(&db, 2_000).await;
    let mut tx = store.begin_write().await.unwrap();
    let rows = tx
        .insert_notifications(&Audience::Users(many.clone()), &updated(alice.id))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(rows.len(), many.len());
    assert!(rows.windows(2).all(|w| w[0].id < w[1].id));
    assert!(rows.iter().all(|n| n.prev_id == 0));
    let mut got: Vec<Id> = rows.iter().map(|n| n.recipient_id).collect();
    got.sort_unstable();
    assert_eq!(got, many);

    // Again, after a small insert in the same transaction: each row
    // chains to the recipient's previous one, and only this statement's
    // rows come back.
    let first_of: std::collections::HashMap<Id, Id> =
        rows.iter().map(|n| (n.recipient_id, n.id)).collect();
    let mut tx = store.begin_write().await.unwrap();
    let small = tx
        .insert_notifications(&Audience::Users(vec![many[0]]), &updated(alice.id))
        .await
        .unwrap();
    let again = tx
        .insert_notifications(&Audience::Users(many[1..].to_vec()), &updated(alice.id))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(small.len(), 1);
    assert_eq!(again.len(), many.len() - 1);
    assert!(again.iter().all(|n| n.id > small[0].id));
    assert!(again.iter().all(|n| n.prev_id == first_of[&n.recipient_id]));
    assert!(again.iter().all(|n| n.recipient_id != many[0]));
}

async fn audiences_the_store_selects_leave_out_the_actor(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let alice = user(&store, "Alice").await;
    let bob = user(&store, "Bob").await;
    let carol = user(&store, "Carol").await;
    let dan = user(&store, "Dan").await;
    let mut tx = store.begin_write().await.unwrap();
    let board = tx.insert_board(alice.id, "Launch").await.unwrap();
    tx.insert_board_member(board.id, bob.id).await.unwrap();
    let card = tx
        .insert_card(board.id, alice.id, "Ship v1", None)
        .await
        .unwrap();
    for assignee in [alice.id, bob.id] {
        tx.insert_assignee(card.id, assignee).await.unwrap();
    }
    // Membership is answered with the card, inside and outside a write.
    let (found, member) = tx
        .card_and_membership(card.id, bob.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((found.id, member), (card.id, true));
    assert!(
        !tx.card_and_membership(card.id, carol.id)
            .await
            .unwrap()
            .unwrap()
            .1
    );
    assert!(
        tx.card_and_membership(card.id + 99, bob.id)
            .await
            .unwrap()
            .is_none()
    );
    tx.commit().await.unwrap();
    assert!(
        store
            .card_and_membership(card.id, alice.id)
            .await
            .unwrap()
            .unwrap()
            .1
    );
    let (_, carol_member) = store
        .board_and_membership(board.id, carol.id)
        .await
        .unwrap()
        .unwrap();
    assert!(!carol_member);
    for follower in [bob.id, carol.id] {
        store.follow(follower, dan.id).await.unwrap();
    }

    let new = updated(alice.id);
    let mut tx = store.begin_write().await.unwrap();
    let to_assignees = tx
        .insert_notifications(
            &Audience::CardAssignees {
                card: card.id,
                except: alice.id,
            },
            &new,
        )
        .await
        .unwrap();
    let to_followers = tx
        .insert_notifications(
            &Audience::Followers {
                followee: dan.id,
                except: dan.id,
            },
            &new,
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let recipients =
        |rows: &[Notification]| -> Vec<Id> { rows.iter().map(|n| n.recipient_id).collect() };
    assert_eq!(recipients(&to_assignees), vec![bob.id]);
    let mut followers = recipients(&to_followers);
    followers.sort_unstable();
    assert_eq!(followers, vec![bob.id, carol.id]);
    // What the insert returned is what the store holds.
    let bobs = store.notifications_after(bob.id, 0).await.unwrap();
    assert_eq!(bobs.len(), 2);
    assert_eq!(bobs[0], to_assignees[0]);
    assert_eq!(bobs[1], to_followers[0]);
    assert_eq!(bobs[1].prev_id, bobs[0].id, "one chain across both writes");
    assert!(
        store
            .notifications_after(alice.id, 0)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .notifications_after(dan.id, 0)
            .await
            .unwrap()
            .is_empty()
    );
}

/// `n` users created in one statement (the same SQL on both backends);
/// their ids, ascending.
async fn bulk_users(db: &TestDb, n: i64) -> Vec<Id> {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
    sqlx::query(
        "WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < $1) \
         INSERT INTO users (name, email, password_hash, created_at) \
         SELECT 'bulk', 'bulk' || CAST(x AS TEXT) || '@example.com', 'h', 0 FROM g",
    )
    .bind(n)
    .execute(&pool)
    .await
    .unwrap();
    let ids: Vec<(Id,)> = sqlx::query_as("SELECT id FROM users WHERE name = 'bulk' ORDER BY id")
        .fetch_all(&pool)
        .await
        .unwrap();
    pool.close().await;
    ids.into_iter().map(|(id,)| id).collect()
}

async fn inbox_pages_counts_and_read_state(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let alice = user(&store, "Alice").await;
    let bob = user(&store, "Bob").await;
    let mut ids = Vec::new();
    for _ in 0..5 {
        ids.extend(notify(&store, alice.id, &[bob.id]).await);
    }
    let page = store
        .notifications_page(bob.id, None, 2, false)
        .await
        .unwrap();
    assert_eq!(
        page.iter().map(|n| n.id).collect::<Vec<_>>(),
        vec![ids[4], ids[3]]
    );
    let next = store
        .notifications_page(bob.id, Some(ids[3]), 10, false)
        .await
        .unwrap();
    assert_eq!(
        next.iter().map(|n| n.id).collect::<Vec<_>>(),
        vec![ids[2], ids[1], ids[0]]
    );
    assert_eq!(store.unread_notification_count(bob.id).await.unwrap(), 5);

    let (read, change) = mark_read(&store, bob.id, ids[1]).await.unwrap();
    let first_read = read.read_at.expect("read");
    let change = change.expect("a first read changes the inbox");
    assert_eq!((change.read_ids.clone(), change.marked), (vec![ids[1]], 1));
    assert!(change.id > ids[4], "the change follows every notification");
    assert_eq!(change.prev_version, ids[4]);
    let (again, none) = mark_read(&store, bob.id, ids[1]).await.unwrap();
    assert_eq!(
        again.read_at,
        Some(first_read),
        "the first read time is kept"
    );
    assert!(none.is_none(), "a second read changes nothing");
    assert!(mark_read(&store, alice.id, ids[1]).await.is_none());
    let stored = store.notifications_after(bob.id, ids[0]).await.unwrap();
    assert_eq!(stored[0].id, ids[1]);
    assert_eq!(stored[0].read_at, Some(first_read));
    assert_eq!(store.unread_notification_count(bob.id).await.unwrap(), 4);
    let unread = store
        .notifications_page(bob.id, None, 10, true)
        .await
        .unwrap();
    assert!(unread.iter().all(|n| n.id != ids[1]));
    assert_eq!(unread.len(), 4);
    let (marked, all_read) = mark_all_read(&store, bob.id).await;
    assert_eq!(marked, 4);
    let all_read = all_read.expect("marking four changes the inbox");
    assert_eq!((all_read.read_up_to, all_read.marked), (Some(ids[4]), 4));
    assert_eq!(all_read.prev_version, change.id);
    assert_eq!(store.unread_notification_count(bob.id).await.unwrap(), 0);
    assert_eq!(mark_all_read(&store, bob.id).await, (0, None));
    // The unread count at each version, read back afterwards.
    let at = |v| store.inbox_state(bob.id, Some(v));
    assert_eq!(at(ids[4]).await.unwrap().unread, 5);
    assert_eq!(at(change.id).await.unwrap().unread, 4);
    assert_eq!(at(all_read.id).await.unwrap().unread, 0);
    let now = store.inbox_state(bob.id, None).await.unwrap();
    assert_eq!((now.version, now.unread), (all_read.id, 0));
    // Many at once, in one statement, in the order asked.
    let keys = [(bob.id, Some(change.id)), (alice.id, None), (bob.id, None)];
    let states = store.inbox_states(&keys).await.unwrap();
    assert_eq!(
        states
            .iter()
            .map(|s| (s.version, s.unread))
            .collect::<Vec<_>>(),
        vec![(change.id, 4), (0, 0), (all_read.id, 0)]
    );
    let versions: Vec<Id> = store
        .inbox_after(bob.id, ids[3])
        .await
        .unwrap()
        .iter()
        .map(|item| item.version())
        .collect();
    assert_eq!(versions, vec![ids[4], change.id, all_read.id]);
}

async fn mark_read(store: &Store, user: Id, id: Id) -> Option<(Notification, Option<InboxChange>)> {
    let mut tx = store.begin_write().await.unwrap();
    let read = tx.mark_notification_read(user, id).await.unwrap();
    tx.commit().await.unwrap();
    read
}

async fn mark_all_read(store: &Store, user: Id) -> (u64, Option<InboxChange>) {
    let mut tx = store.begin_write().await.unwrap();
    let read = tx.mark_all_notifications_read(user).await.unwrap();
    tx.commit().await.unwrap();
    read
}

async fn catch_up_reads_are_paged_and_ranges_filter_by_recipient(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let alice = user(&store, "Alice").await;
    let bob = user(&store, "Bob").await;
    let carol = user(&store, "Carol").await;
    let mut all = Vec::new();
    for _ in 0..(CATCH_UP_PAGE + 5) {
        all.extend(notify(&store, alice.id, &[bob.id, carol.id]).await);
    }
    let page = store.notifications_after(bob.id, 0).await.unwrap();
    assert_eq!(page.len() as i64, CATCH_UP_PAGE);
    let rest = store
        .notifications_after(bob.id, page.last().unwrap().id)
        .await
        .unwrap();
    assert_eq!(rest.len(), 5);
    assert!(rest.iter().all(|n| n.recipient_id == bob.id));

    let (from, to) = (all[10], all[19]);
    let only_carol = store
        .notifications_in_range(from, to, &[carol.id])
        .await
        .unwrap();
    assert_eq!(only_carol.len(), 5);
    assert!(
        only_carol
            .iter()
            .all(|n| n.recipient_id == carol.id && n.id >= from && n.id <= to)
    );
    let both = store
        .notifications_in_range(from, to, &[bob.id, carol.id])
        .await
        .unwrap();
    assert_eq!(
        both.iter().map(|n| n.id).collect::<Vec<_>>(),
        all[10..20].to_vec()
    );
    assert!(
        store
            .notifications_in_range(from, to, &[alice.id])
            .await
            .unwrap()
            .is_empty()
    );
}

/// Two stores on one database stand for two replicas writing at once: each
/// recipient's ids still grow in commit order and each row's `prev_id` is
/// the row before it, so a subscriber's cursor never skips a row.
async fn concurrent_writers_keep_cursors_in_commit_order(backend: Backend) {
    let db = TestDb::new(backend).await;
    let one = db.store().await;
    let two = db.store().await;
    let alice = user(&one, "Alice").await;
    let mut recipients = Vec::new();
    for i in 0..4 {
        recipients.push(user(&one, &format!("R{i}")).await.id);
    }
    let recipients = std::sync::Arc::new(recipients);
    let mut writers = Vec::new();
    for (n, store) in [one.clone(), two.clone(), one.clone(), two.clone()]
        .into_iter()
        .enumerate()
    {
        let recipients = recipients.clone();
        writers.push(tokio::spawn(async move {
            for i in 0..25 {
                // Overlapping sets, rotating, so writers contend.
                let pick: Vec<Id> = recipients
                    .iter()
                    .copied()
                    .enumerate()
                    .filter(|(k, _)| (k + i + n) % 3 != 0)
                    .map(|(_, id)| id)
                    .collect();
                notify(&store, alice.id, &pick).await;
            }
        }));
    }
    for writer in writers {
        writer.await.unwrap();
    }
    for &recipient in recipients.iter() {
        let mut rows = Vec::new();
        loop {
            let after = rows.last().map_or(0, |n: &Notification| n.id);
            let page = one.notifications_after(recipient, after).await.unwrap();
            if page.is_empty() {
                break;
            }
            rows.extend(page);
        }
        assert!(!rows.is_empty());
        let mut prev = 0;
        for row in &rows {
            assert_eq!(row.prev_id, prev, "recipient {recipient}: {rows:?}");
            prev = row.id;
        }
    }
}

/// What a notification names must exist when it is written, and cannot be
/// deleted while it does: SQLite checks it with foreign keys, PostgreSQL
/// once per statement (`0005_notification_references.sql`).
async fn a_notification_names_only_rows_that_exist(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let alice = user(&store, "Alice").await;
    let bob = user(&store, "Bob").await;
    let carol = user(&store, "Carol").await;
    notify(&store, alice.id, &[bob.id]).await;

    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
    let count = || async {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM notifications")
            .fetch_one(&pool)
            .await
            .unwrap();
        n
    };
    let insert = |column: &str| {
        format!(
            "INSERT INTO notifications (recipient_id, prev_id, kind, message, created_at, {column}) \
             VALUES ($1, 0, 'CARD_UPDATED', 'm', 0, $2), ($3, 0, 'CARD_UPDATED', 'm', 0, $4)"
        )
    };
    let missing: Id = 1_000_000;
    for column in ["actor_id", "card_id", "comment_id", "post_id"] {
        // The first row is sound, the second names nothing: the statement
        // writes neither.
        let refused = sqlx::query(&insert(column))
            .bind(carol.id)
            .bind(Option::<Id>::None)
            .bind(carol.id)
            .bind(missing)
            .execute(&pool)
            .await;
        assert!(refused.is_err(), "{column} naming nothing was written");
        assert_eq!(count().await, 1, "{column}: a row of the statement stayed");
    }
    let refused = sqlx::query(&insert("actor_id"))
        .bind(carol.id)
        .bind(alice.id)
        .bind(missing)
        .bind(alice.id)
        .execute(&pool)
        .await;
    assert!(refused.is_err(), "a recipient that does not exist");
    assert_eq!(count().await, 1);

    // A written notification cannot be pointed at a row that does not
    // exist either.
    for column in ["recipient_id", "actor_id", "post_id"] {
        let refused = sqlx::query(&format!("UPDATE notifications SET {column} = $1"))
            .bind(missing)
            .execute(&pool)
            .await;
        assert!(refused.is_err(), "{column} changed to name nothing");
    }
    let (recipient,): (Id,) = sqlx::query_as("SELECT recipient_id FROM notifications")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(recipient, bob.id);

    // Named as recipient (Bob) or actor (Alice): not deleted.
    for named in [bob.id, alice.id] {
        let refused = sqlx::query("DELETE FROM users WHERE id = $1")
            .bind(named)
            .execute(&pool)
            .await;
        assert!(
            refused.is_err(),
            "user {named} deleted under a notification"
        );
        assert!(store.user(named).await.unwrap().is_some());
    }
    // Named by none: deleted as before.
    sqlx::query("DELETE FROM users WHERE id = $1")
        .bind(carol.id)
        .execute(&pool)
        .await
        .unwrap();
    assert!(store.user(carol.id).await.unwrap().is_none());
    assert_eq!(count().await, 1);
    pool.close().await;
}

async fn preferences_and_mutes_leave_recipients_out_of_the_fan_out(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let alice = user(&store, "Alice").await;
    let bob = user(&store, "Bob").await;
    let carol = user(&store, "Carol").await;
    let dan = user(&store, "Dan").await;
    let mut tx = store.begin_write().await.unwrap();
    let board = tx.insert_board(alice.id, "Launch").await.unwrap();
    let card = tx
        .insert_card(board.id, alice.id, "Ship", None)
        .await
        .unwrap();
    let room = tx.insert_chat_room(alice.id, "Lobby").await.unwrap();
    let message = tx
        .insert_chat_message(room.id, alice.id, "hi")
        .await
        .unwrap();
    // Bob turned card updates off, Carol muted the board, Dan the room;
    // each a change once, and nothing the second time.
    let opt_outs = |on: bool| {
        let store = store.clone();
        let (bob, carol, dan, board, room) = (bob.id, carol.id, dan.id, board.id, room.id);
        async move {
            let mut tx = store.begin_write().await.unwrap();
            for expected in [true, false] {
                let kind = tx
                    .set_kind_enabled(bob, "CARD_UPDATED", "IN_APP", !on)
                    .await
                    .unwrap();
                let board = tx.set_muted(Muted::Board, carol, board, on).await.unwrap();
                let room = tx.set_muted(Muted::Room, dan, room, on).await.unwrap();
                assert_eq!((kind, board, room), (expected, expected, expected));
            }
            tx.commit().await.unwrap();
        }
    };
    tx.commit().await.unwrap();
    opt_outs(true).await;
    assert!(
        store
            .is_muted(Muted::Board, carol.id, board.id)
            .await
            .unwrap()
    );
    assert!(
        !store
            .is_muted(Muted::Board, bob.id, board.id)
            .await
            .unwrap()
    );
    let stored = store
        .preferences_of(&[bob.id, carol.id, dan.id, alice.id])
        .await
        .unwrap();
    assert_eq!(
        stored[&bob.id].disabled,
        vec![("CARD_UPDATED".to_owned(), "IN_APP".to_owned())]
    );
    let board_ids = |user: Id| -> Vec<Id> {
        stored
            .get(&user)
            .map(|p| p.muted_boards.iter().map(|b| b.id).collect())
            .unwrap_or_default()
    };
    assert_eq!(board_ids(carol.id), vec![board.id]);
    assert_eq!(stored[&dan.id].muted_rooms[0].id, room.id);
    assert!(!stored.contains_key(&alice.id), "nothing set, nothing read");

    let everyone = vec![bob.id, carol.id, dan.id];
    let recipients = |new: NewNotification| {
        let store = store.clone();
        let everyone = everyone.clone();
        async move {
            let mut tx = store.begin_write().await.unwrap();
            let rows = tx
                .insert_notifications(&Audience::Users(everyone), &new)
                .await
                .unwrap();
            tx.commit().await.unwrap();
            rows.iter().map(|n| n.recipient_id).collect::<Vec<Id>>()
        }
    };
    let about_card = |kind| NewNotification {
        kind,
        message: "m".into(),
        actor_id: Some(alice.id),
        card_id: Some(card.id),
        ..Default::default()
    };
    let mention = NewNotification {
        kind: "CHAT_MENTION",
        message: "m".into(),
        actor_id: Some(alice.id),
        chat_message_id: Some(message.id),
        ..Default::default()
    };
    assert_eq!(recipients(about_card("CARD_UPDATED")).await, vec![dan.id]);
    assert_eq!(
        recipients(about_card("CARD_ASSIGNED")).await,
        vec![bob.id, dan.id]
    );
    assert_eq!(recipients(mention.clone()).await, vec![bob.id, carol.id]);
    assert_eq!(recipients(updated(alice.id)).await, vec![carol.id, dan.id]);

    // Everything back on: everyone hears everything again.
    opt_outs(false).await;
    assert_eq!(recipients(about_card("CARD_UPDATED")).await, everyone);
    assert_eq!(recipients(mention).await, everyone);
    assert!(
        store
            .preferences_of(&[bob.id, carol.id, dan.id])
            .await
            .unwrap()
            .is_empty()
    );

    // A notification names the recipient's newest inbox change before it.
    let mut tx = store.begin_write().await.unwrap();
    let change = tx
        .insert_inbox_change(bob.id, InboxChangeKind::Preferences, &[], None, 0)
        .await
        .unwrap();
    let rows = tx
        .insert_notifications(&Audience::Users(vec![bob.id, carol.id]), &updated(alice.id))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(rows[0].prev_change, change.id);
    assert!(rows[0].id > change.id);
    assert_eq!(rows[1].prev_change, 0);
}

async fn a_large_fan_out_with_preferences_is_still_one_statement(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let alice = user(&store, "Alice").await;
    let followers = bulk_users(&db, 2_000).await;
    let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
    // Everyone follows Alice; every tenth turned photo posts off.
    sqlx::query(
        "INSERT INTO follows (follower_id, followee_id, created_at) \
         SELECT id, $1, 0 FROM users WHERE name = 'bulk'",
    )
    .bind(alice.id)
    .execute(&pool)
    .await
    .unwrap();
    let quiet: Vec<Id> = followers.iter().copied().step_by(10).collect();
    let mut tx = store.begin_write().await.unwrap();
    for &id in &quiet {
        tx.set_kind_enabled(id, "POST_UPLOADED", "IN_APP", false)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    pool.close().await;

    let posted = NewNotification {
        kind: "POST_UPLOADED",
        message: "posted".into(),
        actor_id: Some(alice.id),
        ..Default::default()
    };
    let audience = Audience::Followers {
        followee: alice.id,
        except: alice.id,
    };
    let mut tx = store.begin_write().await.unwrap();
    let rows = tx.insert_notifications(&audience, &posted).await.unwrap();
    tx.commit().await.unwrap();
    let mut got: Vec<Id> = rows.iter().map(|n| n.recipient_id).collect();
    got.sort_unstable();
    let expected: Vec<Id> = followers
        .iter()
        .copied()
        .filter(|id| !quiet.contains(id))
        .collect();
    assert_eq!(got, expected);
    assert!(rows.windows(2).all(|w| w[0].id < w[1].id));
    assert!(rows.iter().all(|n| n.prev_id == 0 && n.prev_change == 0));
    for id in [quiet[0], quiet[1]] {
        assert!(store.notifications_after(id, 0).await.unwrap().is_empty());
    }
}

/// Writes one notification of group `key` by `actor` to `recipient`.
async fn grouped(store: &Store, actor: Id, recipient: Id, key: &str) -> Id {
    let mut tx = store.begin_write().await.unwrap();
    let new = NewNotification {
        group_key: key.to_owned(),
        ..updated(actor)
    };
    let rows = tx
        .insert_notifications(&Audience::Users(vec![recipient]), &new)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(rows[0].group_key, key);
    rows[0].id
}

async fn groups_count_unread_members_and_rank_their_people(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let [alice, bob, carol, dave, eve] = [
        user(&store, "Alice").await.id,
        user(&store, "Bob").await.id,
        user(&store, "Carol").await.id,
        user(&store, "Dave").await.id,
        user(&store, "Eve").await.id,
    ];
    let (card, other) = ("CARD_UPDATED:card:1", "CARD_UPDATED:card:2");
    let mut ids = Vec::new();
    for actor in [bob, carol, bob, dave, eve, bob] {
        ids.push(grouped(&store, actor, alice, card).await);
    }
    let lone = grouped(&store, carol, alice, other).await;
    grouped(&store, alice, bob, card).await;

    // Newest group first; the page stops below a cursor.
    let page = store.group_page(alice, None, 10).await.unwrap();
    assert_eq!(page, [(other.to_owned(), lone), (card.to_owned(), ids[5])]);
    assert_eq!(
        store.group_page(alice, Some(lone), 10).await.unwrap(),
        [(card.to_owned(), ids[5])]
    );

    let pairs = [
        (alice, card.to_owned()),
        (alice, other.to_owned()),
        (bob, card.to_owned()),
        (carol, card.to_owned()),
    ];
    let groups = store.notification_groups(&pairs).await.unwrap();
    let busy = &groups[&(alice, card.to_owned())];
    assert_eq!(
        (busy.count, busy.actor_count, busy.newest_id),
        (6, 4, ids[5])
    );
    assert_eq!(busy.kind, "CARD_UPDATED");
    // Each person once, by their newest notification: Bob (last), Eve,
    // Dave; Carol is fourth and not named.
    assert_eq!(busy.actor_ids, [bob, eve, dave]);
    assert_eq!(groups[&(alice, other.to_owned())].actor_ids, [carol]);
    assert_eq!(groups[&(bob, card.to_owned())].count, 1);
    assert!(
        !groups.contains_key(&(carol, card.to_owned())),
        "nothing of Carol's"
    );

    assert_eq!(
        store
            .group_keys_of(alice, &[ids[0], lone, ids[3]])
            .await
            .unwrap(),
        [card, other]
    );
    assert!(
        store
            .group_keys_of(bob, &[ids[0]])
            .await
            .unwrap()
            .is_empty(),
        "only the user's own notifications name groups"
    );

    // Up to the fourth member: four marked, in one READ change.
    let mut tx = store.begin_write().await.unwrap();
    let (marked, change) = tx
        .mark_group_read(alice, card, ids[3])
        .await
        .unwrap()
        .expect("a group of Alice's");
    tx.commit().await.unwrap();
    assert_eq!(marked, ids[..4]);
    let change = change.expect("four were unread");
    assert_eq!(change.kind, InboxChangeKind::Read);
    assert_eq!(change.read_ids, ids[..4]);
    assert_eq!(change.marked, 4);
    let busy = &store.notification_groups(&pairs[..1]).await.unwrap()[&pairs[0]];
    assert_eq!((busy.count, busy.actor_count), (2, 2));
    assert_eq!(busy.actor_ids, [bob, eve]);
    assert_eq!(store.unread_notification_count(alice).await.unwrap(), 3);

    // The rest; then nothing is left to mark, and an unknown group is
    // `None`.
    let mut tx = store.begin_write().await.unwrap();
    let (marked, _) = tx
        .mark_group_read(alice, card, Id::MAX)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(marked, ids[4..]);
    let (marked, change) = tx
        .mark_group_read(alice, card, Id::MAX)
        .await
        .unwrap()
        .unwrap();
    assert!(marked.is_empty() && change.is_none());
    assert!(
        tx.mark_group_read(alice, "CARD_UPDATED:card:9", Id::MAX)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        tx.mark_group_read(carol, card, Id::MAX)
            .await
            .unwrap()
            .is_none()
    );
    tx.commit().await.unwrap();
    assert_eq!(
        store.group_page(alice, None, 10).await.unwrap(),
        [(other.to_owned(), lone)]
    );
}

async fn pushes_are_queued_with_their_notifications_claimed_and_finished(backend: Backend) {
    use herald::store::OutboxOutcome;
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let [alice, bob, carol] = [
        user(&store, "Alice").await.id,
        user(&store, "Bob").await.id,
        user(&store, "Carol").await.id,
    ];
    let mut tx = store.begin_write().await.unwrap();
    let mut subscriptions = Vec::new();
    for (who, endpoint) in [
        (bob, "https://push.example/b1"),
        (bob, "https://push.example/b2"),
    ] {
        let row = tx
            .register_push_subscription(who, endpoint, "key", "auth", 10)
            .await
            .unwrap()
            .expect("under the cap");
        subscriptions.push(row.id);
    }
    tx.commit().await.unwrap();
    // Bob's two browsers get one push each; Carol has none.
    let ids = notify(&store, alice, &[bob, carol]).await;
    assert_eq!(store.pending_pushes().await.unwrap(), 2);

    let now = herald::store::now_micros();
    let jobs = store.claim_pushes(now, 60_000_000, 10).await.unwrap();
    assert_eq!(jobs.len(), 2);
    assert!(
        jobs.iter()
            .all(|j| j.notification.id == ids[0] && j.attempts == 1)
    );
    assert!(
        store
            .claim_pushes(now, 60_000_000, 10)
            .await
            .unwrap()
            .is_empty(),
        "claimed"
    );

    // One is retried at two different times' worth; the other's browser
    // is gone.
    let (retried, gone) = (&jobs[0], &jobs[1]);
    store
        .finish_pushes(&[
            (
                retried.outbox_id,
                retried.subscription.id,
                OutboxOutcome::Retry { due_at: now + 5 },
            ),
            (gone.outbox_id, gone.subscription.id, OutboxOutcome::Gone),
        ])
        .await
        .unwrap();
    assert_eq!(store.push_subscriptions_of(bob).await.unwrap().len(), 1);
    assert!(
        store
            .claim_pushes(now, 60_000_000, 10)
            .await
            .unwrap()
            .is_empty(),
        "not due yet"
    );
    let again = store.claim_pushes(now + 5, 60_000_000, 10).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(
        (again[0].outbox_id, again[0].attempts),
        (retried.outbox_id, 2)
    );
    store
        .finish_pushes(&[(
            again[0].outbox_id,
            again[0].subscription.id,
            OutboxOutcome::Done,
        )])
        .await
        .unwrap();
    assert_eq!(store.pending_pushes().await.unwrap(), 0);
    assert!(subscriptions.contains(&again[0].subscription.id));
}
