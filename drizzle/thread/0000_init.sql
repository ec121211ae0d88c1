CREATE TABLE `entities` (
	`kind` text NOT NULL,
	`id` text NOT NULL,
	`run_id` text,
	`status` text,
	`payload` text NOT NULL,
	`sequence` integer NOT NULL,
	PRIMARY KEY(`kind`, `id`)
);
--> statement-breakpoint
CREATE TABLE `events` (
	`sequence` integer PRIMARY KEY NOT NULL,
	`event_id` text NOT NULL,
	`command_id` text,
	`actor` text NOT NULL,
	`type` text NOT NULL,
	`payload` text NOT NULL,
	`occurred_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `events_event_id_unique` ON `events` (`event_id`);--> statement-breakpoint
CREATE TABLE `meta` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `outbox` (
	`effect_id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`target` text NOT NULL,
	`process_bound` integer NOT NULL,
	`status` text NOT NULL,
	`epoch` integer,
	`attempts` integer NOT NULL,
	`available_at` integer NOT NULL,
	`payload` text NOT NULL,
	`created_sequence` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `producers` (
	`epoch` integer PRIMARY KEY NOT NULL,
	`runner_id` text NOT NULL,
	`last_seq` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `receipts` (
	`command_id` text PRIMARY KEY NOT NULL,
	`command_type` text NOT NULL,
	`sequence` integer NOT NULL,
	`error` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `stream_buffer` (
	`item_id` text PRIMARY KEY NOT NULL,
	`text` text NOT NULL,
	`updated_at` integer NOT NULL
);
