-- DropIndex
DROP INDEX "params_key_value_idx";

-- CreateIndex
CREATE INDEX "params_value_idx" ON "params" USING HASH ("value");

-- CreateIndex
CREATE INDEX "tags_value_idx" ON "tags" USING HASH ("value");
