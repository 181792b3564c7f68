import { BadValue, trustProxy } from './env';

describe('TRUST_PROXY', () => {
  it.each([
    ['false', false],
    ['', false],
    ['true', true],
    ['2', 2],
    ['loopback', ['loopback']],
    ['10.0.0.0/8, 127.0.0.1, ::1, fd00::/8', ['10.0.0.0/8', '127.0.0.1', '::1', 'fd00::/8']],
  ])('%j is %j', (raw, value) => expect(trustProxy(raw)).toEqual(value));
  it.each(['proxy.example', '10.0.0.0/33', '1.2.3.4/8/9', '999'])('refuses %j', (raw) => expect(() => trustProxy(raw)).toThrow(BadValue));
});
