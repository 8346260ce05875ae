-- latest_metrics carries its run's experiment, so that a search ordered by a metric within one
-- experiment can walk (experiment_id, key, value) in order and stop once a page is full.
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
