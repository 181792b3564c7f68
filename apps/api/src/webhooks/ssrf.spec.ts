import { addressProblem, hostAllowed, parseAllowList, urlProblem } from './ssrf';

describe('addressProblem', () => {
  it.each([
    // loopback
    ['127.0.0.1', /loopback/],
    ['127.255.255.254', /loopback/],
    ['::1', /loopback/],
    // unspecified
    ['0.0.0.0', /unspecified/],
    ['0.1.2.3', /unspecified/],
    ['::', /unspecified/],
    // private
    ['10.0.0.1', /private/],
    ['10.255.255.255', /private/],
    ['172.16.0.1', /private/],
    ['172.31.255.255', /private/],
    ['192.168.1.1', /private/],
    ['fc00::1', /private/],
    ['fd12:3456:789a::1', /private/],
    ['fd00:ec2::254', /private/], // AWS IMDS over IPv6
    // carrier-grade NAT
    ['100.64.0.1', /carrier-grade NAT/],
    ['100.127.255.254', /carrier-grade NAT/],
    ['100.100.100.200', /carrier-grade NAT/], // Alibaba Cloud metadata
    // link-local and metadata
    ['169.254.169.254', /cloud metadata/],
    ['169.254.1.1', /link-local/],
    ['fe80::1', /link-local/],
    ['fe80::1%eth0', /link-local/],
    ['febf::1', /link-local/],
    ['168.63.129.16', /Azure/],
    // multicast, broadcast, reserved
    ['224.0.0.1', /multicast/],
    ['239.255.255.250', /multicast/],
    ['ff02::1', /multicast/],
    ['ff05::1:3', /multicast/],
    ['255.255.255.255', /broadcast/],
    ['240.0.0.1', /reserved/],
    ['250.1.2.3', /reserved/],
    // documentation and benchmarking
    ['192.0.2.10', /documentation/],
    ['198.51.100.7', /documentation/],
    ['203.0.113.99', /documentation/],
    ['198.18.0.1', /benchmarking/],
    ['198.19.255.255', /benchmarking/],
    ['2001:db8::1', /documentation/],
    ['3fff::1', /documentation/],
    ['2001:2::1', /benchmarking/],
    // other special IPv6
    ['100::1', /discard/],
    ['2001::1', /Teredo/],
    ['fec0::1', /site-local/],
    ['4000::1', /not global unicast/],
    ['192.0.0.192', /IETF/], // Oracle Cloud metadata
  ])('refuses %s', (ip, why) => {
    expect(addressProblem(ip, [])).toMatch(why);
  });

  it.each([
    // IPv4-mapped, dotted and hexadecimal
    ['::ffff:127.0.0.1', /IPv4-mapped form of 127\.0\.0\.1: loopback/],
    ['::ffff:7f00:1', /IPv4-mapped form of 127\.0\.0\.1: loopback/],
    ['0:0:0:0:0:ffff:7f00:0001', /loopback/],
    ['::ffff:10.0.0.1', /private/],
    ['::ffff:a00:1', /private/],
    ['::ffff:192.168.1.1', /private/],
    ['::ffff:c0a8:101', /private/],
    ['::ffff:172.16.0.1', /private/],
    ['::ffff:169.254.169.254', /cloud metadata/],
    ['::ffff:a9fe:a9fe', /cloud metadata/],
    ['::ffff:100.64.0.1', /carrier-grade NAT/],
    ['::ffff:0.0.0.0', /unspecified/],
    ['::ffff:224.0.0.1', /multicast/],
    ['::ffff:255.255.255.255', /broadcast/],
    ['::ffff:192.0.2.1', /documentation/],
    // IPv4-compatible (deprecated)
    ['::127.0.0.1', /IPv4-compatible form of 127\.0\.0\.1: loopback/],
    ['::7f00:1', /loopback/],
    ['::10.0.0.1', /private/],
    ['::8.8.8.8', /IPv4-compatible/],
    // IPv4-translated (SIIT)
    ['::ffff:0:127.0.0.1', /IPv4-translated form of 127\.0\.0\.1/],
    // NAT64
    ['64:ff9b::10.0.0.1', /NAT64 form of 10\.0\.0\.1: private/],
    ['64:ff9b::a00:1', /private/],
    ['64:ff9b::127.0.0.1', /loopback/],
    ['64:ff9b::169.254.169.254', /metadata/],
    ['64:ff9b:1::1', /local-use NAT64/],
    // 6to4 embeds an IPv4 address in bits 16-48
    ['2002:7f00:1::1', /6to4 form of 127\.0\.0\.1: loopback/],
    ['2002:a9fe:a9fe::', /metadata/],
    ['2002:808:808::1', /deprecated 6to4/],
  ])('refuses the IPv6 form %s', (ip, why) => {
    expect(addressProblem(ip, [])).toMatch(why);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '93.184.215.14',
    '172.32.0.1',
    '100.128.0.1',
    '192.169.0.1',
    '2606:4700:4700::1111',
    '2a00:1450:4001::1',
    '::ffff:8.8.8.8',
    '::ffff:808:808',
    '64:ff9b::8.8.8.8',
  ])('lets the public address %s through', (ip) => {
    expect(addressProblem(ip, [])).toBeNull();
  });

  it('refuses what is not an address', () => {
    expect(addressProblem('localhost', [])).toMatch(/not an IP address/);
    expect(addressProblem('127.1', [])).toMatch(/not an IP address/);
    expect(addressProblem('', [])).toMatch(/not an IP address/);
  });

  it('lets the allow-list open addresses and CIDRs, and only those', () => {
    const allow = ['127.0.0.1', '::1', '10.1.0.0/16', 'fd00:1::/32'];
    expect(addressProblem('127.0.0.1', allow)).toBeNull();
    expect(addressProblem('::ffff:127.0.0.1', allow)).toBeNull(); // the mapped form of an allowed IPv4 address
    expect(addressProblem('::1', allow)).toBeNull();
    expect(addressProblem('10.1.200.3', allow)).toBeNull();
    expect(addressProblem('fd00:1:ffff::9', allow)).toBeNull();
    expect(addressProblem('127.0.0.2', allow)).toMatch(/loopback/);
    expect(addressProblem('10.2.0.1', allow)).toMatch(/private/);
    expect(addressProblem('fd00:2::1', allow)).toMatch(/private/);
    expect(addressProblem('169.254.169.254', allow)).toMatch(/metadata/);
  });

  it("does not let an allowed host name open its addresses here (names are the lookup hook's business)", () => {
    expect(addressProblem('10.0.0.1', ['hooks.internal'])).toMatch(/private/);
  });
});

describe('parseAllowList', () => {
  it('takes host names, addresses and CIDRs', () => {
    expect(parseAllowList(['Hooks.Internal.', '127.0.0.1', '::1', '[::1]', '10.0.0.0/8', 'fd00::/8'])).toEqual([
      { host: 'hooks.internal' },
      { range: { bytes: [127, 0, 0, 1], prefix: 32 } },
      { range: expect.objectContaining({ prefix: 128 }) },
      { range: expect.objectContaining({ prefix: 128 }) },
      { range: { bytes: [10, 0, 0, 0], prefix: 8 } },
      { range: expect.objectContaining({ prefix: 8 }) },
    ]);
  });

  it.each(['10.0.0.0/33', '::/129', 'http://x', 'a b', '10.0.0.0/x', '1.2.3.4/8/9'])('refuses %s', (entry) => {
    expect(() => parseAllowList([entry])).toThrow(/WEBHOOK_ALLOW/);
  });

  it('matches host names exactly, whatever their case', () => {
    expect(hostAllowed('HOOKS.internal', ['hooks.internal'])).toBe(true);
    expect(hostAllowed('evil.hooks.internal', ['hooks.internal'])).toBe(false);
    expect(hostAllowed('hooks.internal.evil.com', ['hooks.internal'])).toBe(false);
  });
});

describe('urlProblem', () => {
  it.each([
    ['ftp://example.com/x', /only http and https/],
    ['file:///etc/passwd', /only http and https/],
    ['gopher://example.com', /only http and https/],
    ['https://user:pass@example.com/', /credentials/],
    ['https://user@example.com/', /credentials/],
    ['not a url', /not a valid URL/],
    ['http://127.0.0.1:6379/', /loopback/],
    ['http://[::1]/', /loopback/],
    ['http://[::ffff:127.0.0.1]/', /loopback/],
    ['http://[::ffff:7f00:1]/', /loopback/],
    ['http://169.254.169.254/latest/meta-data/', /metadata/],
    ['http://[fe80::1]/', /link-local/],
    // the URL parser turns these spellings into 127.0.0.1 / 10.0.0.1 before we look
    ['http://2130706433/', /loopback/],
    ['http://0x7f.1/', /loopback/],
    ['http://0177.0.0.1/', /loopback/],
    ['http://10.1/', /private/],
  ])('refuses %s', (url, why) => {
    expect(urlProblem(url, [])).toMatch(why);
  });

  it('accepts http(s) URLs with a host name (checked later, when resolved) or a public address', () => {
    expect(urlProblem('https://grader.example/hooks/runbox?x=1', [])).toBeNull();
    expect(urlProblem('http://8.8.8.8:8080/', [])).toBeNull();
    expect(urlProblem('http://[2606:4700:4700::1111]/', [])).toBeNull();
  });

  it('accepts an allowed loopback receiver', () => {
    expect(urlProblem('http://127.0.0.1:8080/hook', ['127.0.0.1'])).toBeNull();
    expect(urlProblem('http://[::1]:8080/hook', ['::1'])).toBeNull();
  });
});
