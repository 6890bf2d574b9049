-- The plugin's settings as staff edit them in the admin settings panel: one
-- row, the settings as JSON (fields a newer version adds take their default
-- when read, so no migration is needed to add one).
CREATE TABLE storechat_settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    body TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL
);
