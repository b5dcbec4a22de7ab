-- Migration 5: the time zone a member reads times in (an IANA name; NULL is UTC).
ALTER TABLE users ADD COLUMN time_zone TEXT;
