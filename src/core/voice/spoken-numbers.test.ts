import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normaliseSpokenNumbers as norm, numberToWords, sayNumber, spokenForm } from './spoken-numbers.js';

test('cardinals become digits', () => {
  assert.equal(norm('one hundred and twenty'), '120');
  assert.equal(norm('one hundred twenty'), '120');
  assert.equal(norm('forty two satellites'), '42 satellites');
  assert.equal(norm('two thousand five hundred'), '2500');
  assert.equal(norm('a thousand'), '1000');
  assert.equal(norm('three million'), '3000000');
  assert.equal(norm('wait sixty seconds'), 'wait 60 seconds');
});

test('years and pairs are joined, with "oh" as zero', () => {
  assert.equal(norm('nineteen ninety'), '1990');
  assert.equal(norm('twenty twenty three'), '2023');
  assert.equal(norm('nineteen oh five'), '1905');
  assert.equal(norm('nineteen hundred'), '1900');
  assert.equal(norm('the 1N four thousand and seven'), 'the 1N 4007');
});

test('decimals and versions', () => {
  assert.equal(norm('three point one'), '3.1');
  assert.equal(norm('version two point four point one'), 'version 2.4.1');
  assert.equal(norm('three point one four'), '3.14');
  assert.equal(norm('zero point five'), '0.5');
});

test('digit strings: ports and addresses spoken digit by digit', () => {
  assert.equal(norm('port eight zero eight zero'), 'port 8080');
  assert.equal(norm('port four five three three'), 'port 4533');
  assert.equal(norm('one two seven dot zero dot zero dot one'), '127.0.0.1');
  assert.equal(norm('one oh one'), '101');
});

test('units become the symbols manuals write', () => {
  assert.equal(norm('twelve volts'), '12 V');
  assert.equal(norm('two point four gigahertz'), '2.4 GHz');
  assert.equal(norm('one kilo ohm'), 'one kilo ohm', 'an unknown unit phrase is left alone');
  assert.equal(norm('one kilohm resistor'), '1 kOhm resistor');
  assert.equal(norm('thirty two kilohertz crystal'), '32 kHz crystal');
  assert.equal(norm('five hundred milliamps'), '500 mA');
  assert.equal(norm('twelve volts', { keepUnitWords: true }), '12 V volts');
  assert.equal(norm('one gigabyte of ram'), '1 GB of ram', 'a lone "one" before a unit is a number');
});

test('words that are not numbers are kept, with their punctuation', () => {
  assert.equal(norm('which one do I pick'), 'which one do I pick', 'a lone "one" stays a pronoun');
  assert.equal(norm('one of the ports'), 'one of the ports');
  assert.equal(norm('one or two'), 'one or two');
  assert.equal(norm('two ports'), 'two ports', 'small numbers stay words, as prose writes them');
  assert.equal(norm('How long, ninety seconds?'), 'How long, 90 seconds?');
  assert.equal(norm('and a point'), 'and a point');
  assert.equal(norm('a hundred'), '100');
  assert.equal(norm(''), '');
  assert.equal(norm('Oh no'), 'Oh no');
});

test('written numbers as a speaker says them', () => {
  assert.equal(numberToWords(0), 'zero');
  assert.equal(numberToWords(120), 'one hundred twenty');
  assert.equal(numberToWords(4007), 'four thousand seven');
  assert.equal(numberToWords(1_000_001), 'one million one');
  assert.equal(sayNumber('1990'), 'nineteen ninety');
  assert.equal(sayNumber('1905'), 'nineteen oh five');
  assert.equal(sayNumber('2000'), 'two thousand');
  assert.equal(sayNumber('8080'), 'eight thousand eighty');
  assert.equal(sayNumber('3.1'), 'three point one');
  assert.equal(sayNumber('007'), 'zero zero seven');
  assert.equal(sayNumber('12345678'), 'one two three four five six seven eight');
  assert.equal(spokenForm('12 V'), 'twelve volts');
  assert.equal(spokenForm('2.4GHz band'), 'two point four gigahertz band');
  assert.equal(spokenForm('version 3.1 from 1990'), 'version three point one from nineteen ninety');
  assert.equal(spokenForm('a 1 kOhm resistor'), 'a one kiloohms resistor');
  assert.equal(spokenForm('no numbers here'), 'no numbers here');
});

test('round trip: what a speaker says for a written number reads back as that number', () => {
  for (const written of ['12 V', '2.4 GHz', '1990', '120', '3.1', '500 mA', '4533', '1905', '2023', '32 kHz', '15', '64', '2.4']) {
    assert.equal(norm(spokenForm(written)), written, written);
  }
});
