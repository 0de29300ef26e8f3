-- model_deltas becomes one row per SessionDO flush (a JSON body of increments). The table only holds increments
-- waiting for the next retrain; a deployment applying this loses at most one hour of online learning, which the
-- next from-scratch count of the raw log restores.
DROP TABLE `model_deltas`;--> statement-breakpoint
CREATE TABLE `model_deltas` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`site_id` text NOT NULL,
	`flush_id` text NOT NULL,
	`body` text NOT NULL,
	`rows` integer NOT NULL
);--> statement-breakpoint
CREATE UNIQUE INDEX `model_deltas_flush` ON `model_deltas` (`site_id`,`flush_id`);--> statement-breakpoint
CREATE INDEX `model_deltas_site_id` ON `model_deltas` (`site_id`,`id`);
