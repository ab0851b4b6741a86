ALTER TABLE `downloads` ADD `resume_of_id` text REFERENCES downloads(id) ON DELETE cascade;--> statement-breakpoint
CREATE INDEX `downloads_resume_of_idx` ON `downloads` (`resume_of_id`);