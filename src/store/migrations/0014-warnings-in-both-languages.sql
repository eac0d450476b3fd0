-- A recording's warnings keep both languages apart: `media.warnings` holds
-- [{"vi": "…", "en": "…"}] instead of ["tiếng Việt / English"], so a page shows one language.
-- The rows already there are rewritten by this migration's hook (store::media), in Rust, with
-- the same reading of an old string the table's reader keeps; nothing changes in the schema.
SELECT 1;
