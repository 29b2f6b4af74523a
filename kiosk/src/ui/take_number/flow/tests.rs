use super::*;
use queue::{EtaRange, IdentityToken, TicketStatus};

fn service(id: &str, id_card: IdCardPolicy, state: ServiceState) -> ServiceStatus {
    ServiceStatus {
        id: id.into(),
        name: id.into(),
        name_en: id.into(),
        prefix: "A".into(),
        waiting: 0,
        eta_minutes: EtaRange::default(),
        state,
        reason: (state != ServiceState::Open).then(|| "今日号源已满 / All taken".into()),
        id_card,
        priority_allowed: true,
        open_windows: 1,
    }
}

fn loaded(reader: bool) -> Flow {
    let mut flow = Flow::new(reader, 60);
    assert_eq!(
        flow.open(),
        vec![Effect::LoadServices, Effect::StopHomeCountdown]
    );
    flow.services_loaded(Ok(vec![
        service("off", IdCardPolicy::Off, ServiceState::Open),
        service("optional", IdCardPolicy::Optional, ServiceState::Open),
        service("required", IdCardPolicy::Required, ServiceState::Open),
        service("full", IdCardPolicy::Optional, ServiceState::Full),
    ]));
    flow
}

fn card(age: u32) -> CardSummary {
    CardSummary {
        masked_name: "陈*英".into(),
        age: Some(age),
        token: IdentityToken::derive("salt-for-tests", "990101195008159985").unwrap(),
        applicant: None,
    }
}

fn ticket(number: &str) -> IssuedTicket {
    IssuedTicket {
        id: 1,
        number: number.into(),
        service: "optional".into(),
        priority: PriorityKind::None,
        status: TicketStatus::Waiting,
        ahead: 0,
        eta_minutes: EtaRange::default(),
        status_url: queue::wire::routes::phone_page_url("", "x"),
        issued_at: chrono::Utc::now(),
    }
}

fn issue_of(effects: &[Effect]) -> (IssueRequest, u64) {
    match effects {
        [
            Effect::Issue {
                request,
                generation,
            },
        ] => (request.clone(), *generation),
        other => panic!("expected one issue, got {other:?}"),
    }
}

#[test]
fn a_service_without_card_issues_at_once_and_a_full_one_does_nothing() {
    let mut flow = loaded(true);
    assert!(flow.choose("full").is_empty());
    assert_eq!(flow.step(), Step::Services);
    let (request, _) = issue_of(&flow.choose("off"));
    assert_eq!(request.service, "off");
    assert!(request.identity.is_none());
    assert!(request.idempotency_key.is_some());
    assert_eq!(flow.step(), Step::Issuing);
}

#[test]
fn the_default_legal_aid_service_issues_without_a_card() {
    // A proxy, a minor or someone with only a household register: the prompt offers the card,
    // skipping it issues a ticket without identity; the window checks identity.
    let policy = queue::QueueConfig::default()
        .service("legal_aid")
        .expect("legal aid is a default service")
        .id_card;
    let mut flow = Flow::new(true, 60);
    flow.open();
    flow.services_loaded(Ok(vec![service("legal_aid", policy, ServiceState::Open)]));
    assert!(flow.choose("legal_aid").is_empty());
    assert_eq!(flow.step(), Step::IdPrompt);
    let (request, _) = issue_of(&flow.skip_card());
    assert_eq!(request.service, "legal_aid");
    assert!(request.identity.is_none());
    assert_eq!(flow.error(), None);

    // Without a card reader at all it issues too (a required service would stop here).
    let mut flow = Flow::new(false, 60);
    flow.open();
    flow.services_loaded(Ok(vec![service("legal_aid", policy, ServiceState::Open)]));
    flow.choose("legal_aid");
    let (request, _) = issue_of(&flow.skip_card());
    assert!(request.identity.is_none());
}

#[test]
fn an_elderly_card_is_offered_priority_service_and_must_confirm_it() {
    let mut flow = loaded(true);
    assert!(flow.choose("optional").is_empty());
    assert_eq!(flow.step(), Step::IdPrompt);
    let effects = flow.card_read(card(76));
    let [Effect::FindActive { generation, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert!(flow.active_found(*generation, Ok(None)).is_empty());
    assert_eq!(flow.step(), Step::Elderly);
    let (request, _) = issue_of(&flow.choose_elderly(true));
    assert_eq!(request.priority, PriorityKind::Elderly);
    assert!(request.identity.is_some());
}

#[test]
fn a_younger_card_issues_a_normal_ticket_with_its_token() {
    let mut flow = loaded(true);
    flow.choose("optional");
    let effects = flow.card_read(card(35));
    let [Effect::FindActive { generation, .. }] = effects.as_slice() else {
        panic!()
    };
    let (request, _) = issue_of(&flow.active_found(*generation, Ok(None)));
    assert_eq!(request.priority, PriorityKind::None);
    assert!(request.identity.is_some());
}

#[test]
fn an_existing_ticket_is_shown_and_can_be_reprinted() {
    let mut flow = loaded(true);
    flow.choose("optional");
    let effects = flow.card_read(card(35));
    let [Effect::FindActive { generation, .. }] = effects.as_slice() else {
        panic!()
    };
    flow.active_found(*generation, Ok(Some(ticket("B004"))));
    assert_eq!(flow.step(), Step::Existing);
    let effects = flow.reprint();
    assert!(
        matches!(effects.as_slice(), [Effect::Reprint { ticket, .. }] if ticket.number == "B004")
    );
    assert_eq!(flow.step(), Step::Ticket);
}

#[test]
fn an_unreachable_host_keeps_the_request_and_retry_reuses_its_key() {
    let mut flow = loaded(false);
    let (first, generation) = issue_of(&flow.choose("off"));
    flow.issued(
        generation,
        Err(QueueError::Remote("connection refused".into())),
    );
    assert_eq!(flow.step(), Step::Error);
    assert_eq!(flow.error(), Some(&FlowError::Unreachable));
    let (again, generation) = issue_of(&flow.retry());
    assert_eq!(again.idempotency_key, first.idempotency_key);
    flow.issued(generation, Ok(ticket("A001")));
    assert_eq!(flow.step(), Step::Ticket);
    assert_eq!(
        flow.printed(generation, PrintState::PaperOut),
        vec![Effect::StartHomeCountdown]
    );
    assert_eq!(flow.print(), PrintState::PaperOut);
}

#[test]
fn without_a_reader_the_prompt_offers_to_continue_and_required_services_say_why() {
    let mut flow = loaded(false);
    flow.choose("optional");
    assert_eq!(flow.step(), Step::IdPrompt);
    assert_eq!(flow.reader(), ReaderState::Absent);
    let (_, generation) = issue_of(&flow.skip_card());
    assert!(
        flow.back().is_empty(),
        "no way back while the number is being issued"
    );
    flow.issued(generation, Ok(ticket("B001")));
    flow.back();
    flow.choose("required");
    assert_eq!(flow.error(), Some(&FlowError::CardNeeded));
}

#[test]
fn the_end_of_a_session_drops_the_card_and_late_answers() {
    let mut flow = loaded(true);
    flow.choose("optional");
    let effects = flow.card_read(card(35));
    let [Effect::FindActive { generation, .. }] = effects.as_slice() else {
        panic!()
    };
    let generation = *generation;
    assert!(flow.card().is_some());
    flow.end_session();
    assert!(flow.card().is_none());
    assert_eq!(flow.step(), Step::Services);
    assert!(flow.active_found(generation, Ok(None)).is_empty());
    assert_eq!(flow.step(), Step::Services);
    // A card placed when nobody asked is not kept.
    assert!(flow.card_read(card(35)).is_empty());
    assert!(flow.card().is_none());
}

#[test]
fn closed_services_and_refusals_are_explained_in_both_languages() {
    let err = QueueError::ServiceUnavailable {
        service: "x".into(),
        reason: "今日号源已满 / All of today's tickets have been taken".into(),
    };
    assert_eq!(
        classify_error(&err),
        FlowError::Unavailable {
            zh: "今日号源已满".into(),
            en: "All of today's tickets have been taken".into()
        }
    );
    let refused = QueueError::Refused {
        status: 409,
        message: "service \"x\" is not issuing tickets: 不在办理时间（09:00-12:00）/ Outside opening hours (09:00-12:00)".into(),
        code: Some("service_unavailable".into()),
    };
    let FlowError::Unavailable { zh, en } = classify_error(&refused) else {
        panic!()
    };
    assert_eq!(zh, "不在办理时间（09:00-12:00）");
    assert_eq!(en, "Outside opening hours (09:00-12:00)");
}

#[test]
fn a_preselected_service_is_chosen_when_the_list_arrives_and_only_once() {
    let mut flow = Flow::new(true, 60);
    flow.preselect("optional");
    // Opening the page keeps the choice made on the other page.
    flow.open();
    let effects = flow.services_loaded(Ok(vec![service(
        "optional",
        IdCardPolicy::Optional,
        ServiceState::Open,
    )]));
    assert!(effects.is_empty());
    assert_eq!(flow.step(), Step::IdPrompt);

    flow.open();
    flow.services_loaded(Ok(vec![service(
        "optional",
        IdCardPolicy::Optional,
        ServiceState::Open,
    )]));
    assert_eq!(flow.step(), Step::Services, "used once");
}

#[test]
fn a_preselected_closed_service_leaves_the_list_on_screen() {
    let mut flow = Flow::new(true, 60);
    flow.preselect("full");
    flow.open();
    flow.services_loaded(Ok(vec![service(
        "full",
        IdCardPolicy::Optional,
        ServiceState::Full,
    )]));
    assert_eq!(flow.step(), Step::Services);
}
