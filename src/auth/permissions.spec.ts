import { atLeast, parsePermission, strongest, weakest } from './permissions';

describe('permissions', () => {
  it('orders NO_PERMISSIONS < READ < EDIT < MANAGE', () => {
    expect(atLeast('MANAGE', 'EDIT')).toBe(true);
    expect(atLeast('EDIT', 'EDIT')).toBe(true);
    expect(atLeast('READ', 'EDIT')).toBe(false);
    expect(atLeast('NO_PERMISSIONS', 'READ')).toBe(false);
  });

  it('picks the strongest grant and the weakest of a set', () => {
    expect(strongest(['READ', 'MANAGE', 'EDIT'])).toBe('MANAGE');
    expect(strongest([])).toBeUndefined();
    expect(weakest(['MANAGE', 'READ'])).toBe('READ');
    expect(weakest([])).toBe('MANAGE');
  });

  it('parses names case-insensitively and refuses others', () => {
    expect(parsePermission('edit')).toBe('EDIT');
    expect(() => parsePermission('OWNER')).toThrow(/Invalid permission 'OWNER'/);
  });
});
