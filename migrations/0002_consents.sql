CREATE TABLE `consents` (
	`site_id` text NOT NULL,
	`anonymous_id` text NOT NULL,
	`user_id` text,
	`analytics` integer NOT NULL,
	`personalization` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`site_id`, `anonymous_id`)
);
