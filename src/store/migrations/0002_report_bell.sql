-- Migration 2: a moderator may ask for a terminal bell when a report says someone may be at risk.
ALTER TABLE users ADD COLUMN report_bell INTEGER NOT NULL DEFAULT 0;
