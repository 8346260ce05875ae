/**
 * One page of search results the caller may see. The search query selects ids in order; rows
 * the caller may not read are skipped and the page is refilled from the following rows, as
 * MLflow's auth app does. The next page starts after the last row consumed (an offset into the
 * unfiltered result), and a token is only given when a visible row follows.
 */
export async function scopedPage<T>(opts: {
  offset: number;
  maxResults: number;
  fetch: (offset: number, limit: number) => Promise<T[]>;
  visible?: (row: T) => boolean;
}): Promise<{ rows: T[]; nextOffset?: number }> {
  const { maxResults, fetch, visible } = opts;
  // One row more than the page tells whether another page exists (MLflow does the same).
  const batch = maxResults + 1;
  const found: { row: T; next: number }[] = [];
  let cursor = opts.offset;
  for (;;) {
    const rows = await fetch(cursor, batch);
    for (const row of rows) {
      cursor += 1;
      if (visible && !visible(row)) continue;
      found.push({ row, next: cursor });
      if (found.length > maxResults) break;
    }
    if (found.length > maxResults || rows.length < batch) break;
  }
  const page = found.slice(0, maxResults);
  return {
    rows: page.map((f) => f.row),
    nextOffset: found.length > maxResults ? page[page.length - 1].next : undefined,
  };
}
