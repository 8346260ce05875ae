import {
  decodePageToken,
  decodeRunSearchToken,
  encodePageToken,
  encodeRunSearchToken,
} from './page-token';
import { SearchSyntaxError } from './search-error';

describe('page tokens', () => {
  it("encodes MLflow's exact token bytes", () => {
    // Tokens seen in the recordings (S091, S092, S135).
    expect(encodePageToken(7)).toBe('eyJvZmZzZXQiOiA3fQ==');
    expect(encodePageToken(14)).toBe('eyJvZmZzZXQiOiAxNH0=');
    expect(encodePageToken(1)).toBe('eyJvZmZzZXQiOiAxfQ==');
  });

  it('round-trips offsets', () => {
    for (const offset of [0, 1, 9, 1000, 49999, 2 ** 40]) {
      expect(decodePageToken(encodePageToken(offset))).toBe(offset);
    }
  });

  it('reads compact JSON and URL-safe base64 too', () => {
    expect(decodePageToken(Buffer.from('{"offset":21}').toString('base64'))).toBe(21);
    expect(decodePageToken(Buffer.from('{"offset": 3}').toString('base64url'))).toBe(3);
  });

  it('treats an absent or empty token as the first page', () => {
    expect(decodePageToken(undefined)).toBe(0);
    expect(decodePageToken(null)).toBe(0);
    expect(decodePageToken('')).toBe(0);
  });

  it.each([
    ['notatoken', /could not base64-decode/], // E118
    ['abc$', /could not base64-decode/],
    [Buffer.from('{"foo": 1}').toString('base64'), /parsed value=\{"foo":1\}/], // E119
    [Buffer.from('not json').toString('base64'), /Invalid page token/],
    [Buffer.from('{"offset": -1}').toString('base64'), /Invalid page token/],
    [Buffer.from('{"offset": 1.5}').toString('base64'), /Invalid page token/],
    [Buffer.from('{"offset": "3"}').toString('base64'), /Invalid page token/],
    [Buffer.from('[1]').toString('base64'), /Invalid page token/],
    [Buffer.from('null').toString('base64'), /Invalid page token/],
  ])('rejects %s', (token, message) => {
    expect(() => decodePageToken(token)).toThrow(SearchSyntaxError);
    expect(() => decodePageToken(token)).toThrow(message);
  });

  it('refuses to encode a bad offset (a programming error, not user input)', () => {
    expect(() => encodePageToken(-1)).toThrow(RangeError);
  });
});

describe('runs/search page tokens', () => {
  const base64 = (json: string) => Buffer.from(json).toString('base64');

  it("writes a first-section offset exactly as MLflow's token", () => {
    expect(encodeRunSearchToken({ section: 0, skip: 7 })).toBe(encodePageToken(7));
    expect(decodeRunSearchToken(encodePageToken(7))).toEqual({ section: 0, skip: 7 });
    expect(decodeRunSearchToken(undefined)).toEqual({ section: 0, skip: 0 });
  });

  it.each([
    { section: 0, after: '0.25', skip: 3 },
    { section: 0, after: '-Infinity', skip: 0 },
    { section: 2, skip: 40 },
  ])('round-trips the keyset position %j', (position) => {
    expect(decodeRunSearchToken(encodeRunSearchToken(position))).toEqual(position);
  });

  it.each([
    base64('{"offset": 1, "section": -1}'),
    base64('{"offset": 1, "section": 0.5}'),
    base64('{"offset": 1, "after": 3}'),
  ])('rejects the malformed position %s', (token) => {
    expect(() => decodeRunSearchToken(token)).toThrow(SearchSyntaxError);
  });

  it('is refused by the searches that page by offset alone', () => {
    const keyset = encodeRunSearchToken({ section: 1, skip: 2 });
    expect(() => decodePageToken(keyset)).toThrow(/does not belong to this search/);
  });
});
