import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Access } from 'src/auth/access.decorator';
import { Fields } from 'src/common/fields.decorator';
import { MlflowController } from 'src/common/mlflow-controller';
import { RequestFields } from 'src/common/request-fields';
import { normalizeArtifactPath } from './artifact-path';
import { ArtifactsService } from './artifacts.service';
import { sendFile } from './http-io';

/** `GET /api/2.0/mlflow/artifacts/list`: a run's artifacts, paths relative to its root. */
@MlflowController('artifacts')
export class RunArtifactsController {
  constructor(private readonly artifacts: ArtifactsService) {}

  @Get('artifacts/list')
  @Access.run('READ')
  @ApiOperation({ summary: "List a folder of a run's artifacts" })
  @ApiQuery({ name: 'run_id', required: true })
  @ApiQuery({ name: 'path', required: false, example: 'model' })
  async list(@Fields() f: RequestFields) {
    const path = normalizeArtifactPath(f.string('path') ?? '', true);
    const { rootUri, files } = await this.artifacts.listRun(f.runId(), path);
    return {
      root_uri: rootUri,
      ...(files.length > 0
        ? {
            files: files.map((e) =>
              e.isDir
                ? { path: e.path, is_dir: true }
                : { path: e.path, is_dir: false, file_size: e.size },
            ),
          }
        : {}),
    };
  }
}

/** `GET /get-artifact?run_id=&path=`: one run artifact as an attachment (the web UI's route). */
@ApiTags('artifacts')
@Controller()
export class GetArtifactController {
  constructor(private readonly artifacts: ArtifactsService) {}

  @Get('get-artifact')
  @Access.run('READ')
  @ApiOperation({ summary: 'Download one artifact file of a run' })
  @ApiQuery({ name: 'run_id', required: true })
  @ApiQuery({ name: 'path', required: true, example: 'model/MLmodel' })
  async get(@Req() req: Request, @Res() res: Response): Promise<void> {
    const f = RequestFields.fromQuery(req.query as Record<string, unknown>);
    const path = normalizeArtifactPath(f.requiredString('path'));
    await sendFile(req, res, await this.artifacts.downloadRun(f.runId(), path));
  }
}
