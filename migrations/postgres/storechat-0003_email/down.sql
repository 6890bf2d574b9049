DROP TABLE storechat_email_prefs;
DROP TABLE storechat_outbox;
