//! The demo conversations, written through the chat service exactly as the
//! pages would, so that each status has an example.

use storechat::service::{OpenConversation, SendMessage};
use storechat::{Actor, ChatError, Status, Storechat};

use super::records::DemoIds;
use super::{
    ADDRESS_CLOSED, ALICE, ANN, BOB, DemoConversation, EXCHANGE_AWAITING_BOB,
    GIFT_WRAP_AWAITING_STORE, INVOICE_RESOLVED, OPEN_ORDER_QUESTION, VENDOR_PRODUCT_QUESTION,
    VICTOR,
};

struct Cast {
    alice: Actor,
    bob: Actor,
    ann: Actor,
    victor: Actor,
}

async fn open(
    chat: &Storechat,
    who: &Actor,
    about: &DemoConversation,
    body: &str,
    order_id: Option<i64>,
    product_id: Option<i64>,
) -> Result<i64, ChatError> {
    let order_id = order_id.map(|id| id.to_string());
    let product_id = product_id.map(|id| id.to_string());
    let input = OpenConversation::parse(
        about.subject,
        body,
        order_id.as_deref(),
        product_id.as_deref(),
    )?;
    Ok(chat
        .service()
        .open_conversation(who, input)
        .await?
        .conversation
        .id)
}

/// Writes as `who` after reading the conversation, as anyone answering on
/// the pages does: the thread page marks it read before the reply is typed.
async fn say(
    chat: &Storechat,
    who: &Actor,
    conversation: i64,
    body: &str,
) -> Result<(), ChatError> {
    chat.service().mark_read(who, conversation, None).await?;
    let input = SendMessage {
        body: storechat::domain::MessageBody::parse(body)?,
        client_msg_id: None,
        reply_to: None,
    };
    chat.service()
        .send_message(who, conversation, input)
        .await?;
    Ok(())
}

fn order(ids: &[i64], index: usize) -> Option<i64> {
    ids.get(index).copied()
}

pub(super) async fn open_all(chat: &Storechat, ids: &DemoIds) -> Result<(), ChatError> {
    let cast = Cast {
        alice: Actor::customer(ids.alice.to_string(), ALICE.name),
        bob: Actor::customer(ids.bob.to_string(), BOB.name),
        ann: Actor::staff(ids.ann.to_string(), ANN.name),
        victor: Actor::vendor(ids.victor.to_string(), VICTOR.name),
    };

    // CLOSED: done, and read-only for Alice.
    let c = open(chat, &cast.alice, &ADDRESS_CLOSED, "Hi, I moved last week. Could you send my blanket order to 14 Harbour Lane, Bristol BS1 4RN instead?", order(&ids.alice_orders, 0), None).await?;
    say(
        chat,
        &cast.ann,
        c,
        "Done! The courier has the new address, and the parcel should reach you on Thursday.",
    )
    .await?;
    say(chat, &cast.alice, c, "It arrived, thank you so much!").await?;
    // Alice has not read this last reply yet: her Messages badge shows 1.
    say(
        chat,
        &cast.ann,
        c,
        "Wonderful, enjoy the blanket! I'm closing this conversation now.",
    )
    .await?;
    chat.service()
        .set_status(&cast.ann, c, Status::Closed)
        .await?;

    // RESOLVED: answered; a reply from Bob would reopen it.
    let c = open(
        chat,
        &cast.bob,
        &INVOICE_RESOLVED,
        "Could I get an invoice for my beanie order with my company name, Chen Design Ltd, on it?",
        order(&ids.bob_orders, 0),
        None,
    )
    .await?;
    say(
        chat,
        &cast.ann,
        c,
        "Of course. The new invoice made out to Chen Design Ltd is on its way to your inbox.",
    )
    .await?;
    chat.service()
        .set_status(&cast.ann, c, Status::Resolved)
        .await?;

    // About one of Victor's products: it goes to Victor, who answered.
    let c = open(
        chat,
        &cast.bob,
        &VENDOR_PRODUCT_QUESTION,
        "I'm thinking about the stoneware pour-over set. Can it go in the dishwasher?",
        None,
        Some(ids.pour_over),
    )
    .await?;
    say(chat, &cast.victor, c, "Yes, it's fully glazed and dishwasher safe. Washing it by hand keeps the speckled glaze bright for longer, though.").await?;

    // AWAITING_USER: Ann replied and waits for Bob.
    let c = open(
        chat,
        &cast.bob,
        &EXCHANGE_AWAITING_BOB,
        "One of the two beanies is a bit tight. Can I exchange it for a larger size?",
        order(&ids.bob_orders, 0),
        None,
    )
    .await?;
    say(chat, &cast.ann, c, "Happy to help! Send it back with the label in the parcel and we'll ship a size L as soon as it arrives. Would you like the same colour?").await?;

    // AWAITING_ADMIN: Alice wrote again after Ann's reply.
    let c = open(
        chat,
        &cast.alice,
        &GIFT_WRAP_AWAITING_STORE,
        "Do you offer gift wrapping? My next order is a birthday present.",
        None,
        None,
    )
    .await?;
    say(
        chat,
        &cast.ann,
        c,
        "We do: recycled paper and a cotton ribbon, €3.50 per parcel. Just tell us which order.",
    )
    .await?;
    say(
        chat,
        &cast.alice,
        c,
        "Lovely! Please wrap my notebook order then.",
    )
    .await?;

    // OPEN: nobody from the store has answered yet.
    open(chat, &cast.alice, &OPEN_ORDER_QUESTION, "The tracking for my weekender bag hasn't changed for three days. Could you check where it is?", order(&ids.alice_orders, 1), None).await?;

    Ok(())
}
