CREATE TABLE `model_decisions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`site_id` text NOT NULL,
	`decided_at` integer NOT NULL,
	`decision` text NOT NULL,
	`version` text NOT NULL,
	`against_version` text,
	`served_after` text NOT NULL,
	`rule` text NOT NULL,
	`trigger` text NOT NULL,
	`figures` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `model_decisions_site` ON `model_decisions` (`site_id`,`decided_at`);