CREATE TABLE `experiments` (
	`site_id` text NOT NULL,
	`id` text NOT NULL,
	`config` text NOT NULL,
	`status` text DEFAULT 'draft' NOT NULL,
	`started_at` integer,
	`stopped_at` integer,
	`winner` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`site_id`, `id`)
);
--> statement-breakpoint
CREATE INDEX `experiments_running` ON `experiments` (`site_id`,`status`);