import { Injectable } from '@nestjs/common';
import { decodePageToken, encodePageToken } from 'src/search/page-token';
import type { Page } from 'src/tracking/entities';
import type { AuditEvent } from './registry.entities';
import { RegistryStore } from './registry.store';
import {
  modelNotFound,
  parseVersion,
  validateModelName,
  versionNotFound,
} from './registry.validation';

export interface PageRequest {
  maxResults: number;
  pageToken?: string;
}

/**
 * The registry's audit trail: who moved which version to which stage, and who pointed which
 * alias where, when, from what, and why. Events outlive the models they describe, so a deleted
 * model's history stays readable.
 */
@Injectable()
export class AuditService {
  constructor(private readonly store: RegistryStore) {}

  async forModel(name: string, page: PageRequest): Promise<Page<AuditEvent>> {
    validateModelName(name);
    const result = await this.list(name, undefined, page);
    if (result.items.length === 0 && !page.pageToken && !(await this.store.getModel(name))) {
      throw modelNotFound(name);
    }
    return result;
  }

  async forVersion(name: string, version: string, page: PageRequest): Promise<Page<AuditEvent>> {
    validateModelName(name);
    const number = parseVersion(name, version);
    const result = await this.list(name, number, page);
    if (
      result.items.length === 0 &&
      !page.pageToken &&
      !(await this.store.getVersion(name, number))
    ) {
      throw versionNotFound(name, version);
    }
    return result;
  }

  private async list(
    name: string,
    version: number | undefined,
    page: PageRequest,
  ): Promise<Page<AuditEvent>> {
    const offset = decodePageToken(page.pageToken);
    const rows = await this.store.auditEvents({
      name,
      version,
      offset,
      limit: page.maxResults + 1,
    });
    const more = rows.length > page.maxResults;
    return {
      items: rows.slice(0, page.maxResults),
      nextPageToken: more ? encodePageToken(offset + page.maxResults) : undefined,
    };
  }
}
