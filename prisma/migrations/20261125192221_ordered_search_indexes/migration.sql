-- Indexes and statistics that let searches walk an index in the requested order and stop at a
-- page. latest_metrics carries its run's experiment, so that a search ordered by a metric within
-- one experiment can walk (experiment_id, key, value).
ALTER TABLE "latest_metrics" ADD COLUMN "experiment_id" INTEGER;

UPDATE "latest_metrics" AS lm
   SET "experiment_id" = r."experiment_id"
  FROM "runs" AS r
 WHERE r."run_uuid" = lm."run_uuid";

ALTER TABLE "latest_metrics" ALTER COLUMN "experiment_id" SET NOT NULL;

-- CreateIndex
CREATE INDEX "latest_metrics_experiment_id_key_value_idx" ON "latest_metrics"("experiment_id", "key", "value");

-- Keys and values are strongly correlated (value 'adam' only occurs under key 'optimizer'), and
-- without these the planner multiplies their selectivities and expects about 20 times fewer
-- matches than a filter has, which makes it sort every match instead of stopping at a page.
CREATE STATISTICS "params_key_value_stats" (mcv) ON "key", "value" FROM "params";
CREATE STATISTICS "tags_key_value_stats" (mcv) ON "key", "value" FROM "tags";
CREATE STATISTICS "latest_metrics_key_value_stats" (mcv) ON "key", "value" FROM "latest_metrics";

-- Searches over several experiments in the default order (start_time DESC, run_uuid) walk this
-- index and stop at a page instead of sorting every run of those experiments.
CREATE INDEX "runs_start_time_run_uuid_idx" ON "runs"("start_time" DESC, "run_uuid");

-- Gather the new statistics now rather than at the next autovacuum.
ANALYZE "params", "tags", "latest_metrics", "runs";
