import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Access } from 'src/auth/access.decorator';
import { AccessService } from 'src/auth/access.service';
import { atLeast } from 'src/auth/permissions';
import type { Principal } from 'src/auth/principal';
import { Caller } from 'src/auth/principal.decorator';
import { Fields } from 'src/common/fields.decorator';
import { MlflowError } from 'src/common/mlflow-error';
import type { RequestFields } from 'src/common/request-fields';
import { AuditService } from './audit.service';
import { LineageService } from './lineage.service';
import { ModelVersionsService } from './model-versions.service';
import { pageJson, registryPageSize, versionField } from './registry-fields';
import { AuditDocs } from './registry.docs';
import { auditEventJson, lineageJson, modelVersionJson } from './registry.json';

/** Kiln's own registry routes (beyond MLflow): lineage, model URI resolution, audit trail. */
@Controller('api/2.0/kiln')
@ApiTags('registry (Kiln)')
export class KilnRegistryController {
  constructor(
    private readonly lineage: LineageService,
    private readonly versions: ModelVersionsService,
    private readonly audit: AuditService,
    private readonly access: AccessService,
  ) {}

  @Get('model-versions/lineage')
  @Access.model('READ')
  @ApiOperation({
    summary: 'Lineage of a model version in one call',
    description:
      'The version, where its files are, the run that produced it (params, latest metrics, ' +
      'tags, dataset inputs), the source code version (`mlflow.source.git.commit`) and the ' +
      "run's experiment. Required permission: READ on the registered model; the run and its " +
      'experiment are left out when the caller may not read that experiment.',
  })
  @ApiQuery({ name: 'name', required: true, example: 'churn-classifier' })
  @ApiQuery({ name: 'version', required: true, example: '3' })
  async getLineage(@Caller() caller: Principal, @Fields() f: RequestFields) {
    const lineage = await this.lineage.lineage(f.requiredString('name'), versionField(f));
    const experimentId = lineage.run?.info.experimentId;
    if (experimentId !== undefined) {
      const permission = await this.access.permissionOnAll(caller, 'experiment', [experimentId]);
      if (!atLeast(permission, 'READ'))
        return lineageJson({ ...lineage, run: null, experiment: null });
    }
    return lineageJson(lineage);
  }

  @Get('model-versions/resolve')
  @Access.authenticated()
  @ApiOperation({
    summary: 'Resolve a models:/ URI to a model version and its files',
    description:
      'Accepts models:/<name>/<version>, models:/<name>/<stage>, models:/<name>/latest and ' +
      'models:/<name>@<alias>, resolved as MLflow clients resolve them. Required permission: ' +
      'READ on the registered model.',
  })
  @ApiQuery({ name: 'uri', required: true, example: 'models:/churn-classifier@champion' })
  async resolve(@Caller() caller: Principal, @Fields() f: RequestFields) {
    const version = await this.versions.resolveModelUri(f.requiredString('uri'));
    const permission = await this.access.permissionOnAll(caller, 'registered_model', [
      version.name,
    ]);
    if (!atLeast(permission, 'READ')) {
      throw new MlflowError(
        'PERMISSION_DENIED',
        'Permission denied: READ on the registered model.',
      );
    }
    return {
      model_version: modelVersionJson(version),
      artifact_uri: await this.versions.locationOf(version),
    };
  }

  @Get('registered-models/audit')
  @Access.model('READ')
  @AuditDocs('model')
  async modelAudit(@Fields() f: RequestFields) {
    const page = await this.audit.forModel(f.requiredString('name'), {
      maxResults: registryPageSize(f, 1000, 10000),
      pageToken: f.string('page_token') || undefined,
    });
    return pageJson('events', page, auditEventJson);
  }

  @Get('model-versions/audit')
  @Access.model('READ')
  @AuditDocs('version')
  async versionAudit(@Fields() f: RequestFields) {
    const page = await this.audit.forVersion(f.requiredString('name'), versionField(f), {
      maxResults: registryPageSize(f, 1000, 10000),
      pageToken: f.string('page_token') || undefined,
    });
    return pageJson('events', page, auditEventJson);
  }
}
