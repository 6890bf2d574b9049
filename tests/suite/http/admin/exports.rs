use std::io::Cursor;

use calamine::{Data, DataType, Reader, Xlsx};
use reqwest::StatusCode;

use super::support::Admin;

const HEADERS: [&str; 10] = [
    "Subject",
    "Customer",
    "Order",
    "Product",
    "Vendor",
    "Status",
    "Messages",
    "Unread",
    "Created",
    "Last message",
];

async fn export(t: &Admin, action: &str, ids: &[i64]) -> (StatusCode, String, Vec<u8>) {
    let token = t.token().await;
    let mut form: Vec<(&str, String)> = ids.iter().map(|id| ("ids", id.to_string())).collect();
    form.push(("action", action.to_owned()));
    form.push(("csrf_token", token));
    let response = t
        .ann
        .post(t.url("/bulk/"))
        .form(&form)
        .send()
        .await
        .expect("export");
    let status = response.status();
    let disposition = response
        .headers()
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (
        status,
        disposition,
        response.bytes().await.expect("body").to_vec(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csv_and_xlsx_exports_read_back_cell_by_cell() {
    let t = Admin::start().await;
    let s = t.app.chat.service();
    let plain = t
        .open(&t.alice, "=HYPERLINK(\"evil\") Export, with \"quotes\"")
        .await;
    let reply = s
        .send_message(&t.staff, plain.id, super::support::text("Reply"))
        .await
        .expect("sent")
        .conversation;
    let other = t.open(&t.bob, "Second export").await;
    let ids = [plain.id, other.id];
    let expected = |c: &storechat::Conversation| -> Vec<String> {
        vec![
            c.subject.clone(),
            format!("{} <{}>", c.customer_name, c.customer_email),
            c.order_number.clone().unwrap_or_default(),
            c.product_name.clone().unwrap_or_default(),
            c.vendor_name.clone().unwrap_or_default(),
            c.status.as_str().to_owned(),
            c.message_count.to_string(),
            c.unread_for_admin.to_string(),
            c.created_at.format("%Y-%m-%d %H:%M:%S").to_string(),
            c.last_message_at.format("%Y-%m-%d %H:%M:%S").to_string(),
        ]
    };
    let rows = [expected(&reply), expected(&t.conversation(other.id).await)];

    let (status, disposition, body) = export(&t, "export_csv", &ids).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        disposition.contains("attachment") && disposition.contains(".csv"),
        "{disposition}"
    );
    let mut reader = csv::Reader::from_reader(body.as_slice());
    let headers: Vec<String> = reader
        .headers()
        .expect("headers")
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(headers, HEADERS);
    let records: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.expect("record").iter().map(str::to_owned).collect())
        .collect();
    assert_eq!(records.len(), 2);
    // The formula-looking subject is defused with an apostrophe; the rest is as stored.
    assert_eq!(records[0][0], format!("'{}", rows[0][0]));
    assert_eq!(records[0][1..], rows[0][1..]);
    assert_eq!(records[1], rows[1]);

    let (status, disposition, body) = export(&t, "export_xlsx", &ids).await;
    assert_eq!(status, StatusCode::OK);
    assert!(disposition.contains(".xlsx"), "{disposition}");
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(body)).expect("a workbook");
    let sheet = workbook
        .worksheet_range("Conversations")
        .expect("the sheet");
    let cells: Vec<Vec<Data>> = sheet.rows().map(|r| r.to_vec()).collect();
    assert_eq!(cells.len(), 3);
    let header: Vec<String> = cells[0].iter().map(|d| d.to_string()).collect();
    assert_eq!(header, HEADERS);
    for (row, want) in cells[1..].iter().zip(rows.iter()) {
        for col in 0..6 {
            // Text is written as text, never as a formula; empty text is a blank cell.
            let expected = if want[col].is_empty() {
                Data::Empty
            } else {
                Data::String(want[col].clone())
            };
            assert_eq!(row[col], expected, "text cell {col}");
        }
        assert_eq!(row[6], Data::Float(want[6].parse::<f64>().expect("count")));
        assert_eq!(row[7], Data::Float(want[7].parse::<f64>().expect("count")));
        for col in [8, 9] {
            let when = row[col].as_datetime().expect("a date-time cell");
            assert_eq!(
                when.format("%Y-%m-%d %H:%M:%S").to_string(),
                want[col],
                "time cell {col}"
            );
        }
    }
    // Unknown ids are refused, not skipped.
    let (status, _, _) = export(&t, "export_csv", &[plain.id, 999_999]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}
