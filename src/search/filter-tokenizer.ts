import { SearchSyntaxError } from './search-error';

/**
 * Lexer for MLflow's filter and order_by strings.
 *
 * MLflow parses these with a general SQL lexer; we only need its small subset, so this is a
 * hand-written scanner with precise positions for error messages. It is context-free except for
 * one rule: a `.` glued to the previous identifier part is a separator (`metrics.loss`), while a
 * `.` elsewhere may start a number (`> .5`).
 */

export type TokenKind =
  | 'word' // unquoted name or keyword: metrics, loss, AND, LIKE, ...
  | 'number' // -1, 0.26, 1e-1, .5
  | 'single-quoted' // 'text'
  | 'double-quoted' // "text": a key after a dot, a string value after a comparator
  | 'backquoted' // `text`: always a name
  | 'operator' // any run of < > = ! (validated by the parser, so `<<<` is reported as such)
  | 'dot'
  | 'comma'
  | 'open-paren'
  | 'close-paren'
  | 'end';

export interface Token {
  kind: TokenKind;
  /** Unquoted content for quoted tokens; the raw text otherwise. */
  text: string;
  /** Offsets into the input: input.slice(start, end) is the token as written. */
  start: number;
  end: number;
}

// Unicode letters and digits count as word characters: MLflow accepts keys such as `lr-é中` when
// they are quoted, and unquoted non-ASCII names are harmless to accept too.
const WORD = /[\p{L}\p{N}\p{M}_]+/uy;
const NUMBER = /[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?/y;
const WORD_CHAR = /[\p{L}\p{N}\p{M}_]/u;
const OPERATOR = /[<>=!]+/y;
const WHITESPACE = /\s+/y;

const QUOTE_KINDS: Readonly<Record<string, TokenKind>> = {
  "'": 'single-quoted',
  '"': 'double-quoted',
  '`': 'backquoted',
};

const PUNCTUATION: Readonly<Record<string, TokenKind>> = {
  ',': 'comma',
  '(': 'open-paren',
  ')': 'close-paren',
};

export function tokenize(input: string): Token[] {
  // Postgres text cannot hold NUL, so no key or value with one could ever match.
  if (input.includes('\u0000')) {
    throw new SearchSyntaxError('Invalid filter: it contains a NUL character.');
  }
  const tokens: Token[] = [];
  let pos = 0;

  const matchAt = (re: RegExp): string | undefined => {
    re.lastIndex = pos;
    const m = re.exec(input);
    return m ? m[0] : undefined;
  };

  while (pos < input.length) {
    const space = matchAt(WHITESPACE);
    if (space) {
      pos += space.length;
      continue;
    }
    const ch = input[pos];
    const previous = tokens[tokens.length - 1];

    if (ch in QUOTE_KINDS) {
      const token = readQuoted(input, pos, QUOTE_KINDS[ch]);
      tokens.push(token);
      pos = token.end;
      continue;
    }
    if (ch in PUNCTUATION) {
      tokens.push({ kind: PUNCTUATION[ch], text: ch, start: pos, end: pos + 1 });
      pos += 1;
      continue;
    }
    if (ch === '.' && previous !== undefined && previous.end === pos && isNamePart(previous)) {
      tokens.push({ kind: 'dot', text: '.', start: pos, end: pos + 1 });
      pos += 1;
      continue;
    }
    const number = matchAt(NUMBER);
    // `2019x` is a name, not the number 2019 followed by x.
    if (number && !WORD_CHAR.test(input[pos + number.length] ?? '')) {
      tokens.push({ kind: 'number', text: number, start: pos, end: pos + number.length });
      pos += number.length;
      continue;
    }
    const word = matchAt(WORD);
    if (word) {
      tokens.push({ kind: 'word', text: word, start: pos, end: pos + word.length });
      pos += word.length;
      continue;
    }
    const operator = matchAt(OPERATOR);
    if (operator) {
      tokens.push({ kind: 'operator', text: operator, start: pos, end: pos + operator.length });
      pos += operator.length;
      continue;
    }
    if (ch === '.') {
      tokens.push({ kind: 'dot', text: '.', start: pos, end: pos + 1 });
      pos += 1;
      continue;
    }
    throw new SearchSyntaxError(
      `Invalid character '${ch}' at position ${pos} in '${input}'. ` +
        'Quote keys that contain special characters with backticks or double quotes.',
    );
  }
  tokens.push({ kind: 'end', text: '', start: input.length, end: input.length });
  return tokens;
}

function isNamePart(token: Token): boolean {
  return token.kind === 'word' || token.kind === 'backquoted' || token.kind === 'double-quoted';
}

/**
 * Reads a quoted token starting at `start`. Inside single and double quotes the quote character
 * itself can be written doubled (SQL style, `'it''s'`) or backslash-escaped (`'it\'s'`). Any other
 * backslash is kept as written, so LIKE patterns such as `'100\%'` reach Postgres unchanged (where
 * `\` is LIKE's escape character). Backquoted names have no escapes.
 */
function readQuoted(input: string, start: number, kind: TokenKind): Token {
  const quote = input[start];
  let text = '';
  let pos = start + 1;
  while (pos < input.length) {
    const ch = input[pos];
    if (kind !== 'backquoted' && ch === '\\' && input[pos + 1] === quote) {
      text += quote;
      pos += 2;
      continue;
    }
    if (ch === quote) {
      if (kind !== 'backquoted' && input[pos + 1] === quote) {
        text += quote;
        pos += 2;
        continue;
      }
      return { kind, text, start, end: pos + 1 };
    }
    text += ch;
    pos += 1;
  }
  throw new SearchSyntaxError(
    `Invalid filter '${input}': the quoted text starting at position ${start} is not closed.`,
  );
}
