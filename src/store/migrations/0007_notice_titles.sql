-- Migration 7: a moderator's notice names a thread by reference, not by a copy of its title.
-- The body holds `store::notifications::TITLE` where the title goes, and `title_of` the
-- thread; the title is put in when the notice is read, as the reader may see it then. So an
-- erased thread leaves no copy of its title behind (the row's reference goes with the
-- thread), and a withdrawn opening post's title leaves the notices too. Notices written
-- before this migration hold their copy until the thread's starter is erased
-- (`store::erase` rewrites them then).
ALTER TABLE notifications ADD COLUMN title_of INTEGER REFERENCES threads(id) ON DELETE SET NULL;
