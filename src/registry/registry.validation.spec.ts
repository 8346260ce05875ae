import { MlflowError } from 'src/common/mlflow-error';
import { canonicalStage, parseVersion, validateAlias } from './registry.validation';

function errorOf(fn: () => unknown): { code: string; message: string } | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    if (!(err instanceof MlflowError)) throw err;
    return { code: err.errorCode, message: err.message };
  }
}

describe('registry validation', () => {
  it('reads stages in any case and refuses others', () => {
    expect(canonicalStage('production')).toBe('Production');
    expect(canonicalStage('NONE')).toBe('None');
    expect(errorOf(() => canonicalStage('Foo'))).toEqual({
      code: 'INVALID_PARAMETER_VALUE',
      message:
        'Invalid Model Version stage: Foo. Value must be one of None, Staging, Production, Archived.',
    });
    expect(errorOf(() => canonicalStage('Deleted_Internal'))?.code).toBe('INVALID_PARAMETER_VALUE');
  });

  it('reads version numbers as Python int() does', () => {
    expect(parseVersion('m', '3')).toBe(3);
    expect(parseVersion('m', ' 7 ')).toBe(7);
    expect(errorOf(() => parseVersion('m', 'abc'))?.code).toBe('INVALID_PARAMETER_VALUE');
    expect(errorOf(() => parseVersion('m', '1.5'))?.code).toBe('INVALID_PARAMETER_VALUE');
    expect(errorOf(() => parseVersion('m', '99999999999'))?.code).toBe('RESOURCE_DOES_NOT_EXIST');
  });

  it.each([
    ['latest', "'latest' alias name (case insensitive) is reserved."],
    ['Latest', "'latest' alias name (case insensitive) is reserved."],
    ['v12', "Version alias name 'v12' is reserved."],
    ['V2', "Version alias name 'V2' is reserved."],
  ])('reserves %s', (alias, message) => {
    expect(errorOf(() => validateAlias(alias))).toEqual({
      code: 'INVALID_PARAMETER_VALUE',
      message,
    });
  });

  it('accepts word characters and dashes up to 255 characters', () => {
    for (const alias of ['champion', 'v1a', 'ok_alias-1', 'é中', 'a'.repeat(255)]) {
      expect(errorOf(() => validateAlias(alias))).toBeUndefined();
    }
    for (const alias of ['bad alias!', 'a.b', 'a'.repeat(256), '']) {
      expect(errorOf(() => validateAlias(alias))?.code).toBe('INVALID_PARAMETER_VALUE');
    }
  });
});
