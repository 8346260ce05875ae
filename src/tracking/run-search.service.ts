import { Injectable } from '@nestjs/common';
import { inScope, type ReadScope } from 'src/auth/access.service';
import { decodeRunSearchToken, encodeRunSearchToken } from 'src/search/page-token';
import { searchRunPage } from 'src/search/run-search-pager';
import { planRunSearch } from 'src/search/run-search-sql';
import type { Page, Run, ViewType } from './entities';
import { parseExperimentId } from './experiment-id';
import { RunsStore } from './runs.store';

export interface RunSearchQuery {
  experimentIds: string[];
  filter: string;
  orderBy: string[];
  viewType: ViewType;
  maxResults: number;
  pageToken?: string;
  /** The experiments the caller may read; others are silently left out, as in MLflow. */
  scope: ReadScope;
}

/**
 * runs/search: the filter is compiled to SQL that selects only the page's run ids; the page's
 * runs are then loaded with a few set-based reads.
 */
@Injectable()
export class RunSearchService {
  constructor(private readonly store: RunsStore) {}

  async search(query: RunSearchQuery): Promise<Page<Run>> {
    const experimentIds = query.experimentIds
      .map(parseExperimentId)
      .filter((id) => inScope(query.scope, String(id)));
    const start = decodeRunSearchToken(query.pageToken);
    const plan = planRunSearch({
      experimentIds,
      filter: query.filter,
      orderBy: query.orderBy,
      viewType: query.viewType,
    });
    if (experimentIds.length === 0 || query.maxResults === 0) return { items: [] };
    const page = await searchRunPage(plan, start, query.maxResults, (sql) =>
      this.store.searchRows(sql),
    );
    const items = await this.store.getRuns(page.ids);
    // Like MLflow, a full page always carries a token, even when the next page is empty.
    return { items, nextPageToken: page.next && encodeRunSearchToken(page.next) };
  }
}
