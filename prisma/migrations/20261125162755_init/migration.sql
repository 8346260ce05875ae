-- CreateTable
CREATE TABLE "experiments" (
    "experiment_id" SERIAL NOT NULL,
    "name" VARCHAR(500) NOT NULL,
    "artifact_location" VARCHAR(2048) NOT NULL,
    "lifecycle_stage" VARCHAR(32) NOT NULL DEFAULT 'active',
    "creation_time" BIGINT NOT NULL,
    "last_update_time" BIGINT NOT NULL,

    CONSTRAINT "experiments_pkey" PRIMARY KEY ("experiment_id")
);

-- CreateTable
CREATE TABLE "experiment_tags" (
    "experiment_id" INTEGER NOT NULL,
    "key" VARCHAR(250) NOT NULL,
    "value" VARCHAR(5000) NOT NULL,

    CONSTRAINT "experiment_tags_pkey" PRIMARY KEY ("experiment_id","key")
);

-- CreateTable
CREATE TABLE "runs" (
    "run_uuid" VARCHAR(32) NOT NULL,
    "name" VARCHAR(250) NOT NULL DEFAULT '',
    "experiment_id" INTEGER NOT NULL,
    "user_id" VARCHAR(256) NOT NULL DEFAULT '',
    "status" VARCHAR(20) NOT NULL DEFAULT 'RUNNING',
    "start_time" BIGINT NOT NULL,
    "end_time" BIGINT,
    "artifact_uri" VARCHAR(2048) NOT NULL,
    "lifecycle_stage" VARCHAR(20) NOT NULL DEFAULT 'active',
    "deleted_time" BIGINT,

    CONSTRAINT "runs_pkey" PRIMARY KEY ("run_uuid")
);

-- CreateTable
CREATE TABLE "params" (
    "run_uuid" VARCHAR(32) NOT NULL,
    "key" VARCHAR(250) NOT NULL,
    "value" VARCHAR(6000) NOT NULL,

    CONSTRAINT "params_pkey" PRIMARY KEY ("run_uuid","key")
);

-- CreateTable
CREATE TABLE "tags" (
    "run_uuid" VARCHAR(32) NOT NULL,
    "key" VARCHAR(250) NOT NULL,
    "value" VARCHAR(8000) NOT NULL,

    CONSTRAINT "tags_pkey" PRIMARY KEY ("run_uuid","key")
);

-- CreateTable
CREATE TABLE "metrics" (
    "run_uuid" VARCHAR(32) NOT NULL,
    "key" VARCHAR(250) NOT NULL,
    "step" BIGINT NOT NULL DEFAULT 0,
    "timestamp" BIGINT NOT NULL,
    "value" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "metrics_pkey" PRIMARY KEY ("run_uuid","key","step","timestamp","value")
);

-- CreateTable
CREATE TABLE "latest_metrics" (
    "run_uuid" VARCHAR(32) NOT NULL,
    "key" VARCHAR(250) NOT NULL,
    "step" BIGINT NOT NULL,
    "timestamp" BIGINT NOT NULL,
    "value" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "latest_metrics_pkey" PRIMARY KEY ("run_uuid","key")
);

-- CreateTable
CREATE TABLE "datasets" (
    "dataset_uuid" VARCHAR(36) NOT NULL,
    "experiment_id" INTEGER NOT NULL,
    "name" VARCHAR(500) NOT NULL,
    "digest" VARCHAR(36) NOT NULL,
    "dataset_source_type" VARCHAR(36) NOT NULL,
    "dataset_source" TEXT NOT NULL,
    "dataset_schema" TEXT,
    "dataset_profile" TEXT,

    CONSTRAINT "datasets_pkey" PRIMARY KEY ("dataset_uuid")
);

-- CreateTable
CREATE TABLE "run_inputs" (
    "run_uuid" VARCHAR(32) NOT NULL,
    "dataset_uuid" VARCHAR(36) NOT NULL,
    "tags" JSONB NOT NULL DEFAULT '[]',

    CONSTRAINT "run_inputs_pkey" PRIMARY KEY ("run_uuid","dataset_uuid")
);

-- CreateTable
CREATE TABLE "logged_models" (
    "model_id" VARCHAR(34) NOT NULL,
    "experiment_id" INTEGER NOT NULL,
    "name" VARCHAR(500) NOT NULL,
    "model_type" VARCHAR(500),
    "source_run_id" VARCHAR(32),
    "status" VARCHAR(40) NOT NULL DEFAULT 'LOGGED_MODEL_PENDING',
    "status_message" VARCHAR(1000),
    "artifact_location" VARCHAR(2048) NOT NULL,
    "creation_timestamp_ms" BIGINT NOT NULL,
    "last_updated_timestamp_ms" BIGINT NOT NULL,
    "lifecycle_stage" VARCHAR(20) NOT NULL DEFAULT 'active',

    CONSTRAINT "logged_models_pkey" PRIMARY KEY ("model_id")
);

-- CreateTable
CREATE TABLE "logged_model_params" (
    "model_id" VARCHAR(34) NOT NULL,
    "key" VARCHAR(255) NOT NULL,
    "value" TEXT NOT NULL,

    CONSTRAINT "logged_model_params_pkey" PRIMARY KEY ("model_id","key")
);

-- CreateTable
CREATE TABLE "logged_model_tags" (
    "model_id" VARCHAR(34) NOT NULL,
    "key" VARCHAR(255) NOT NULL,
    "value" TEXT NOT NULL,

    CONSTRAINT "logged_model_tags_pkey" PRIMARY KEY ("model_id","key")
);

-- CreateIndex
CREATE UNIQUE INDEX "experiments_name_key" ON "experiments"("name");

-- CreateIndex
CREATE INDEX "experiments_creation_time_idx" ON "experiments"("creation_time");

-- CreateIndex
CREATE INDEX "runs_experiment_id_lifecycle_stage_start_time_run_uuid_idx" ON "runs"("experiment_id", "lifecycle_stage", "start_time" DESC, "run_uuid");

-- CreateIndex
CREATE INDEX "params_key_value_idx" ON "params"("key", "value");

-- CreateIndex
CREATE INDEX "tags_key_idx" ON "tags"("key");

-- CreateIndex
CREATE INDEX "latest_metrics_key_value_idx" ON "latest_metrics"("key", "value");

-- CreateIndex
CREATE UNIQUE INDEX "datasets_experiment_id_name_digest_key" ON "datasets"("experiment_id", "name", "digest");

-- CreateIndex
CREATE INDEX "run_inputs_dataset_uuid_idx" ON "run_inputs"("dataset_uuid");

-- CreateIndex
CREATE INDEX "logged_models_experiment_id_creation_timestamp_ms_idx" ON "logged_models"("experiment_id", "creation_timestamp_ms");

-- AddForeignKey
ALTER TABLE "experiment_tags" ADD CONSTRAINT "experiment_tags_experiment_id_fkey" FOREIGN KEY ("experiment_id") REFERENCES "experiments"("experiment_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "runs" ADD CONSTRAINT "runs_experiment_id_fkey" FOREIGN KEY ("experiment_id") REFERENCES "experiments"("experiment_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "params" ADD CONSTRAINT "params_run_uuid_fkey" FOREIGN KEY ("run_uuid") REFERENCES "runs"("run_uuid") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tags" ADD CONSTRAINT "tags_run_uuid_fkey" FOREIGN KEY ("run_uuid") REFERENCES "runs"("run_uuid") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "metrics" ADD CONSTRAINT "metrics_run_uuid_fkey" FOREIGN KEY ("run_uuid") REFERENCES "runs"("run_uuid") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "latest_metrics" ADD CONSTRAINT "latest_metrics_run_uuid_fkey" FOREIGN KEY ("run_uuid") REFERENCES "runs"("run_uuid") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "datasets" ADD CONSTRAINT "datasets_experiment_id_fkey" FOREIGN KEY ("experiment_id") REFERENCES "experiments"("experiment_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "run_inputs" ADD CONSTRAINT "run_inputs_run_uuid_fkey" FOREIGN KEY ("run_uuid") REFERENCES "runs"("run_uuid") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "run_inputs" ADD CONSTRAINT "run_inputs_dataset_uuid_fkey" FOREIGN KEY ("dataset_uuid") REFERENCES "datasets"("dataset_uuid") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "logged_models" ADD CONSTRAINT "logged_models_experiment_id_fkey" FOREIGN KEY ("experiment_id") REFERENCES "experiments"("experiment_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "logged_model_params" ADD CONSTRAINT "logged_model_params_model_id_fkey" FOREIGN KEY ("model_id") REFERENCES "logged_models"("model_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "logged_model_tags" ADD CONSTRAINT "logged_model_tags_model_id_fkey" FOREIGN KEY ("model_id") REFERENCES "logged_models"("model_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- MLflow clients use experiment 0, named Default, when no experiment is chosen.
INSERT INTO "experiments" ("experiment_id", "name", "artifact_location", "lifecycle_stage", "creation_time", "last_update_time")
VALUES (0, 'Default', 'mlflow-artifacts:/0', 'active',
        (extract(epoch from clock_timestamp()) * 1000)::bigint,
        (extract(epoch from clock_timestamp()) * 1000)::bigint);
