import { scopedPage } from './scoped-page';

const ROWS = Array.from({ length: 10 }, (_, i) => `m${i}`);
const fetch = async (offset: number, limit: number) => ROWS.slice(offset, offset + limit);

describe('scopedPage', () => {
  it('pages without a filter like MLflow: a token only when more rows exist', async () => {
    expect(await scopedPage({ offset: 0, maxResults: 4, fetch })).toEqual({
      rows: ['m0', 'm1', 'm2', 'm3'],
      nextOffset: 4,
    });
    expect(await scopedPage({ offset: 8, maxResults: 2, fetch })).toEqual({
      rows: ['m8', 'm9'],
      nextOffset: undefined,
    });
  });

  it('skips hidden rows and refills the page from the following ones', async () => {
    const visible = (name: string) => Number(name.slice(1)) % 3 === 0;
    const first = await scopedPage({ offset: 0, maxResults: 2, fetch, visible });
    expect(first).toEqual({ rows: ['m0', 'm3'], nextOffset: 4 });
    const second = await scopedPage({ offset: 4, maxResults: 2, fetch, visible });
    expect(second).toEqual({ rows: ['m6', 'm9'], nextOffset: undefined });
  });
});
