import assert from 'node:assert/strict';
import { it } from 'node:test';
import { MemoryCache } from '../../src/adapters/embedded/memory-cache.js';
import { cacheContract } from './cache.contract.js';

cacheContract('MemoryCache', (clock) => new MemoryCache({ clock }));

it('MemoryCache evicts the least recently used entry beyond its cap', async () => {
  const c = new MemoryCache({ maxEntries: 2 });
  await c.set('a', '1', 60);
  await c.set('b', '2', 60);
  await c.get('a'); // a is now the most recently used
  await c.set('c', '3', 60);
  assert.equal(await c.get('b'), null);
  assert.equal(await c.get('a'), '1');
  assert.equal(await c.get('c'), '3');
  assert.equal(c.size, 2);
});
