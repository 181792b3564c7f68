import { ApiKeyConfigError, bearer, findKey, parseApiKeys, presentedKey, sha256 } from './api-keys';

const hex = (k: string) => sha256(k).toString('hex');

describe('API keys', () => {
  const keys = parseApiKeys(`ci:submit:${hex('secret-ci')}, ops:admin:${hex('secret-ops')}`, 'API_KEYS');

  it('finds a key by its secret and knows its id and scope', () => {
    expect(findKey(keys, 'secret-ci')).toMatchObject({ id: 'ci', scope: 'submit' });
    expect(findKey(keys, 'secret-ops')).toMatchObject({ id: 'ops', scope: 'admin' });
    expect(findKey(keys, 'secret-c')).toBeUndefined();
    expect(findKey(keys, '')).toBeUndefined();
  });

  it('holds only hashes', () => {
    expect(JSON.stringify(keys)).not.toContain('secret');
  });

  it('reads a keys file with comments and one entry per line', () => {
    expect(parseApiKeys(`# team keys\na:submit:${hex('a')}\n\nb:admin:${hex('b')} # on call\n`, 'keys.txt').map((k) => k.id)).toEqual([
      'a',
      'b',
    ]);
  });

  it.each([
    ['a bad shape', 'ci:submit:abc'],
    ['an unknown scope', `ci:root:${hex('x')}`],
    ['a duplicate id', `ci:submit:${hex('x')},ci:admin:${hex('y')}`],
  ])('refuses %s', (_n, text) => {
    expect(() => parseApiKeys(text, 'API_KEYS')).toThrow(ApiKeyConfigError);
  });

  it('reads bearer tokens and nothing else', () => {
    expect(bearer('Bearer abc.DEF-123')).toBe('abc.DEF-123');
    expect(bearer('bearer   abc')).toBe('abc');
    expect(bearer('Basic abc')).toBeUndefined();
    expect(bearer('Bearer ')).toBeUndefined();
    expect(bearer(['Bearer a'])).toBeUndefined();
  });

  it("takes the key from Authorization, else Judge0's X-Auth-Token, else Jobe's X-API-KEY", () => {
    expect(presentedKey({ authorization: 'Bearer k1' })).toBe('k1');
    expect(presentedKey({ 'x-auth-token': 'k2' })).toBe('k2');
    expect(presentedKey({ 'x-api-key': ' k3 ' })).toBe('k3');
    expect(presentedKey({ authorization: 'Bearer k1', 'x-auth-token': 'k2' })).toBe('k1');
    // a malformed first header is not skipped in favour of the next
    expect(presentedKey({ authorization: 'Basic x', 'x-auth-token': 'k2' })).toBeUndefined();
    expect(presentedKey({ 'x-auth-token': 'two words' })).toBeUndefined();
    expect(presentedKey({ 'x-api-key': ['a', 'b'] })).toBeUndefined();
    expect(presentedKey({})).toBeUndefined();
  });
});
