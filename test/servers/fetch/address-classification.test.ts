import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type AddressKind, classifyAddress } from '../../../src/servers/fetch/address-classification.js';
import { AddressPolicy, canonicalHost } from '../../../src/servers/fetch/address-policy.js';

function assertKinds(cases: [string, AddressKind][]): void {
  for (const [address, kind] of cases) {
    assert.equal(
      classifyAddress(address).kind,
      kind,
      `${address} should be ${kind}: ${classifyAddress(address).description}`,
    );
  }
}

describe('classifyAddress: IPv4', () => {
  it('finds loopback, private, shared, link-local and unspecified ranges at their edges', () => {
    assertKinds([
      ['127.0.0.1', 'loopback'],
      ['127.255.255.254', 'loopback'],
      ['10.0.0.0', 'private'],
      ['10.255.255.255', 'private'],
      ['172.16.0.1', 'private'],
      ['172.31.255.255', 'private'],
      ['172.15.255.255', 'public'],
      ['172.32.0.0', 'public'],
      ['192.168.1.1', 'private'],
      ['192.169.0.1', 'public'],
      ['100.64.0.1', 'shared'],
      ['100.127.255.255', 'shared'],
      ['100.63.255.255', 'public'],
      ['100.128.0.0', 'public'],
      ['169.254.169.254', 'link-local'],
      ['169.254.0.1', 'link-local'],
      ['0.0.0.0', 'unspecified'],
      ['0.1.2.3', 'unspecified'],
    ]);
  });

  it('finds multicast, broadcast, documentation, benchmarking and reserved ranges', () => {
    assertKinds([
      ['224.0.0.1', 'multicast'],
      ['239.255.255.250', 'multicast'],
      ['255.255.255.255', 'broadcast'],
      ['240.0.0.1', 'reserved'],
      ['255.255.255.254', 'reserved'],
      ['192.0.0.8', 'reserved'],
      ['192.0.2.10', 'documentation'],
      ['198.51.100.7', 'documentation'],
      ['203.0.113.99', 'documentation'],
      ['198.18.0.1', 'benchmarking'],
      ['198.19.255.255', 'benchmarking'],
      ['192.88.99.1', 'reserved'],
    ]);
  });

  it('treats ordinary internet addresses as public', () => {
    assertKinds([
      ['8.8.8.8', 'public'],
      ['1.1.1.1', 'public'],
      ['93.184.216.34', 'public'],
      ['126.255.255.255', 'public'],
      ['128.0.0.1', 'public'],
      ['223.255.255.255', 'public'],
    ]);
  });
});

describe('classifyAddress: IPv6', () => {
  it('finds loopback, unspecified, unique local, link-local, site-local and multicast', () => {
    assertKinds([
      ['::1', 'loopback'],
      ['0:0:0:0:0:0:0:1', 'loopback'],
      ['[::1]', 'loopback'],
      ['::', 'unspecified'],
      ['fc00::1', 'private'],
      ['fd12:3456:789a::1', 'private'],
      ['fe80::1', 'link-local'],
      ['fe80::1%eth0', 'link-local'],
      ['febf::1', 'link-local'],
      ['fec0::1', 'private'],
      ['ff02::1', 'multicast'],
      ['2001:db8::1', 'documentation'],
      ['2001::1', 'reserved'],
      ['100::1', 'reserved'],
      ['64:ff9b:1::1', 'private'],
      ['4000::1', 'reserved'],
    ]);
  });

  it('classifies forms that embed an IPv4 address by that address', () => {
    assertKinds([
      ['::ffff:127.0.0.1', 'loopback'],
      ['::ffff:7f00:1', 'loopback'],
      ['::FFFF:169.254.169.254', 'link-local'],
      ['::ffff:a9fe:a9fe', 'link-local'],
      ['::ffff:10.1.2.3', 'private'],
      ['::ffff:0.0.0.0', 'unspecified'],
      ['::ffff:8.8.8.8', 'public'],
      ['::ffff:0:192.168.0.1', 'private'],
      ['64:ff9b::127.0.0.1', 'loopback'],
      ['64:ff9b::a00:1', 'private'],
      ['64:ff9b::808:808', 'public'],
      ['::127.0.0.1', 'loopback'],
      ['::8.8.8.8', 'reserved'],
      ['2002:7f00:1::', 'loopback'],
      ['2002:c0a8:101::1', 'private'],
      ['2002:808:808::1', 'public'],
    ]);
  });

  it('treats global unicast as public', () => {
    assertKinds([
      ['2606:4700:4700::1111', 'public'],
      ['2a00:1450:4001:81a::200e', 'public'],
      ['2001:4860:4860::8888', 'public'],
    ]);
  });

  it('says what an address is in words', () => {
    assert.equal(classifyAddress('127.0.0.1').description, 'a loopback (127.0.0.0/8) address');
    assert.equal(
      classifyAddress('::ffff:169.254.169.254').description,
      'a link-local and cloud metadata (169.254.0.0/16) address (169.254.169.254) written as IPv4-mapped IPv6 (::ffff:0:0/96)',
    );
  });

  it('calls names and malformed text invalid', () => {
    assertKinds([
      ['localhost', 'invalid'],
      ['example.com', 'invalid'],
      ['256.1.1.1', 'invalid'],
      ['1.2.3', 'invalid'],
      ['fe80:::1', 'invalid'],
      ['', 'invalid'],
    ]);
  });
});

describe('AddressPolicy', () => {
  it('refuses non-public addresses by default and allows public ones', () => {
    const policy = new AddressPolicy({ allowPrivateNetwork: false, allowedHosts: [] });
    assert.equal(policy.check('example.com', '93.184.216.34'), undefined);
    assert.equal(policy.check('example.com', '10.0.0.5')?.kind, 'private');
    assert.equal(policy.check('localhost', '::1')?.kind, 'loopback');
  });

  it('allows every address of a listed host, compared in canonical form, and nothing more', () => {
    const policy = new AddressPolicy({
      allowPrivateNetwork: false,
      allowedHosts: ['LocalHost', '::1', 'intranet.example.'],
    });
    assert.equal(policy.check('localhost', '127.0.0.1'), undefined);
    assert.equal(policy.check('[::1]', '::1'), undefined);
    assert.equal(policy.check('intranet.example', '10.1.1.1'), undefined);
    assert.equal(policy.check('127.0.0.1', '127.0.0.1')?.kind, 'loopback');
    assert.equal(policy.check('other.example', '10.1.1.1')?.kind, 'private');
  });

  it('allows everything with allowPrivateNetwork', () => {
    const policy = new AddressPolicy({ allowPrivateNetwork: true, allowedHosts: [] });
    assert.equal(policy.check('metadata', '169.254.169.254'), undefined);
  });

  it('writes hosts the way a URL does', () => {
    assert.equal(canonicalHost('0x7f000001'), '127.0.0.1');
    assert.equal(canonicalHost('127.1'), '127.0.0.1');
    assert.equal(canonicalHost('[0:0:0:0:0:0:0:1]'), '::1');
    assert.equal(canonicalHost('Example.COM.'), 'example.com');
  });
});
