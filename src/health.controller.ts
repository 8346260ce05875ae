import { Controller, Get, Header } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ArtifactStore } from 'src/artifacts/artifact.store';
import { Access } from 'src/auth/access.decorator';
import { PrismaService } from 'src/db/prisma.service';
import { MlflowError } from 'src/common/mlflow-error';
import { KILN_VERSION } from './version';

@ApiTags('server')
@Controller()
export class HealthController {
  constructor(
    private readonly prisma: PrismaService,
    private readonly artifacts: ArtifactStore,
  ) {}

  @Get('health')
  @Access.public()
  @Header('Content-Type', 'text/plain; charset=utf-8')
  @ApiOperation({ summary: 'Liveness: the process answers' })
  health(): string {
    return 'OK';
  }

  @Get('ready')
  @Access.public()
  @Header('Content-Type', 'text/plain; charset=utf-8')
  @ApiOperation({ summary: 'Readiness: the database and the artifact store answer' })
  async ready(): Promise<string> {
    try {
      await this.prisma.rows('SELECT 1');
    } catch {
      throw new MlflowError('TEMPORARILY_UNAVAILABLE', 'The database is not reachable.');
    }
    try {
      await this.artifacts.check();
    } catch {
      throw new MlflowError('TEMPORARILY_UNAVAILABLE', 'The artifact store is not reachable.');
    }
    return 'OK';
  }

  @Get('version')
  @Access.public()
  @Header('Content-Type', 'text/plain; charset=utf-8')
  @ApiOperation({ summary: 'The MLflow API version Kiln speaks, and its own' })
  version(): string {
    return KILN_VERSION;
  }
}
