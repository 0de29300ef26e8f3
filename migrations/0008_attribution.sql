CREATE TABLE `rec_rollups` (
	`site_id` text NOT NULL,
	`day` text NOT NULL,
	`slot` text NOT NULL,
	`variant` text NOT NULL,
	`model_version` text NOT NULL,
	`lists_served` integer DEFAULT 0 NOT NULL,
	`impressions` integer DEFAULT 0 NOT NULL,
	`clicked_impressions` integer DEFAULT 0 NOT NULL,
	`clicks` integer DEFAULT 0 NOT NULL,
	`carts` integer DEFAULT 0 NOT NULL,
	`purchases` integer DEFAULT 0 NOT NULL,
	`revenue` real DEFAULT 0 NOT NULL,
	PRIMARY KEY(`site_id`, `day`, `slot`, `variant`, `model_version`)
);
--> statement-breakpoint
ALTER TABLE `events` ADD `rec_id` text;--> statement-breakpoint
ALTER TABLE `events` ADD `rec_slot` text;--> statement-breakpoint
ALTER TABLE `events` ADD `rec_variant` text;--> statement-breakpoint
ALTER TABLE `events` ADD `rec_model` text;--> statement-breakpoint
ALTER TABLE `events` ADD `rec_day` text;--> statement-breakpoint
CREATE INDEX `events_rec_click` ON `events` (`site_id`,`profile_id`,`item_id`,`ts`) WHERE type = 'click' AND rec_id IS NOT NULL;--> statement-breakpoint
CREATE INDEX `events_rec_list` ON `events` (`site_id`,`rec_id`,`type`) WHERE rec_id IS NOT NULL;