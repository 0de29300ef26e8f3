CREATE TABLE `traffic_rollups` (
	`site_id` text NOT NULL,
	`hour` integer NOT NULL,
	`events` integer DEFAULT 0 NOT NULL,
	`sessions` integer DEFAULT 0 NOT NULL,
	`sessions_started` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`site_id`, `hour`)
);
