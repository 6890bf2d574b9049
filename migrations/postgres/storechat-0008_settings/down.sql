DROP TABLE storechat_settings;
