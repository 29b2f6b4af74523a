//! The remote queue client against a real LAN service, including a lost response.

use std::{
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use futures_util::StreamExt;
use kiosk::lan::{LanService, demo_config};
use queue::{
    DeviceAlerts, HttpQueueClient, IssueRequest, PrinterAlert, QueueClient, QueueEngine,
    QueueError, SystemClock,
};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
};

const SALT: &str = "site-salt-for-tests";

async fn start() -> (String, Arc<QueueEngine>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let (mut queue, lan) = demo_config();
    queue.identity_salt = Some(SALT.into());
    let engine = Arc::new(
        QueueEngine::open(
            &dir.path().join("q.sqlite3"),
            queue,
            Arc::new(SystemClock),
            "http://hall",
        )
        .unwrap(),
    );
    let service = LanService::new(Arc::clone(&engine), lan).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(service.serve(listener, std::future::pending()));
    (base, engine, dir)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remote_client_matches_the_local_one() {
    let (base, engine, _dir) = start().await;
    let client = HttpQueueClient::new(&base, "demo-device-token", Some(SALT.into())).unwrap();
    let mut events = client.subscribe(Some(0)).await.unwrap();

    let services = client.services().await.unwrap();
    assert_eq!(services.len(), 8);
    let token = client.identity_token("990101198001019991").unwrap();
    assert_eq!(token, engine.identity_token("990101198001019991").unwrap());
    let t = client
        .issue(IssueRequest {
            identity: Some(token.clone()),
            ..IssueRequest::new("legal_aid")
        })
        .await
        .unwrap();
    assert_eq!(t.number, "C001");
    assert!(t.status_url.starts_with("http://hall/t/"));
    let found = client
        .find_active(token.clone(), "legal_aid".into())
        .await
        .unwrap();
    assert_eq!(found.map(|f| f.id), Some(t.id));
    assert!(
        client
            .find_active(token.clone(), "notary".into())
            .await
            .unwrap()
            .is_none()
    );
    match client
        .issue(IssueRequest {
            identity: Some(token),
            ..IssueRequest::new("legal_aid")
        })
        .await
    {
        Err(QueueError::Refused {
            status: 409, code, ..
        }) => {
            assert_eq!(code.as_deref(), Some("already_active"));
        }
        other => panic!("expected a 409, got {other:?}"),
    }
    assert_eq!(client.ticket(t.id).await.unwrap().number, "C001");
    client.cancel(t.id).await.unwrap();
    client
        .set_device_alerts(DeviceAlerts {
            printer: PrinterAlert::CoverOpen,
            ..DeviceAlerts::default()
        })
        .await
        .unwrap();
    assert_eq!(
        engine.device_alerts(),
        [(
            "demo-kiosk".to_owned(),
            DeviceAlerts {
                printer: PrinterAlert::CoverOpen,
                help: false,
            }
        )]
    );
    // The help button: its own call, and a later printer report leaves it open.
    client.request_help(true).await.unwrap();
    client
        .set_device_alerts(DeviceAlerts::default())
        .await
        .unwrap();
    assert_eq!(
        engine.device_alerts(),
        [(
            "demo-kiosk".to_owned(),
            DeviceAlerts {
                printer: PrinterAlert::Ok,
                help: true,
            }
        )]
    );
    client.request_help(false).await.unwrap();
    assert!(!engine.device_alerts()[0].1.any());

    let mut kinds = Vec::new();
    while kinds.len() < 4 {
        let e = tokio::time::timeout(Duration::from_secs(20), events.next())
            .await
            .expect("events arrive")
            .unwrap()
            .unwrap();
        kinds.push(e.payload.kind());
    }
    // A device's stream: its own tickets and alerts and what the hall shows; the cancellation is
    // staff-only (SECURITY.md, item 14).
    assert_eq!(
        kinds,
        ["day_reset", "issued", "device_alert", "device_alert"]
    );

    let offline = HttpQueueClient::new(&base, "wrong-token", None).unwrap();
    // The queue view is public.
    assert!(offline.services().await.is_ok());
    assert!(matches!(
        offline.issue(IssueRequest::new("reception")).await,
        Err(QueueError::Refused { status: 401, .. })
    ));
    assert!(matches!(
        offline.identity_token("990101198001019991"),
        Err(QueueError::IdentitySaltMissing)
    ));
}

/// A proxy that loses the host's answer on its first connection (the request did arrive).
async fn lossy_proxy(upstream: String, connections: Arc<AtomicUsize>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = format!("http://{}", listener.local_addr().unwrap());
    let upstream = upstream.trim_start_matches("http://").to_owned();
    tokio::spawn(async move {
        loop {
            let Ok((mut client, _)) = listener.accept().await else {
                return;
            };
            let n = connections.fetch_add(1, Ordering::SeqCst);
            let mut server = TcpStream::connect(&upstream).await.unwrap();
            tokio::spawn(async move {
                if n == 0 {
                    let mut up = vec![0u8; 64 * 1024];
                    let mut down = [0u8; 1];
                    let (mut cr, _cw) = client.split();
                    let (mut sr, mut sw) = server.split();
                    // Forward the request; once the answer starts, cut both sides.
                    loop {
                        tokio::select! {
                            r = cr.read(&mut up) => match r {
                                Ok(0) | Err(_) => return,
                                Ok(k) => {
                                    if sw.write_all(&up[..k]).await.is_err() {
                                        return;
                                    }
                                }
                            },
                            _ = sr.read(&mut down) => return,
                        }
                    }
                } else {
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                }
            });
        }
    });
    addr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_after_a_lost_answer_does_not_issue_twice() {
    let (base, engine, _dir) = start().await;
    let connections = Arc::new(AtomicUsize::new(0));
    let proxy = lossy_proxy(base, Arc::clone(&connections)).await;
    let client = HttpQueueClient::new(&proxy, "demo-device-token", None).unwrap();
    let t = client.issue(IssueRequest::new("reception")).await.unwrap();
    assert!(
        connections.load(Ordering::SeqCst) >= 2,
        "the first answer was lost and retried"
    );
    assert_eq!(t.number, "A001");
    let day = engine.current_day().unwrap();
    let tickets = engine.tickets_of_day(day).unwrap();
    assert_eq!(
        tickets.len(),
        1,
        "one ticket despite two requests: {tickets:?}"
    );
    assert_eq!(tickets[0].id, t.id);
    // The next issue is a new ticket.
    assert_eq!(
        client
            .issue(IssueRequest::new("reception"))
            .await
            .unwrap()
            .number,
        "A002"
    );
}
