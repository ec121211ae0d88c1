-- Written by hand after drizzle-kit's `DROP TABLE events`: the rows move into `log` (one row
-- each), and `events` stays readable as a view with one row per event and the same columns.
INSERT INTO `log` (`first_sequence`, `last_sequence`, `command_id`, `actor`, `occurred_at`, `events`)
	SELECT `sequence`, `sequence`, `command_id`, `actor`, `occurred_at`, json_array(json_object('type', `type`, 'payload', json(`payload`))) FROM `events`;
--> statement-breakpoint
DROP TABLE `events`;
--> statement-breakpoint
CREATE VIEW `events` AS
	SELECT
		`log`.`first_sequence` + `e`.`key` AS `sequence`,
		'event:' || replace(replace((SELECT `value` FROM `meta` WHERE `key` = 'thread_id'), '%', '%25'), ':', '%3A') || ':' || (`log`.`first_sequence` + `e`.`key`) AS `event_id`,
		`log`.`command_id` AS `command_id`,
		`log`.`actor` AS `actor`,
		json_extract(`e`.`value`, '$.type') AS `type`,
		json_extract(`e`.`value`, '$.payload') AS `payload`,
		`log`.`occurred_at` AS `occurred_at`
	FROM `log`, json_each(`log`.`events`) AS `e`;
