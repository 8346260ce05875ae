import type { RequestFields } from 'src/common/request-fields';
import { missingParameter } from 'src/common/request-fields';
import type { KeyValue } from './entities';

/** A repeated {key, value} message field; `key` is required in each, `value` defaults to "". */
export function keyValues(f: RequestFields, name: string): KeyValue[] {
  return f.objectList(name).map((item) => {
    const key = item.string('key');
    if (!key) throw missingParameter('key');
    return { key, value: item.string('value') ?? '' };
  });
}
