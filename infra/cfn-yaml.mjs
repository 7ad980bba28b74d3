// @ts-check
/**
 * Parses a CloudFormation / SAM YAML template with the `yaml` package, turning the short-form
 * intrinsic tags into their long JSON form (`!Ref X` -> `{Ref: 'X'}`, `!GetAtt A.B` ->
 * `{'Fn::GetAtt': ['A', 'B']}`, `!If [...]` -> `{'Fn::If': [...]}`, ...), as CloudFormation does.
 * Used by scripts/sam-overrides.mjs and the template tests (test/infra).
 */
import { parse } from 'yaml';

/** Short tag -> long key. */
export const CFN_TAGS = {
  Ref: 'Ref',
  Condition: 'Condition',
  GetAtt: 'Fn::GetAtt',
  Sub: 'Fn::Sub',
  If: 'Fn::If',
  Equals: 'Fn::Equals',
  Not: 'Fn::Not',
  And: 'Fn::And',
  Or: 'Fn::Or',
  Select: 'Fn::Select',
  Split: 'Fn::Split',
  Join: 'Fn::Join',
  FindInMap: 'Fn::FindInMap',
  ImportValue: 'Fn::ImportValue',
  GetAZs: 'Fn::GetAZs',
  Base64: 'Fn::Base64',
  Cidr: 'Fn::Cidr',
};

/** @param {unknown} node */
const plain = (node) => (node && typeof node === 'object' && 'toJSON' in node && typeof node.toJSON === 'function' ? node.toJSON() : node);

/** @type {import('yaml').Tags} */
export const cfnTags = Object.entries(CFN_TAGS).flatMap(([short, long]) => {
  const tag = `!${short}`;
  /** @param {unknown} value */
  const wrap = (value) => {
    if (short === 'GetAtt' && typeof value === 'string') {
      const dot = value.indexOf('.');
      return { [long]: [value.slice(0, dot), value.slice(dot + 1)] };
    }
    return { [long]: value };
  };
  return [
    { tag, resolve: (/** @type {string} */ str) => wrap(str) },
    { tag, collection: /** @type {const} */ ('seq'), resolve: (/** @type {unknown} */ seq) => wrap(plain(seq)) },
    { tag, collection: /** @type {const} */ ('map'), resolve: (/** @type {unknown} */ map) => wrap(plain(map)) },
  ];
});

/**
 * @param {string} text the template
 * @returns {any} the template as CloudFormation's JSON form
 */
export function parseCfnYaml(text) {
  return parse(text, { customTags: cfnTags, strict: true, uniqueKeys: true, maxAliasCount: -1 });
}
