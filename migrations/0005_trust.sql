CREATE TABLE `consent_history` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`site_id` text NOT NULL,
	`anonymous_id` text NOT NULL,
	`user_id` text,
	`analytics` integer NOT NULL,
	`personalization` integer NOT NULL,
	`ts` integer NOT NULL,
	`recorded_at` integer NOT NULL,
	`source` text NOT NULL,
	`applied` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `consent_history_visitor` ON `consent_history` (`site_id`,`anonymous_id`,`id`);--> statement-breakpoint
CREATE TABLE `erasures` (
	`id` text PRIMARY KEY NOT NULL,
	`site_id` text NOT NULL,
	`subject_hash` text NOT NULL,
	`status` text NOT NULL,
	`state` text NOT NULL,
	`receipt` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `erasures_subject` ON `erasures` (`site_id`,`subject_hash`);--> statement-breakpoint
CREATE INDEX `erasures_status` ON `erasures` (`status`,`updated_at`);--> statement-breakpoint
CREATE TABLE `site_keys` (
	`site_id` text NOT NULL,
	`id` text NOT NULL,
	`kind` text NOT NULL,
	`key_hash` text NOT NULL,
	`secret` text,
	`hint` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer,
	PRIMARY KEY(`site_id`, `id`)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `site_keys_hash` ON `site_keys` (`key_hash`);--> statement-breakpoint
CREATE TABLE `suppressions` (
	`site_id` text NOT NULL,
	`kind` text NOT NULL,
	`id_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`site_id`, `kind`, `id_hash`)
);
--> statement-breakpoint
ALTER TABLE `consents` ADD `source` text DEFAULT 'browser' NOT NULL;--> statement-breakpoint
ALTER TABLE `consents` ADD `receipt_hash` text;--> statement-breakpoint
ALTER TABLE `sites` ADD `identity_verification` text DEFAULT 'required' NOT NULL;--> statement-breakpoint
-- Existing write keys move to site_keys. SQLite cannot hash, so they are kept as 'plain:<key>' and rewritten to
-- their SHA-256 by the Worker the first time each is used (storage/site-keys-repo.ts); sites.write_key goes next.
INSERT INTO `site_keys` (`site_id`, `id`, `kind`, `key_hash`, `secret`, `hint`, `created_at`, `expires_at`)
SELECT `id`, 'legacy-write', 'write', 'plain:' || `write_key`, NULL, substr(`write_key`, 1, 8), `created_at`, NULL FROM `sites`;
--> statement-breakpoint
-- The consents recorded so far start the audit trail.
INSERT INTO `consent_history` (`site_id`, `anonymous_id`, `user_id`, `analytics`, `personalization`, `ts`, `recorded_at`, `source`, `applied`)
SELECT `site_id`, `anonymous_id`, `user_id`, `analytics`, `personalization`, `updated_at`, `updated_at`, 'browser', 1 FROM `consents`;
