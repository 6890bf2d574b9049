use storechat::domain::{ClientMsgId, MessageBody, Subject};
use storechat::service::{OpenConversation, Opened, SendMessage, Sent};
use storechat::{Actor, ChatService, Status};

/// Alice opens a plain conversation.
pub async fn open_as(service: &ChatService, actor: &Actor, subject: &str) -> Opened {
    let mut input =
        OpenConversation::parse(subject, "Hello, I need help.", None, None).expect("valid input");
    if actor.is_staff() {
        input.customer_id = Some("u-alice".into());
    }
    service
        .open_conversation(actor, input)
        .await
        .expect("conversation opens")
}

pub fn text(body: &str) -> SendMessage {
    SendMessage {
        body: MessageBody::parse(body).expect("valid body"),
        client_msg_id: None,
        reply_to: None,
    }
}

pub fn text_with_id(body: &str, client_id: &str) -> SendMessage {
    SendMessage {
        body: MessageBody::parse(body).expect("valid body"),
        client_msg_id: Some(ClientMsgId::parse(client_id).expect("valid id")),
        reply_to: None,
    }
}

pub async fn send(service: &ChatService, actor: &Actor, id: i64, body: &str) -> Sent {
    service
        .send_message(actor, id, text(body))
        .await
        .expect("message sent")
}

pub async fn status_of(service: &ChatService, actor: &Actor, id: i64) -> Status {
    service
        .get_conversation(actor, id, None, 1)
        .await
        .expect("conversation loads")
        .conversation
        .status
}

#[allow(dead_code)]
pub fn subject(s: &str) -> Subject {
    Subject::parse(s).expect("valid subject")
}
