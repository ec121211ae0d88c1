CREATE TABLE `diffs` (
	`subject` text NOT NULL,
	`id` text NOT NULL,
	`part` integer NOT NULL,
	`parts` integer NOT NULL,
	`truncated` integer NOT NULL,
	`text` text NOT NULL,
	`stored_at` integer NOT NULL,
	PRIMARY KEY(`subject`, `id`, `part`)
);
