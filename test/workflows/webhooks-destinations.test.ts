import t from 'tap';
import { refusedRange, resolveDestination } from '../../src/net/destinations.js';

// Which addresses a webhook may connect to (src/net/destinations.ts): every
// refused class, in each way an address can be written, and public ones.

t.test('refused: each class, IPv4 and IPv6, and IPv4 carried in IPv6', async (t) => {
  const refused: [string, string][] = [
    ['10.0.0.1', 'private'], ['172.31.255.255', 'private'], ['192.168.0.1', 'private'], ['fd00::1', 'private'], ['fc00::', 'private'],
    ['127.0.0.1', 'loopback'], ['127.255.0.9', 'loopback'], ['::1', 'loopback'], ['0:0:0:0:0:0:0:1', 'loopback'],
    ['169.254.169.254', 'link-local'], ['169.254.0.1', 'link-local'], ['fe80::1', 'link-local'], ['febf::1', 'link-local'],
    ['0.0.0.0', 'unspecified'], ['::', 'unspecified'],
    ['100.64.0.1', 'carrier-grade NAT'], ['100.127.255.254', 'carrier-grade NAT'],
    ['224.0.0.1', 'multicast'], ['239.255.255.250', 'multicast'], ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'], ['::ffff:7f00:1', 'loopback'], ['::ffff:a9fe:a9fe', 'link-local'], ['::ffff:10.0.0.1', 'private'], ['::ffff:0:192.168.1.1', 'private'],
    ['::127.0.0.1', 'loopback'],
    ['64:ff9b::a9fe:a9fe', 'translated'], ['2002:7f00:1::', 'translated'],
  ];
  for (const [address, range] of refused) t.equal(refusedRange(address), range, `${address}: ${range}`);
});

t.test('public addresses pass', async (t) => {
  for (const address of ['93.184.216.34', '8.8.8.8', '203.0.113.10', '100.128.0.1', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8']) t.equal(refusedRange(address), undefined, address);
});

t.test('a name is resolved and refused when it points inside; a literal needs no resolution', async (t) => {
  await t.rejects(resolveDestination('localhost', false), /loopback/, 'localhost');
  t.match(await resolveDestination('localhost', true), { address: /^(127\.0\.0\.1|::1)$/ }, 'allowed where private networks are');
  t.same(await resolveDestination('203.0.113.10', false), { address: '203.0.113.10', family: 4 });
  await t.rejects(resolveDestination('no-such-host.invalid', false), /does not resolve/);
});
