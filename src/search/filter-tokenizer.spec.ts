import { tokenize } from './filter-tokenizer';
import { SearchSyntaxError } from './search-error';

const kinds = (input: string) => tokenize(input).map((t) => [t.kind, t.text]);

describe('tokenize', () => {
  it('refuses a NUL character, which no Postgres text can hold', () => {
    expect(() => tokenize("params.p = 'a\u0000'")).toThrow(/NUL character/);
    expect(() => tokenize('metrics.`a\u0000`')).toThrow(SearchSyntaxError);
  });

  it('splits an identifier into words and dots, and reads the operator and number', () => {
    expect(kinds('metrics.loss<=0.26')).toEqual([
      ['word', 'metrics'],
      ['dot', '.'],
      ['word', 'loss'],
      ['operator', '<='],
      ['number', '0.26'],
      ['end', ''],
    ]);
  });

  it.each([
    ['1', '1'],
    ['-1', '-1'],
    ['0.26', '0.26'],
    ['1e-1', '1e-1'],
    ['2.5E+3', '2.5E+3'],
    ['.5', '.5'],
    ['5.', '5.'],
    ['+3', '+3'],
  ])('reads the number %s', (input, text) => {
    expect(tokenize(`x > ${input}`)[2]).toMatchObject({ kind: 'number', text });
  });

  it('treats a glued dot as a separator but a free-standing .5 as a number', () => {
    expect(kinds('metrics.5')[2]).toEqual(['number', '5']);
    expect(kinds('x > .5')[2]).toEqual(['number', '.5']);
  });

  it('reads a detached dot as a dot (the parser then rejects the spacing)', () => {
    expect(kinds('metrics .loss')[1]).toEqual(['dot', '.']);
  });

  it('reads digits followed by letters as one word', () => {
    expect(kinds('tags.2019x')[2]).toEqual(['word', '2019x']);
  });

  it('reads Unicode letters as word characters', () => {
    expect(kinds('params.lré中')[2]).toEqual(['word', 'lré中']);
  });

  it('reads the three quote styles and unescapes doubled or backslashed quotes', () => {
    expect(kinds(`'it''s' "say \\"hi\\"" \`model type\``)).toEqual([
      ['single-quoted', "it's"],
      ['double-quoted', 'say "hi"'],
      ['backquoted', 'model type'],
      ['end', ''],
    ]);
    expect(tokenize(`'it\\'s'`)[0].text).toBe("it's");
  });

  it('keeps other backslashes as written (LIKE escapes reach Postgres unchanged)', () => {
    expect(tokenize(`'100\\%'`)[0].text).toBe('100\\%');
  });

  it('reads any run of comparison characters as one operator', () => {
    expect(kinds('a <<< 1')[1]).toEqual(['operator', '<<<']);
    expect(kinds('a != 1')[1]).toEqual(['operator', '!=']);
  });

  it('reads list punctuation', () => {
    expect(kinds("('a', 'b')").map(([k]) => k)).toEqual([
      'open-paren',
      'single-quoted',
      'comma',
      'single-quoted',
      'close-paren',
      'end',
    ]);
  });

  it('records positions', () => {
    const [word, op] = tokenize('  status = 1');
    expect(word).toMatchObject({ start: 2, end: 8 });
    expect(op).toMatchObject({ start: 9, end: 10 });
  });

  it('rejects an unterminated quote', () => {
    expect(() => tokenize("tags.x = 'open")).toThrow(SearchSyntaxError);
    expect(() => tokenize('tags.`open = 1')).toThrow(/not closed/);
  });

  it('rejects characters outside the grammar', () => {
    expect(() => tokenize('params.model-type = 1')).toThrow(/Invalid character '-'/);
    expect(() => tokenize('a ; b')).toThrow(SearchSyntaxError);
  });
});
