ALTER TABLE `rec_rollups` ADD `visitors` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `rec_rollups` ADD `revenue_sq` real DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `events_rec_visitor` ON `events` (`site_id`,`profile_id`,`rec_variant`) WHERE type = 'impression' AND rec_id IS NOT NULL;