import { Injectable } from '@nestjs/common';
import { MlflowError } from 'src/common/mlflow-error';
import type { Metric, Page } from './entities';
import { type HistoryCursor, RunsStore } from './runs.store';

const HISTORY_PAGE = 25000;

function encodeCursor(m: Metric): string {
  return Buffer.from(JSON.stringify([m.step, m.timestamp, String(m.value)])).toString('base64');
}

function decodeCursor(token: string): HistoryCursor {
  try {
    const [step, timestamp, value] = JSON.parse(
      Buffer.from(token, 'base64').toString(),
    ) as unknown[];
    if (Number.isInteger(step) && Number.isInteger(timestamp) && typeof value === 'string') {
      return { step: step as number, timestamp: timestamp as number, value: Number(value) };
    }
  } catch {
    // fall through to the error below
  }
  throw MlflowError.invalid(`Invalid page token '${token}'.`);
}

@Injectable()
export class MetricsService {
  constructor(private readonly store: RunsStore) {}

  /** One page of history; the token is a keyset cursor, so deep pages cost what the first does. */
  async history(runId: string, key: string, pageToken?: string): Promise<Page<Metric>> {
    const after = pageToken ? decodeCursor(pageToken) : undefined;
    const items = await this.store.metricHistory(runId, key, after, HISTORY_PAGE + 1);
    if (items.length <= HISTORY_PAGE) return { items };
    const page = items.slice(0, HISTORY_PAGE);
    return { items: page, nextPageToken: encodeCursor(page[page.length - 1]) };
  }

  /** Up to `maxResults` points per run, in run id order and then step order. */
  bulk(runIds: string[], key: string, maxResults: number) {
    return this.store.historyOfRuns([...new Set(runIds)], key, maxResults);
  }

  sampled(runIds: string[], key: string, perRun: number, steps?: { start: number; end: number }) {
    return this.store.sampledHistory([...new Set(runIds)], key, perRun, steps);
  }
}
