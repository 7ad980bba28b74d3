import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigStore, configDir } from './config-store.js';
import { normaliseServer } from './cli-context.js';

test('config dir: MANUEL_CONFIG_DIR, else XDG_CONFIG_HOME, else ~/.config', () => {
  assert.equal(configDir({ MANUEL_CONFIG_DIR: '/a', XDG_CONFIG_HOME: '/b' }), '/a/manuel');
  assert.equal(configDir({ XDG_CONFIG_HOME: '/b' }), '/b/manuel');
  assert.match(configDir({}), /\.config\/manuel$/);
});

test('sessions are stored per server in a 0600 file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'manuel-'));
  try {
    const store = new ConfigStore({ MANUEL_CONFIG_DIR: dir });
    assert.deepEqual(store.load(), { sessions: {} });
    store.update((c) => {
      c.server = 'http://a:1';
      c.sessions['http://a:1'] = { email: 'x@y', access_token: 'A', refresh_token: 'R', expires_at: 5 };
    });
    // widen the mode, then save again: the store must tighten it back
    writeFileSync(store.file, JSON.stringify(store.load()), { mode: 0o644 });
    store.update((c) => {
      c.sessions['http://b:2'] = { email: 'z@y', access_token: 'B', refresh_token: 'S', expires_at: 6 };
    });
    assert.equal(statSync(store.file).mode & 0o777, 0o600);
    const loaded = new ConfigStore({ MANUEL_CONFIG_DIR: dir }).load();
    assert.equal(loaded.server, 'http://a:1');
    assert.deepEqual(Object.keys(loaded.sessions).sort(), ['http://a:1', 'http://b:2']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a corrupt config file is a clear error, not a crash', () => {
  const dir = mkdtempSync(join(tmpdir(), 'manuel-'));
  try {
    const store = new ConfigStore({ MANUEL_CONFIG_DIR: dir });
    store.save({ sessions: {} });
    writeFileSync(store.file, '{nope');
    assert.throws(() => store.load(), /not valid JSON/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('server URLs are normalised', () => {
  assert.equal(normaliseServer('localhost:3000'), 'http://localhost:3000');
  assert.equal(normaliseServer('https://m.example.com/'), 'https://m.example.com');
  assert.equal(normaliseServer('http://h/prefix/'), 'http://h/prefix');
  assert.throws(() => normaliseServer('ftp://h'), /http or https/);
});
