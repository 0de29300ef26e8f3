CREATE TABLE `job_leases` (
	`name` text PRIMARY KEY NOT NULL,
	`holder` text NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `model_deltas` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`site_id` text NOT NULL,
	`flush_id` text NOT NULL,
	`kind` text NOT NULL,
	`a` text NOT NULL,
	`b` text NOT NULL,
	`bucket` integer NOT NULL,
	`w` real NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `model_deltas_flush` ON `model_deltas` (`site_id`,`flush_id`,`kind`,`a`,`b`,`bucket`);--> statement-breakpoint
CREATE INDEX `model_deltas_site_id` ON `model_deltas` (`site_id`,`id`);