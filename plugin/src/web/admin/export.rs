//! Exports of checked conversations as CSV and Excel (.xlsx), with the
//! columns a store owner reconciles with: subject, customer, order, product,
//! vendor, status, message count, unread count, created, last message.

use rust_xlsxwriter::{Format, Workbook, XlsxError};

use crate::store::Conversation;

/// The header row.
pub const HEADERS: [&str; 10] = [
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

const TIME_FORMAT: &str = "%Y-%m-%d %H:%M:%S";

fn customer(c: &Conversation) -> String {
    format!("{} <{}>", c.customer_name, c.customer_email)
}

fn texts(c: &Conversation) -> [String; 6] {
    [
        c.subject.clone(),
        customer(c),
        c.order_number.clone().unwrap_or_default(),
        c.product_name.clone().unwrap_or_default(),
        c.vendor_name
            .clone()
            .or_else(|| c.vendor_id.clone())
            .unwrap_or_default(),
        c.status.as_str().to_owned(),
    ]
}

/// A spreadsheet would run a cell starting with `=`, `+`, `-` or `@` as a
/// formula: such text gets a leading apostrophe.
fn defuse(text: String) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text
    }
}

/// CSV, UTF-8, times in UTC.
pub fn csv(rows: &[Conversation]) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(HEADERS)?;
    for c in rows {
        let mut record: Vec<String> = texts(c).into_iter().map(defuse).collect();
        record.push(c.message_count.to_string());
        record.push(c.unread_for_admin.to_string());
        record.push(c.created_at.format(TIME_FORMAT).to_string());
        record.push(c.last_message_at.format(TIME_FORMAT).to_string());
        writer.write_record(&record)?;
    }
    writer
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))
}

/// An .xlsx workbook: text as text (never formulas), counts as numbers,
/// times as date-times (UTC).
pub fn xlsx(rows: &[Conversation]) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Conversations")?;
    let bold = Format::new().set_bold();
    let when = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    for (col, header) in (0u16..).zip(HEADERS) {
        sheet.write_string_with_format(0, col, header, &bold)?;
    }
    for (row, c) in (1u32..).zip(rows) {
        for (col, text) in (0u16..).zip(texts(c)) {
            sheet.write_string(row, col, text)?;
        }
        sheet.write_number(row, 6, f64::from(c.message_count))?;
        sheet.write_number(row, 7, f64::from(c.unread_for_admin))?;
        sheet.write_datetime_with_format(row, 8, c.created_at, &when)?;
        sheet.write_datetime_with_format(row, 9, c.last_message_at, &when)?;
    }
    sheet.set_column_width(0, 40)?;
    sheet.set_column_width(1, 32)?;
    for col in 2..=5 {
        sheet.set_column_width(col, 18)?;
    }
    sheet.set_column_width(8, 20)?;
    sheet.set_column_width(9, 20)?;
    sheet.set_freeze_panes(1, 0)?;
    workbook.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::defuse;

    #[test]
    fn formulas_are_defused() {
        assert_eq!(defuse("=HYPERLINK(\"x\")".into()), "'=HYPERLINK(\"x\")");
        assert_eq!(defuse("-1".into()), "'-1");
        assert_eq!(defuse("Late parcel".into()), "Late parcel");
    }
}
