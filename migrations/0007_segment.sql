CREATE TABLE `derived_sessions` (
	`site_id` text NOT NULL,
	`anonymous_id` text NOT NULL,
	`session_id` text NOT NULL,
	`last_seen` integer NOT NULL,
	PRIMARY KEY(`site_id`, `anonymous_id`)
);
--> statement-breakpoint
CREATE INDEX `derived_sessions_last_seen` ON `derived_sessions` (`last_seen`);--> statement-breakpoint
ALTER TABLE `profiles` ADD `n_custom` integer DEFAULT 0 NOT NULL;