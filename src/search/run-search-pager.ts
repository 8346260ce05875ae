import type { RunSearchPlan, RunSearchPosition } from './run-search-sql';
import { SearchSyntaxError } from './search-error';
import type { SqlQuery } from './sql-builder';

export interface RunSearchRow {
  run_uuid: string;
  /** Section 0: the row's value of the first order key (a number for metrics). */
  order_value?: string | number;
}

export interface RunSearchPage {
  ids: string[];
  /** Where the next page starts; set whenever the page is full, as MLflow does. */
  next?: RunSearchPosition;
}

/**
 * Reads one page of run ids from `start` on: a section at a time, moving to the next section
 * when one runs out, and stopping as soon as the page is full.
 */
export async function searchRunPage(
  plan: RunSearchPlan,
  start: RunSearchPosition,
  limit: number,
  execute: (query: SqlQuery) => Promise<RunSearchRow[]>,
): Promise<RunSearchPage> {
  checkPosition(plan, start);
  if (start.section === 0 && start.after === undefined && start.skip > 0) {
    // A plain offset: MLflow's token format, and this server's before keyset tokens. It counts
    // across sections, so read from the start and drop that many runs.
    const page = await searchRunPage(plan, { section: 0, skip: 0 }, start.skip + limit, execute);
    return { ids: page.ids.slice(start.skip), next: page.next };
  }
  const ids: string[] = [];
  let position = start;
  while (limit > 0) {
    const wanted = limit - ids.length;
    const rows = await execute(plan.query(position, wanted));
    for (const row of rows) ids.push(row.run_uuid);
    if (rows.length === wanted) return { ids, next: advance(position, rows) };
    if (position.section + 1 >= plan.sections) break;
    position = { section: position.section + 1, skip: 0 };
  }
  return { ids };
}

function checkPosition(plan: RunSearchPlan, position: RunSearchPosition): void {
  if (position.section >= plan.sections || (position.after !== undefined && position.section > 0)) {
    throw new SearchSyntaxError(
      'Invalid page token: it does not belong to this search (a token must be used with the ' +
        'filter and order_by it came from).',
    );
  }
}

/**
 * The position after `rows`. In section 0 it is the last row's order value plus how many rows
 * with that value have been returned, so the next page starts from an index probe on the value
 * instead of re-reading every earlier page.
 */
function advance(position: RunSearchPosition, rows: RunSearchRow[]): RunSearchPosition {
  if (position.section > 0) {
    return { section: position.section, skip: position.skip + rows.length };
  }
  // pg reads float8 -0 as the number -0, which String() writes as "0": equal values (as SQL
  // compares them) are equal strings here.
  const same = (a: string | number | undefined, b: string | number | undefined) =>
    String(a) === String(b);
  const last = rows[rows.length - 1].order_value;
  let equal = 0;
  while (equal < rows.length && same(rows[rows.length - 1 - equal].order_value, last)) equal++;
  const carried = position.after !== undefined && same(position.after, last) ? position.skip : 0;
  return { section: 0, after: String(last), skip: equal + carried };
}
