import {
  Clause,
  Comparator,
  ENTITY_PREFIXES,
  FilterValue,
  Identifier,
  ListValue,
  NumberValue,
  OrderByTerm,
  StringValue,
} from './filter-ast';
import { Token, tokenize } from './filter-tokenizer';
import { SearchSyntaxError } from './search-error';

/**
 * Parser for MLflow's filter grammar:
 *
 *   filter     = [ clause { AND clause } [ AND ] ]     -- AND in any case; a trailing AND is
 *                                                          accepted, as MLflow does (case E99)
 *   clause     = identifier comparator [ value ]
 *   identifier = [ prefix "." ] key                    -- no prefix means an attribute
 *   key        = part { "." part }                     -- unquoted dotted keys: tags.mlflow.runName
 *   part       = word | `back quoted` | "double quoted"
 *   comparator = = | != | < | <= | > | >= | LIKE | ILIKE | IN | NOT IN | IS NULL | IS NOT NULL
 *   value      = 'string' | "string" | number | ( item { , item } )
 *
 * There is no OR and no grouping: MLflow rejects both. The parser checks syntax only; the
 * per-search rule files decide which entities, comparators and value types are allowed.
 */
/**
 * More AND terms than a person writes: each becomes a probe in one query, and the planner's time
 * grows steeply with their number (200 took 26 s to plan and run), so a longer filter is refused.
 */
export const MAX_FILTER_TERMS = 50;

export function parseFilter(filter: string | null | undefined): Clause[] {
  if (!filter || filter.trim() === '') return [];
  const clauses = new Parser(filter).parseFilter();
  if (clauses.length > MAX_FILTER_TERMS) {
    throw new SearchSyntaxError(
      `Invalid filter: ${clauses.length} conditions, at most ${MAX_FILTER_TERMS} are allowed.`,
    );
  }
  return clauses;
}

/**
 * Parses one order_by entry, `<identifier> [ASC|DESC]`. As in MLflow, an empty key after a
 * prefix (`metrics.`) is accepted (case E111).
 */
export function parseOrderByTerm(term: string): OrderByTerm {
  return new Parser(term).parseOrderByTerm();
}

class Parser {
  private readonly tokens: Token[];
  private index = 0;

  constructor(private readonly input: string) {
    this.tokens = tokenize(input);
  }

  parseFilter(): Clause[] {
    const clauses: Clause[] = [this.parseClause()];
    for (;;) {
      const token = this.peek();
      if (token.kind === 'end') return clauses;
      if (isKeyword(token, 'AND')) {
        this.next();
        if (this.peek().kind === 'end') return clauses; // trailing AND (E99)
        clauses.push(this.parseClause());
        continue;
      }
      if (isKeyword(token, 'OR')) {
        throw new SearchSyntaxError(
          `Invalid clause(s) in filter string: 'OR'. Only AND is supported to join clauses.`,
        );
      }
      throw new SearchSyntaxError(
        `Invalid clause(s) in filter string: unexpected '${this.sourceOf(token)}' at position ` +
          `${token.start} of '${this.input}'. Clauses must be joined with AND.`,
      );
    }
  }

  parseOrderByTerm(): OrderByTerm {
    const unparsable = () =>
      new SearchSyntaxError(`Invalid order_by clause '${this.input}'. Could not be parsed.`);
    if (this.peek().kind === 'end') throw unparsable();
    const identifier = this.parseIdentifier(true, unparsable);
    let ascending = true;
    const direction = this.peek();
    if (direction.kind === 'word') {
      const upper = direction.text.toUpperCase();
      if (upper !== 'ASC' && upper !== 'DESC') {
        throw new SearchSyntaxError(`Invalid ordering key in order_by clause '${this.input}'.`);
      }
      ascending = upper === 'ASC';
      this.next();
    }
    if (this.peek().kind !== 'end') throw unparsable();
    return { identifier, ascending, source: this.input.trim() };
  }

  private parseClause(): Clause {
    const first = this.peek();
    const identifier = this.parseIdentifier(false, () =>
      this.invalidClause(first, 'a clause must start with an identifier such as metrics.loss'),
    );
    const comparator = this.parseComparator(identifier);
    const value = this.parseValue(identifier, comparator);
    const source = this.input.slice(first.start, this.tokens[this.index - 1].end);
    return { identifier, comparator, value, source };
  }

  /**
   * Reads `[prefix.]key`. Parts must touch their dots (`metrics.loss`, not `metrics. loss`): a
   * key with spaces has to be quoted, and this keeps `metrics. DESC` meaning "empty key, DESC".
   */
  private parseIdentifier(allowEmptyKey: boolean, onMissing: () => SearchSyntaxError): Identifier {
    const first = this.peek();
    if (!isNamePart(first)) throw onMissing();
    this.next();
    const parts: Token[] = [first];
    let end = first.end;
    while (this.peek().kind === 'dot' && this.peek().start === end) {
      const dot = this.next();
      end = dot.end;
      const part = this.peek();
      if (isNamePart(part) && part.start === dot.end) {
        this.next();
        parts.push(part);
        end = part.end;
      } else if (allowEmptyKey && parts.length === 1) {
        parts.push({ ...dot, kind: 'word', text: '' });
        break;
      } else {
        throw new SearchSyntaxError(
          `Invalid identifier '${this.input.slice(first.start, end)}' in '${this.input}': ` +
            `expected a key right after '.'; quote keys containing spaces or special characters.`,
        );
      }
    }
    const source = this.input.slice(first.start, end);
    if (parts.length === 1) {
      return { entity: 'attribute', key: first.text, hasPrefix: false, source };
    }
    const prefix = parts[0];
    // Only a word or a back-quoted name can be a prefix; `"tags".x` is not one.
    const entity =
      prefix.kind !== 'double-quoted' && Object.hasOwn(ENTITY_PREFIXES, prefix.text)
        ? ENTITY_PREFIXES[prefix.text]
        : undefined;
    if (entity === undefined) {
      throw new SearchSyntaxError(
        `Invalid entity type '${prefix.text}' in '${source}'. Valid values are ` +
          `${quoteList(Object.keys(ENTITY_PREFIXES))}.`,
      );
    }
    const key = parts
      .slice(1)
      .map((part) => part.text)
      .join('.');
    return { entity, key, hasPrefix: true, source };
  }

  private parseComparator(identifier: Identifier): Comparator {
    const token = this.peek();
    if (token.kind === 'operator') {
      this.next();
      const symbol = token.text;
      if (
        symbol === '=' ||
        symbol === '!=' ||
        symbol === '<' ||
        symbol === '<=' ||
        symbol === '>' ||
        symbol === '>='
      ) {
        return symbol;
      }
      throw new SearchSyntaxError(
        `Invalid comparator '${symbol}' after '${identifier.source}'. Expected one of ` +
          `'=', '!=', '<', '<=', '>', '>=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'.`,
      );
    }
    if (token.kind === 'word') {
      const word = token.text.toUpperCase();
      if (word === 'LIKE' || word === 'ILIKE' || word === 'IN') {
        this.next();
        return word;
      }
      if (word === 'NOT') {
        this.next();
        if (isKeyword(this.peek(), 'IN')) {
          this.next();
          return 'NOT IN';
        }
        throw new SearchSyntaxError(
          `Invalid comparator 'NOT ${this.sourceOf(this.peek())}' after '${identifier.source}'. ` +
            `The only negated comparator is 'NOT IN'.`,
        );
      }
      if (word === 'IS') {
        this.next();
        const negated = isKeyword(this.peek(), 'NOT');
        if (negated) this.next();
        if (isKeyword(this.peek(), 'NULL')) {
          this.next();
          return negated ? 'IS NOT NULL' : 'IS NULL';
        }
        throw new SearchSyntaxError(
          `Invalid clause(s) in filter string: expected NULL after '${identifier.source} IS` +
            `${negated ? ' NOT' : ''}'.`,
        );
      }
    }
    throw this.invalidClause(
      token,
      `expected a comparator after '${identifier.source}' (=, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN)`,
      identifier.source,
    );
  }

  private parseValue(identifier: Identifier, comparator: Comparator): FilterValue {
    if (comparator === 'IS NULL' || comparator === 'IS NOT NULL') {
      return { kind: 'none', source: '' };
    }
    const token = this.peek();
    if (token.kind === 'open-paren') return this.parseList();
    const scalar = this.parseScalar();
    if (scalar) return scalar;
    throw this.invalidClause(
      token,
      `expected a quoted string, a number or a parenthesised list after ` +
        `'${identifier.source} ${comparator}'`,
      `${identifier.source} ${comparator}`,
    );
  }

  private parseScalar(): StringValue | NumberValue | undefined {
    const token = this.peek();
    const source = this.sourceOf(token);
    if (token.kind === 'single-quoted' || token.kind === 'double-quoted') {
      this.next();
      return { kind: 'string', value: token.text, source };
    }
    if (token.kind === 'number') {
      this.next();
      const value = Number(token.text);
      if (!Number.isFinite(value)) {
        throw new SearchSyntaxError(`Number ${token.text} in '${this.input}' is out of range.`);
      }
      return { kind: 'number', literal: token.text, value, source };
    }
    return undefined;
  }

  private parseList(): ListValue {
    const open = this.next();
    const items: Array<StringValue | NumberValue> = [];
    for (;;) {
      const item = this.parseScalar();
      if (!item) {
        const what = items.length === 0 ? 'a non-empty list of values' : 'a value after the comma';
        throw new SearchSyntaxError(
          `Invalid list in filter string '${this.input}' at position ${this.peek().start}: ` +
            `expected ${what}, as in ('a', 'b').`,
        );
      }
      items.push(item);
      const separator = this.next();
      if (separator.kind === 'close-paren') {
        return { kind: 'list', items, source: this.input.slice(open.start, separator.end) };
      }
      if (separator.kind !== 'comma') {
        throw new SearchSyntaxError(
          `Invalid list in filter string '${this.input}' at position ${separator.start}: ` +
            `expected ',' or ')'.`,
        );
      }
    }
  }

  private invalidClause(token: Token, why: string, written?: string): SearchSyntaxError {
    const shown = written ?? (token.kind === 'end' ? '' : this.sourceOf(token));
    return new SearchSyntaxError(`Invalid clause(s) in filter string: '${shown}': ${why}.`);
  }

  private sourceOf(token: Token): string {
    return this.input.slice(token.start, token.end);
  }

  private peek(): Token {
    return this.tokens[this.index];
  }

  private next(): Token {
    const token = this.tokens[this.index];
    if (token.kind !== 'end') this.index += 1;
    return token;
  }
}

function isNamePart(token: Token): boolean {
  return (
    token.kind === 'word' ||
    token.kind === 'backquoted' ||
    token.kind === 'double-quoted' ||
    // `metrics.2019` — digits after a dot are a key, not a number.
    (token.kind === 'number' && /^\d+$/.test(token.text))
  );
}

function isKeyword(token: Token, keyword: string): boolean {
  return token.kind === 'word' && token.text.toUpperCase() === keyword;
}

export function quoteList(values: readonly string[]): string {
  return values.map((v) => `'${v}'`).join(', ');
}
