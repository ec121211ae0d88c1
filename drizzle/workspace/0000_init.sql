CREATE TABLE `links` (
	`thread_id` text PRIMARY KEY NOT NULL,
	`epoch` integer,
	`pending` integer NOT NULL,
	`requested_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `meta` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `runners` (
	`epoch` integer PRIMARY KEY NOT NULL,
	`runner_id` text NOT NULL,
	`connected_at` integer NOT NULL,
	`fenced_at` integer,
	`providers` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `shell` (
	`thread_id` text PRIMARY KEY NOT NULL,
	`sequence` integer NOT NULL,
	`archived` integer NOT NULL,
	`deleted` integer NOT NULL,
	`summary` text NOT NULL,
	`updated_at` integer NOT NULL
);
