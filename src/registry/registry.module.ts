import { Module } from '@nestjs/common';
import { TrackingModule } from 'src/tracking/tracking.module';
import { ApprovalsController } from './approvals.controller';
import { ApprovalsService } from './approvals.service';
import { AuditService } from './audit.service';
import { KilnRegistryController } from './kiln-registry.controller';
import { LineageService } from './lineage.service';
import { ModelVersionsController } from './model-versions.controller';
import { ModelVersionsService } from './model-versions.service';
import { RegisteredModelsController } from './registered-models.controller';
import { RegisteredModelsService } from './registered-models.service';
import { PrismaRegistryStore } from './registry.prisma-store';
import { RegistryStore } from './registry.store';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';

/** The model registry: MLflow's registry API plus Kiln's lineage and audit trail. */
@Module({
  imports: [TrackingModule],
  controllers: [
    RegisteredModelsController,
    ModelVersionsController,
    KilnRegistryController,
    ApprovalsController,
    WebhooksController,
  ],
  providers: [
    RegisteredModelsService,
    ModelVersionsService,
    LineageService,
    AuditService,
    ApprovalsService,
    WebhooksService,
    { provide: RegistryStore, useClass: PrismaRegistryStore },
  ],
  exports: [RegisteredModelsService, ModelVersionsService],
})
export class RegistryModule {}
