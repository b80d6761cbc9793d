import assert from 'node:assert/strict';
import { assertSafeTarget, isPublicAddress, UnsafeTargetError } from './target-guard.ts';

describe('notification: webhook target guard (SSRF)', () => {
  const nonPublic = [
    '127.0.0.1',
    '127.255.255.254',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254', // cloud metadata
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::',
    '::1',
    'fe80::1',
    'fc00::1',
    'fd12:3456::1',
    'ff02::1',
    '::ffff:127.0.0.1', // IPv4-mapped loopback
    '::ffff:7f00:1', // the same, in hex
    '::ffff:169.254.169.254',
    '::ffff:10.0.0.1',
    '64:ff9b::a9fe:a9fe', // NAT64 of 169.254.169.254
    '2002:7f00:1::', // 6to4 of 127.0.0.1
  ];
  for (const address of nonPublic) {
    it(`when the address is ${address}, then it is not public`, () => {
      assert.equal(isPublicAddress(address), false);
    });
  }

  for (const address of ['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808']) {
    it(`when the address is ${address}, then it is public`, () => {
      assert.equal(isPublicAddress(address), true);
    });
  }

  const strict = { allowPrivate: false };
  const refused: [string, RegExp][] = [
    ['http://127.0.0.1:8080/hook', /non-public address \(127\.0\.0\.1\)/],
    ['http://localhost/hook', /localhost resolves to a non-public address/],
    ['http://[::1]/hook', /non-public/],
    ['http://[::ffff:127.0.0.1]/hook', /non-public/],
    ['http://[fe80::1]/hook', /non-public/],
    ['https://169.254.169.254/latest/meta-data/', /non-public/],
    ['http://10.0.0.5/hook', /non-public/],
    ['http://2130706433/hook', /non-public address \(127\.0\.0\.1\)/], // 127.0.0.1 as one number
    ['http://0x7f.1/hook', /non-public/],
    ['ftp://example.com/hook', /http or https/],
    ['file:///etc/passwd', /http or https/],
    ['javascript:alert(1)', /http or https/],
    ['gopher://127.0.0.1:6379/_INFO', /http or https/],
    ['http://user:pass@93.184.216.34/hook', /credentials/],
    ['not a url', /absolute http or https URL/],
    ['http://93.184.216.34:0/hook', /port 0/],
    ['http://no-such-host.invalid/hook', /does not resolve/],
  ];
  for (const [url, message] of refused) {
    it(`when a webhook URL is ${url}, then it is refused`, async () => {
      await assert.rejects(assertSafeTarget(url, strict), (error: Error) => {
        assert.ok(error instanceof UnsafeTargetError);
        assert.match(error.message, message);
        return true;
      });
    });
  }

  it('when the URL is a public address over https, then it is accepted as is', async () => {
    const url = await assertSafeTarget('https://93.184.216.34/hooks?x=1', strict);

    assert.equal(url.href, 'https://93.184.216.34/hooks?x=1');
  });

  it('when a public address is given over plain http, then it is refused unless http is allowed', async () => {
    await assert.rejects(assertSafeTarget('http://93.184.216.34/hooks', strict), /url must use https/);

    const url = await assertSafeTarget('http://93.184.216.34/hooks', { ...strict, allowHttp: true });

    assert.equal(url.protocol, 'http:');
  });

  it('when private targets are allowed, then loopback is accepted but other schemes are still refused', async () => {
    const local = { allowPrivate: true };

    assert.equal((await assertSafeTarget('http://127.0.0.1:9/hook', local)).hostname, '127.0.0.1');
    await assert.rejects(assertSafeTarget('file:///etc/passwd', local), UnsafeTargetError);
  });
});
