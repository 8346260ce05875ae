import { Controller, Get, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Readable } from 'node:stream';
import { Access } from 'src/auth/access.decorator';
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

const queryFields = (req: Request) => RequestFields.fromQuery(req.query as Record<string, unknown>);

/** The web UI's artifact routes beside the proxy: an upload into a run and a model's files. */
@ApiTags('artifacts')
@Controller()
export class UiArtifactsController {
  constructor(
    private readonly artifacts: ArtifactsService,
    private readonly versions: ModelVersionsService,
  ) {}

  @Post(UPLOAD_ARTIFACT_ROUTE)
  @Ok()
  @Access.run('EDIT', 'run_uuid')
  @ApiOperation({
    summary: 'Write the request body (at most 10 MB) as one artifact file of a run (web UI)',
  })
  @ApiQuery({ name: 'run_uuid', required: true })
  @ApiQuery({ name: 'path', required: true, example: 'notes/summary.txt' })
  async upload(@Req() req: Request) {
    const f = queryFields(req);
    const runId = f.string('run_uuid');
    if (!runId) throw MlflowError.invalid('Request must specify run_uuid.');
    const path = f.string('path');
    if (!path) throw MlflowError.invalid('Request must specify path.');
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const root = await this.artifacts.runRoot(runId);
    await this.artifacts.upload(
      joinArtifactPath(root.key, normalizeArtifactPath(path)),
      Readable.from([body]),
      body.length,
    );
    return {};
  }

  @Get('model-versions/get-artifact')
  @Access.model('READ')
  @ApiOperation({ summary: "Download one file of a model version's artifacts" })
  @ApiQuery({ name: 'name', required: true })
  @ApiQuery({ name: 'version', required: true })
  @ApiQuery({ name: 'path', required: true, example: 'MLmodel' })
  async modelVersionFile(@Req() req: Request, @Res() res: Response): Promise<void> {
    const f = queryFields(req);
    const path = normalizeArtifactPath(f.requiredString('path'));
    const version = await this.versions.get(f.requiredString('name'), f.requiredString('version'));
    const root = await this.artifacts.resolveUri(await this.versions.locationOf(version));
    await sendFile(req, res, await this.artifacts.download(joinArtifactPath(root, path)));
  }
}
