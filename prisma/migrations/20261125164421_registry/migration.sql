-- CreateTable
CREATE TABLE "registered_models" (
    "name" VARCHAR(256) NOT NULL,
    "creation_time" BIGINT NOT NULL,
    "last_updated_time" BIGINT NOT NULL,
    "description" TEXT,

    CONSTRAINT "registered_models_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "registered_model_tags" (
    "name" VARCHAR(256) NOT NULL,
    "key" VARCHAR(250) NOT NULL,
    "value" VARCHAR(5000) NOT NULL,

    CONSTRAINT "registered_model_tags_pkey" PRIMARY KEY ("name","key")
);

-- CreateTable
CREATE TABLE "model_versions" (
    "name" VARCHAR(256) NOT NULL,
    "version" INTEGER NOT NULL,
    "creation_time" BIGINT NOT NULL,
    "last_updated_time" BIGINT NOT NULL,
    "description" TEXT,
    "user_id" VARCHAR(256),
    "current_stage" VARCHAR(20) NOT NULL DEFAULT 'None',
    "source" TEXT NOT NULL,
    "storage_location" TEXT,
    "run_id" TEXT,
    "run_link" TEXT,
    "status" VARCHAR(20) NOT NULL DEFAULT 'READY',
    "status_message" TEXT,
    "model_id" TEXT,

    CONSTRAINT "model_versions_pkey" PRIMARY KEY ("name","version")
);

-- CreateTable
CREATE TABLE "model_version_tags" (
    "name" VARCHAR(256) NOT NULL,
    "version" INTEGER NOT NULL,
    "key" VARCHAR(250) NOT NULL,
    "value" VARCHAR(5000) NOT NULL,

    CONSTRAINT "model_version_tags_pkey" PRIMARY KEY ("name","version","key")
);

-- CreateTable
CREATE TABLE "registered_model_aliases" (
    "name" VARCHAR(256) NOT NULL,
    "alias" VARCHAR(255) NOT NULL,
    "version" INTEGER NOT NULL,

    CONSTRAINT "registered_model_aliases_pkey" PRIMARY KEY ("name","alias")
);

-- CreateTable
CREATE TABLE "registry_audit_events" (
    "id" BIGSERIAL NOT NULL,
    "name" VARCHAR(256) NOT NULL,
    "version" INTEGER,
    "action" VARCHAR(40) NOT NULL,
    "alias" VARCHAR(255),
    "from_value" TEXT,
    "to_value" TEXT,
    "user_id" VARCHAR(256) NOT NULL DEFAULT '',
    "timestamp" BIGINT NOT NULL,
    "comment" TEXT,

    CONSTRAINT "registry_audit_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "registered_models_last_updated_time_idx" ON "registered_models"("last_updated_time");

-- CreateIndex
CREATE INDEX "model_versions_run_id_idx" ON "model_versions"("run_id");

-- CreateIndex
CREATE INDEX "model_versions_last_updated_time_idx" ON "model_versions"("last_updated_time");

-- CreateIndex
CREATE INDEX "registry_audit_events_name_version_idx" ON "registry_audit_events"("name", "version");

-- AddForeignKey
ALTER TABLE "registered_model_tags" ADD CONSTRAINT "registered_model_tags_name_fkey" FOREIGN KEY ("name") REFERENCES "registered_models"("name") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "model_versions" ADD CONSTRAINT "model_versions_name_fkey" FOREIGN KEY ("name") REFERENCES "registered_models"("name") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "model_version_tags" ADD CONSTRAINT "model_version_tags_name_version_fkey" FOREIGN KEY ("name", "version") REFERENCES "model_versions"("name", "version") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "registered_model_aliases" ADD CONSTRAINT "registered_model_aliases_name_fkey" FOREIGN KEY ("name") REFERENCES "registered_models"("name") ON DELETE CASCADE ON UPDATE CASCADE;
