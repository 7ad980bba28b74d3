import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ipListError, normaliseIp, parseIpList } from './ip-list.js';

test('normalises v4-mapped v6, v6 case and zero runs, ports and brackets from proxies', () => {
  assert.equal(normaliseIp('::ffff:1.2.3.4'), '1.2.3.4');
  assert.equal(normaliseIp('::FFFF:7f00:1'), '127.0.0.1');
  assert.equal(normaliseIp('2001:DB8:0:0:0:0:0:1'), '2001:db8::1');
  assert.equal(normaliseIp('[2001:db8::1]:443'), '2001:db8::1');
  assert.equal(normaliseIp('10.1.2.3:5678'), '10.1.2.3');
  assert.equal(normaliseIp('fe80::1%eth0'), 'fe80::1');
  assert.equal(normaliseIp('unknown'), null);
  assert.equal(normaliseIp('0x7f.1'), null, 'legacy v4 forms are not addresses here');
  assert.equal(normaliseIp('127.1'), null);
});

test('v4 addresses and CIDR ranges', () => {
  const list = parseIpList(' 192.168.1.10 , 10.0.0.0/8,172.16.0.0/12 ');
  assert.deepEqual(list.entries, ['192.168.1.10', '10.0.0.0/8', '172.16.0.0/12']);
  assert.equal(list.contains('192.168.1.10'), true);
  assert.equal(list.contains('192.168.1.11'), false);
  assert.equal(list.contains('10.255.0.1'), true);
  assert.equal(list.contains('172.31.255.255'), true);
  assert.equal(list.contains('172.32.0.0'), false);
  assert.equal(list.contains('::ffff:10.1.1.1'), true, 'a v4 client seen on a dual-stack socket');
  assert.equal(list.contains('garbage'), false);
});

test('v6 addresses and CIDR ranges; v4 and v6 never match each other by accident', () => {
  const list = parseIpList('2001:db8:abcd::/48, ::1, fd00::/8');
  assert.equal(list.contains('2001:db8:abcd:12::1'), true);
  assert.equal(list.contains('2001:db8:abce::1'), false);
  assert.equal(list.contains('::1'), true);
  assert.equal(list.contains('0:0:0:0:0:0:0:1'), true);
  assert.equal(list.contains('fdff:ffff::9'), true);
  assert.equal(list.contains('fe00::1'), false);
  assert.equal(list.contains('127.0.0.1'), false);
  assert.equal(parseIpList('0.0.0.0/0').contains('2001:db8::1'), false);
  assert.equal(parseIpList('::/0').contains('2001:db8::1'), true);
  assert.equal(parseIpList('::ffff:10.0.0.0/104').contains('10.9.9.9'), true, 'a v4-mapped range is its v4 range');
});

test('an invalid entry is named', () => {
  assert.match(ipListError('10.0.0.0/8, 10.0.0.300')!, /10\.0\.0\.300/);
  assert.match(ipListError('10.0.0.0/33')!, /10\.0\.0\.0\/33/);
  assert.match(ipListError('2001:db8::/129')!, /129/);
  assert.match(ipListError('example.com')!, /example\.com/);
  assert.equal(ipListError(''), null);
  assert.equal(ipListError(' , '), null);
});
