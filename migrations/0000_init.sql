CREATE TABLE `events` (
	`site_id` text NOT NULL,
	`id` text NOT NULL,
	`type` text NOT NULL,
	`anonymous_id` text NOT NULL,
	`user_id` text,
	`session_id` text NOT NULL,
	`item_id` text,
	`profile_id` text NOT NULL,
	`ts` integer NOT NULL,
	`received_at` integer NOT NULL,
	`context` text,
	`properties` text,
	`ingest_id` text,
	PRIMARY KEY(`site_id`, `id`)
);
--> statement-breakpoint
CREATE INDEX `events_site_ts` ON `events` (`site_id`,`ts`);--> statement-breakpoint
CREATE INDEX `events_site_session_ts` ON `events` (`site_id`,`session_id`,`ts`);--> statement-breakpoint
CREATE INDEX `events_site_profile_ts` ON `events` (`site_id`,`profile_id`,`ts`);--> statement-breakpoint
CREATE INDEX `events_ingest` ON `events` (`ingest_id`) WHERE ingest_id IS NOT NULL;--> statement-breakpoint
CREATE TABLE `identities` (
	`site_id` text NOT NULL,
	`kind` text NOT NULL,
	`external_id` text NOT NULL,
	`profile_id` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`site_id`, `kind`, `external_id`)
);
--> statement-breakpoint
CREATE INDEX `identities_profile` ON `identities` (`site_id`,`profile_id`);--> statement-breakpoint
CREATE TABLE `items` (
	`site_id` text NOT NULL,
	`id` text NOT NULL,
	`title` text,
	`url` text,
	`image` text,
	`categories` text DEFAULT '[]' NOT NULL,
	`tags` text DEFAULT '[]' NOT NULL,
	`attributes` text,
	`available` integer DEFAULT true NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`site_id`, `id`)
);
--> statement-breakpoint
CREATE TABLE `profile_items` (
	`site_id` text NOT NULL,
	`profile_id` text NOT NULL,
	`item_id` text NOT NULL,
	`first_ts` integer NOT NULL,
	`last_ts` integer NOT NULL,
	`interactions` integer DEFAULT 0 NOT NULL,
	`carts` integer DEFAULT 0 NOT NULL,
	`purchases` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`site_id`, `profile_id`, `item_id`)
);
--> statement-breakpoint
CREATE INDEX `profile_items_recent` ON `profile_items` (`site_id`,`profile_id`,`last_ts`);--> statement-breakpoint
CREATE TABLE `profiles` (
	`site_id` text NOT NULL,
	`id` text NOT NULL,
	`user_id` text,
	`first_seen` integer NOT NULL,
	`last_seen` integer NOT NULL,
	`event_count` integer DEFAULT 0 NOT NULL,
	`n_view` integer DEFAULT 0 NOT NULL,
	`n_click` integer DEFAULT 0 NOT NULL,
	`n_add_to_cart` integer DEFAULT 0 NOT NULL,
	`n_purchase` integer DEFAULT 0 NOT NULL,
	`n_like` integer DEFAULT 0 NOT NULL,
	`n_share` integer DEFAULT 0 NOT NULL,
	`n_dwell` integer DEFAULT 0 NOT NULL,
	`n_impression` integer DEFAULT 0 NOT NULL,
	`n_search` integer DEFAULT 0 NOT NULL,
	`n_identify` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`site_id`, `id`)
);
--> statement-breakpoint
CREATE TABLE `sites` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`write_key` text NOT NULL,
	`allowed_origins` text DEFAULT '[]' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sites_write_key_unique` ON `sites` (`write_key`);