CREATE TABLE `log` (
	`first_sequence` integer PRIMARY KEY NOT NULL,
	`last_sequence` integer NOT NULL,
	`command_id` text,
	`actor` text NOT NULL,
	`occurred_at` integer NOT NULL,
	`events` text NOT NULL
);
