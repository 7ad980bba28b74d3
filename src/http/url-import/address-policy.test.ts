import { it } from 'node:test';
import assert from 'node:assert/strict';
import { isPublicAddress } from './address-policy.js';

it('refuses private, loopback, link-local, CGNAT, multicast and metadata addresses', () => {
  for (const a of [
    '127.0.0.1', '127.8.9.10', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254',
    '100.64.0.1', '100.127.255.254', '224.0.0.1', '239.255.255.250', '0.0.0.0', '255.255.255.255', '198.18.0.1',
    '::1', '::', 'fd00:ec2::254', 'fc00::1', 'fe80::1', 'ff02::1', '::ffff:127.0.0.1', '::ffff:7f00:1',
    '::ffff:169.254.169.254', '64:ff9b::a9fe:a9fe', '::ffff:10.0.0.1', 'not-an-ip',
  ]) {
    assert.equal(isPublicAddress(a), false, a);
  }
});

it('accepts public addresses', () => {
  for (const a of ['93.184.216.34', '8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8']) {
    assert.equal(isPublicAddress(a), true, a);
  }
});
