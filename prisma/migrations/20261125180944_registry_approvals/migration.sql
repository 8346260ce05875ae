-- CreateTable
CREATE TABLE "registry_approval_settings" (
    "name" VARCHAR(256) NOT NULL,
    "set_by" VARCHAR(256) NOT NULL DEFAULT '',
    "timestamp" BIGINT NOT NULL,

    CONSTRAINT "registry_approval_settings_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "registry_transition_requests" (
    "id" BIGSERIAL NOT NULL,
    "name" VARCHAR(256) NOT NULL,
    "version" INTEGER NOT NULL,
    "stage" VARCHAR(20) NOT NULL,
    "archive_existing" BOOLEAN NOT NULL DEFAULT false,
    "status" VARCHAR(20) NOT NULL DEFAULT 'PENDING',
    "requested_by" VARCHAR(256) NOT NULL DEFAULT '',
    "requested_at" BIGINT NOT NULL,
    "comment" TEXT,
    "decided_by" VARCHAR(256),
    "decided_at" BIGINT,
    "decision_comment" TEXT,

    CONSTRAINT "registry_transition_requests_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "registry_webhooks" (
    "id" BIGSERIAL NOT NULL,
    "name" VARCHAR(256) NOT NULL,
    "url" TEXT NOT NULL,
    "secret" TEXT NOT NULL,
    "events" TEXT[],
    "created_by" VARCHAR(256) NOT NULL DEFAULT '',
    "created_at" BIGINT NOT NULL,

    CONSTRAINT "registry_webhooks_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "registry_webhook_deliveries" (
    "id" BIGSERIAL NOT NULL,
    "webhook_id" BIGINT NOT NULL,
    "event" VARCHAR(40) NOT NULL,
    "payload" TEXT NOT NULL,
    "status" VARCHAR(20) NOT NULL DEFAULT 'PENDING',
    "attempt_count" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" BIGINT NOT NULL,
    "attempts" JSONB NOT NULL DEFAULT '[]',
    "created_at" BIGINT NOT NULL,

    CONSTRAINT "registry_webhook_deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "registry_transition_requests_name_status_idx" ON "registry_transition_requests"("name", "status");

-- CreateIndex
CREATE INDEX "registry_webhooks_name_idx" ON "registry_webhooks"("name");

-- CreateIndex
CREATE INDEX "registry_webhook_deliveries_status_next_attempt_at_idx" ON "registry_webhook_deliveries"("status", "next_attempt_at");

-- CreateIndex
CREATE INDEX "registry_webhook_deliveries_webhook_id_idx" ON "registry_webhook_deliveries"("webhook_id");
