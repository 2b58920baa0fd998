use super::*;
use crate::matchers::parse_matchers;

const H: i64 = 3_600_000;

fn post(matchers: &str, starts: i64, ends: i64) -> PostableSilence {
    PostableSilence {
        id: None,
        matchers: parse_matchers(matchers).unwrap(),
        starts_at: starts,
        ends_at: ends,
        created_by: "me".into(),
        comment: "maintenance".into(),
    }
}

fn ls(s: &str) -> LabelSet {
    parse_matchers(s).unwrap().into_iter().map(|m| (m.name, m.value)).collect()
}

#[test]
fn states_and_matching() {
    let mut s = Silences::new(None, DEFAULT_RETENTION_MS);
    let now = 100 * H;
    let id = s.set(post("service=api", now, now + H), now).unwrap();
    assert!(crate::uuid::is_uuid(&id));
    let sil = s.get(&id).unwrap();
    assert_eq!(sil.state(now), SilenceState::Active);
    assert_eq!(sil.state(now - 1), SilenceState::Pending);
    assert_eq!(sil.state(now + H), SilenceState::Active, "the end instant is still active");
    assert_eq!(sil.state(now + H + 1), SilenceState::Expired);
    assert_eq!(s.silenced_by(&ls("service=api, x=y"), now), vec![id.clone()]);
    assert!(s.silenced_by(&ls("service=db"), now).is_empty());
    assert!(s.silenced_by(&ls("service=api"), now + 2 * H).is_empty(), "expired silences do not silence");
    // A start in the past is moved to now.
    let id2 = s.set(post("a=b", now - H, now + H), now).unwrap();
    assert_eq!(s.get(&id2).unwrap().starts_at, now);
    // Pending silences do not silence yet.
    let id3 = s.set(post("p=q", now + H, now + 2 * H), now).unwrap();
    assert!(s.silenced_by(&ls("p=q"), now).is_empty());
    assert_eq!(s.silenced_by(&ls("p=q"), now + H), vec![id3]);
}

#[test]
fn validation() {
    let mut s = Silences::new(None, DEFAULT_RETENTION_MS);
    let mut err = |p| match s.set(p, 0) {
        Err(SilenceError::Invalid(m)) => m,
        other => panic!("{other:?}"),
    };
    let mut none = post("a=b", 0, 10);
    none.matchers.clear();
    assert!(err(none).contains("at least one matcher required"));
    assert!(err(post(r#"a="""#, 0, 10)).contains("must not match the empty string"));
    assert!(err(post(r#"a=~".*""#, 0, 10)).contains("must not match the empty string"));
    assert!(err(post("a=b", 10, 5)).contains("end time must not be before start time"));
    let mut s2 = Silences::new(None, DEFAULT_RETENTION_MS);
    let mut upd = post("a=b", 0, 10);
    upd.id = Some("nope".into());
    assert!(matches!(s2.set(upd, 0), Err(SilenceError::NotFound)));
    assert!(matches!(s2.expire("nope", 0), Err(SilenceError::NotFound)));
}

#[test]
fn updates_follow_alertmanagers_history_rules() {
    let mut s = Silences::new(None, DEFAULT_RETENTION_MS);
    let now = 10 * H;
    let id = s.set(post("a=b", now, now + H), now).unwrap();
    // Extending an active silence keeps its id.
    let mut upd = post("a=b", now, now + 3 * H);
    upd.id = Some(id.clone());
    upd.comment = "longer".into();
    assert_eq!(s.set(upd, now + 10).unwrap(), id);
    assert_eq!(s.get(&id).unwrap().ends_at, now + 3 * H);
    assert_eq!(s.get(&id).unwrap().comment, "longer");
    // Changing the matchers of an active silence expires it and creates a new one.
    let mut upd = post("a=c", now, now + 3 * H);
    upd.id = Some(id.clone());
    let new_id = s.set(upd, now + 20).unwrap();
    assert_ne!(new_id, id);
    assert_eq!(s.get(&id).unwrap().ends_at, now + 20);
    assert_eq!(s.get(&id).unwrap().state(now + 21), SilenceState::Expired);
    assert_eq!(s.get(&new_id).unwrap().state(now + 21), SilenceState::Active);
    assert_eq!(s.len(), 2);
    // Changing the start of an active silence also makes a new one.
    let mut upd = post("a=c", now + H, now + 3 * H);
    upd.id = Some(new_id.clone());
    let third = s.set(upd, now + 30).unwrap();
    assert_ne!(third, new_id);
    // A pending silence may move its start, as long as it stays in the future.
    let pend = s.set(post("x=y", now + 5 * H, now + 6 * H), now).unwrap();
    let mut upd = post("x=y", now + 4 * H, now + 6 * H);
    upd.id = Some(pend.clone());
    assert_eq!(s.set(upd, now).unwrap(), pend);
    // Updating an expired silence creates a new one and leaves the old untouched.
    s.expire(&pend, now + 1).unwrap();
    let mut upd = post("x=y", now + 4 * H, now + 6 * H);
    upd.id = Some(pend.clone());
    let again = s.set(upd, now + 2).unwrap();
    assert_ne!(again, pend);
}

#[test]
fn expire_and_gc() {
    let mut s = Silences::new(None, 10 * H);
    let now = 100 * H;
    let active = s.set(post("a=b", now, now + H), now).unwrap();
    let pending = s.set(post("c=d", now + H, now + 2 * H), now).unwrap();
    s.expire(&active, now + 5).unwrap();
    s.expire(&pending, now + 5).unwrap();
    assert_eq!(s.get(&active).unwrap().ends_at, now + 5);
    let p = s.get(&pending).unwrap();
    assert_eq!((p.starts_at, p.ends_at), (now + 5, now + 5));
    assert_eq!(s.get(&active).unwrap().state(now + 6), SilenceState::Expired);
    s.expire(&active, now + 100).unwrap();
    assert_eq!(s.get(&active).unwrap().ends_at, now + 5, "expiring twice changes nothing");
    assert_eq!(s.gc(now + 10 * H), 0, "kept for the retention period");
    assert_eq!(s.gc(now + 10 * H + 6), 2);
    assert!(s.is_empty());
}

#[test]
fn persisted_before_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let now = 50 * H;
    let (mut s, err) = Silences::load(dir.path(), DEFAULT_RETENTION_MS);
    assert!(err.is_none() && s.is_empty());
    let a = s.set(post(r#"service=~"api|web", env!="dev""#, now, now + H), now).unwrap();
    let b = s.set(post("team=db", now, now + 2 * H), now).unwrap();
    s.expire(&b, now + 1).unwrap();
    // No shutdown, no explicit save: the snapshot is already on disk.
    drop(s);
    let (back, err) = Silences::load(dir.path(), DEFAULT_RETENTION_MS);
    assert!(err.is_none(), "{err:?}");
    assert_eq!(back.len(), 2);
    let sa = back.get(&a).unwrap();
    assert_eq!(sa.matchers.to_string(), r#"{env!="dev",service=~"api|web"}"#);
    assert!(sa.matches(&ls("service=web, env=prod")));
    assert!(!sa.matches(&ls("service=webx, env=prod")), "regex still anchored after reload");
    assert_eq!(back.get(&b).unwrap().ends_at, now + 1);
    assert_eq!(sa.created_by, "me");
}
