-- sites.write_key held the public key in plain text; keys now live hashed in site_keys (copied by 0005).
DROP INDEX `sites_write_key_unique`;--> statement-breakpoint
ALTER TABLE `sites` DROP COLUMN `write_key`;