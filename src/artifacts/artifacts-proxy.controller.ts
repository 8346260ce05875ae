import { Controller, Delete, Get, Post, Put, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Access } from 'src/auth/access.decorator';
import { Fields } from 'src/common/fields.decorator';
import { Ok } from 'src/common/mlflow-controller';
import type { RequestFields } from 'src/common/request-fields';
import {
  decodeArtifactPath,
  fileName,
  joinArtifactPath,
  normalizeArtifactPath,
} from './artifact-path';
import { ArtifactsService } from './artifacts.service';
import { contentLength, rawProxyPath, readJsonFields, sendFile } from './http-io';

/** MLflow's artifact proxy (reference §6.2), served under both API prefixes. */
export const PROXY_PREFIXES = ['api/2.0/mlflow-artifacts', 'ajax-api/2.0/mlflow-artifacts'];

@ApiTags('artifacts')
@Controller(PROXY_PREFIXES)
export class ArtifactsProxyController {
  constructor(private readonly artifacts: ArtifactsService) {}

  @Get('artifacts')
  @Access.artifactPath('READ')
  @ApiOperation({ summary: 'List a folder of the artifact store (names only, not paths)' })
  @ApiQuery({
    name: 'path',
    required: false,
    example: '1/5f0c0e2a9b1c4d2e8f7a6b5c4d3e2f10/artifacts',
  })
  async list(@Fields() f: RequestFields) {
    const dir = normalizeArtifactPath(f.string('path') ?? '', true);
    const entries = await this.artifacts.list(dir);
    if (entries.length === 0) return {};
    return {
      files: entries.map((e) =>
        e.isDir
          ? { path: e.name, is_dir: true }
          : { path: e.name, is_dir: false, file_size: e.size },
      ),
    };
  }

  @Get('artifacts/*path')
  @Access.artifactPath('READ')
  @ApiOperation({ summary: 'Download an artifact file (streamed, as an attachment)' })
  async download(@Req() req: Request, @Res() res: Response): Promise<void> {
    const file = await this.artifacts.download(decodeArtifactPath(rawProxyPath(req)));
    await sendFile(req, res, file);
  }

  @Put('artifacts/*path')
  @Access.artifactPath('EDIT')
  @ApiOperation({ summary: 'Upload an artifact file: the raw body, streamed to the store' })
  async upload(@Req() req: Request, @Res({ passthrough: true }) res: Response) {
    try {
      const path = decodeArtifactPath(rawProxyPath(req));
      await this.artifacts.upload(path, req, contentLength(req));
      return {};
    } catch (err) {
      // Refused before the body was read: do not make the client send (or us drain) the rest.
      if (!req.complete) res.setHeader('Connection', 'close');
      throw err;
    }
  }

  @Delete('artifacts/*path')
  @Access.artifactPath('MANAGE')
  @ApiOperation({ summary: 'Delete an artifact file, or a folder with everything in it' })
  async delete(@Req() req: Request) {
    await this.artifacts.delete(decodeArtifactPath(rawProxyPath(req)));
    return {};
  }

  @Post('mpu/create/*path')
  @Access.artifactPath('EDIT')
  @Ok()
  @ApiOperation({ summary: 'Start a multipart upload: one presigned URL per part (S3 only)' })
  async createMultipart(@Req() req: Request) {
    const dir = decodeArtifactPath(rawProxyPath(req), true);
    this.artifacts.assertMultipart(dir);
    const f = await readJsonFields(req);
    const path = joinArtifactPath(dir, fileName(f.requiredString('path')));
    const upload = await this.artifacts.createMultipartUpload(path, f.requiredInt64('num_parts'));
    return {
      upload_id: upload.uploadId,
      credentials: upload.parts.map((p) => ({
        url: p.url,
        part_number: p.partNumber,
        headers: p.headers,
      })),
    };
  }

  @Post('mpu/complete/*path')
  @Access.artifactPath('EDIT')
  @Ok()
  @ApiOperation({ summary: 'Complete a multipart upload from the parts and their ETags' })
  async completeMultipart(@Req() req: Request) {
    const dir = decodeArtifactPath(rawProxyPath(req), true);
    this.artifacts.assertMultipart(dir);
    const f = await readJsonFields(req);
    const path = joinArtifactPath(dir, fileName(f.requiredString('path')));
    const parts = f.objectList('parts').map((p) => ({
      partNumber: p.requiredInt64('part_number'),
      etag: p.requiredString('etag'),
    }));
    await this.artifacts.completeMultipartUpload(path, f.requiredString('upload_id'), parts);
    return {};
  }

  @Post('mpu/abort/*path')
  @Access.artifactPath('EDIT')
  @Ok()
  @ApiOperation({ summary: 'Abort a multipart upload, discarding its parts' })
  async abortMultipart(@Req() req: Request) {
    const dir = decodeArtifactPath(rawProxyPath(req), true);
    this.artifacts.assertMultipart(dir);
    const f = await readJsonFields(req);
    const path = joinArtifactPath(dir, fileName(f.requiredString('path')));
    await this.artifacts.abortMultipartUpload(path, f.requiredString('upload_id'));
    return {};
  }

  @Get(['mpd/presigned/*path', 'presigned/*path'])
  @Access.artifactPath('READ')
  @ApiOperation({ summary: 'A presigned download URL for a file (S3 only)' })
  async presigned(@Req() req: Request) {
    const download = await this.artifacts.presignDownload(decodeArtifactPath(rawProxyPath(req)));
    return { url: download.url, headers: download.headers, file_size: download.size };
  }
}
