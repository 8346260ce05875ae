import { Controller, Get, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Access } from 'src/auth/access.decorator';
import { AccessService } from 'src/auth/access.service';
import { atLeast } from 'src/auth/permissions';
import { Caller } from 'src/auth/principal.decorator';
import type { Principal } from 'src/auth/principal';
import { experimentOfArtifactKey } from 'src/auth/resource-ids';
import { Fields } from 'src/common/fields.decorator';
import { Ok } from 'src/common/mlflow-controller';
import { MlflowError } from 'src/common/mlflow-error';
import { RequestFields } from 'src/common/request-fields';
import { ModelVersionsService } from 'src/registry/model-versions.service';
import { joinArtifactPath, normalizeArtifactPath } from './artifact-path';
import { ArtifactsService } from './artifacts.service';
import { sendFile } from './http-io';

/** MLflow's limit on the web UI's upload-artifact body; server.ts reads it with this limit. */
export const UPLOAD_ARTIFACT_MAX_BYTES = 10 * 1024 * 1024;
export const UPLOAD_ARTIFACT_ROUTE = 'ajax-api/2.0/mlflow/upload-artifact';

/** The web UI's artifact routes beside the proxy: an upload into a run and a model's files. */
@ApiTags('artifacts')
@Controller()
export class UiArtifactsController {
  constructor(
    private readonly artifacts: ArtifactsService,
    private readonly versions: ModelVersionsService,
    private readonly access: AccessService,
  ) {}

  @Post(UPLOAD_ARTIFACT_ROUTE)
  @Ok()
  @Access.run('EDIT', 'run_uuid')
  @ApiOperation({
    summary: 'Write the request body (at most 10 MB) as one artifact file of a run (web UI)',
  })
  @ApiQuery({ name: 'run_uuid', required: true })
  @ApiQuery({ name: 'path', required: true, example: 'notes/summary.txt' })
  async upload(@Req() req: Request, @Fields() f: RequestFields) {
    // The same fields the guard checked (the query: server.ts makes the body a Buffer).
    const runId = f.string('run_uuid');
    if (!runId) throw MlflowError.invalid('Request must specify run_uuid.');
    const path = f.string('path');
    if (!path) throw MlflowError.invalid('Request must specify path.');
    const body = req.body as Buffer;
    if (body.length === 0) throw MlflowError.invalid('Request must specify data.');
    await this.artifacts.uploadRun(runId, normalizeArtifactPath(path), body);
    return {};
  }

  @Get('model-versions/get-artifact')
  @Access.model('READ')
  @ApiOperation({ summary: "Download one file of a model version's artifacts" })
  @ApiQuery({ name: 'name', required: true })
  @ApiQuery({ name: 'version', required: true })
  @ApiQuery({ name: 'path', required: true, example: 'MLmodel' })
  async modelVersionFile(
    @Req() req: Request,
    @Res() res: Response,
    @Fields() f: RequestFields,
    @Caller() caller: Principal,
  ): Promise<void> {
    const path = normalizeArtifactPath(f.requiredString('path'));
    const version = await this.versions.get(f.requiredString('name'), f.requiredString('version'));
    const root = await this.artifacts.resolveUri(await this.versions.locationOf(version));
    // READ on the model is not enough: a version's source may be any run's files, and those stay
    // as private as the experiment that holds them.
    const experiment = experimentOfArtifactKey(root);
    if (!atLeast(await this.access.permissionOnAll(caller, 'experiment', [experiment]), 'READ')) {
      throw new MlflowError(
        'PERMISSION_DENIED',
        "Permission denied: this version's files belong to an experiment you cannot read.",
      );
    }
    await sendFile(req, res, await this.artifacts.download(joinArtifactPath(root, path)));
  }
}
