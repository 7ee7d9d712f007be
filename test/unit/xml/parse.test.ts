import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { childElement, childElements, parseXml, textOf, XmlParseError } from '../../../src/xml/index.js';

const LIMITS = { maxBytes: 4096, maxDepth: 8 };

/** `depth` nested elements, the innermost one empty. */
function nested(depth: number, selfClosingLeaf = false): string {
  const inner = selfClosingLeaf ? '<leaf/>' : '';
  return '<e>'.repeat(depth) + inner + '</e>'.repeat(depth);
}

function rejects(text: string, message: RegExp, limits = LIMITS): void {
  assert.throws(() => parseXml(text, limits), (error: unknown) => {
    assert.ok(error instanceof XmlParseError, `XmlParseError expected, got ${String(error)}`);
    assert.match(error.message, message);
    return true;
  });
}

describe('parseXml size limit', () => {
  test('accepts input at the limit', () => {
    const text = `<a>${'x'.repeat(LIMITS.maxBytes - 7)}</a>`;
    assert.equal(Buffer.byteLength(text), LIMITS.maxBytes);
    assert.equal(parseXml(text, LIMITS).documentElement?.localName, 'a');
  });

  test('rejects one byte more', () => {
    rejects(`<a>${'x'.repeat(LIMITS.maxBytes - 6)}</a>`, /larger than 4096 bytes/);
  });

  test('counts UTF-8 bytes, not characters', () => {
    const text = `<a>${'é'.repeat(LIMITS.maxBytes / 2)}</a>`;
    assert.ok(text.length < LIMITS.maxBytes);
    rejects(text, /larger than 4096 bytes/);
  });
});

describe('parseXml depth limit', () => {
  test('accepts nesting at the limit', () => {
    assert.ok(parseXml(nested(8), LIMITS));
  });

  test('rejects nesting one deeper', () => {
    rejects(nested(9), /nesting deeper than 8/);
  });

  test('self-closing leaf adds no depth', () => {
    assert.ok(parseXml(nested(8, true), LIMITS));
  });

  test('siblings do not add depth', () => {
    assert.ok(parseXml(`<r>${'<e><f/></e>'.repeat(50)}</r>`, LIMITS));
  });

  test('markup in attributes, comments and CDATA is skipped', () => {
    const text = `<r a="e>e>e>" b='>>'><!-- ${nested(20)} --><![CDATA[${nested(20)}]]><?pi <e><e>?></r>`;
    assert.equal(parseXml(text, LIMITS).documentElement?.getAttribute('b'), '>>');
  });
});

describe('parseXml hostile input', () => {
  test('rejects a DOCTYPE', () => {
    rejects('<!DOCTYPE r [<!ENTITY a "b">]><r>&a;</r>', /DOCTYPE and entity declarations are not allowed/);
  });

  test('rejects an external entity', () => {
    rejects('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>', /DOCTYPE/);
  });

  test('rejects an undeclared entity', () => {
    rejects('<r>&lol9;</r>', /not well-formed XML: entity not found/);
  });

  test('allows DOCTYPE text inside a comment', () => {
    assert.ok(parseXml('<r><!-- <!DOCTYPE r> --></r>', LIMITS));
  });

  for (const [name, text] of [
    ['mismatched end tag', '<a><b></a>'],
    ['unclosed element', '<a>'],
    ['two root elements', '<a/><b/>'],
    ['text before the root', 'text<a/>'],
    ['unquoted attribute', '<a b=c/>'],
    ['duplicate attribute', '<a x="1" x="2"/>'],
    ['undeclared prefix', '<p:a/>'],
    ['control character', '<a>\u0001</a>'],
    ['lone surrogate', '<a>\uD800</a>'],
    ['unterminated comment', '<a><!-- </a>'],
    ['unterminated start tag', '<a b="1'],
    ['empty input', ''],
  ]) {
    test(`rejects ${name}`, () => {
      rejects(text, /not well-formed XML/);
    });
  }

  test('log message hides quoted content', () => {
    assert.throws(
      () => parseXml('s3cret-password<a/>', LIMITS),
      (error: Error) => !error.message.includes('s3cret-password'),
    );
  });
});

describe('parseXml accepted input', () => {
  test('accepts a byte order mark', () => {
    assert.equal(parseXml('\uFEFF<?xml version="1.0" encoding="utf-8"?><a/>', LIMITS).documentElement?.localName, 'a');
  });

  test('keeps namespaces for lookups', () => {
    const document = parseXml('<r xmlns:p="urn:p" xmlns:q="urn:q"><p:x>1</p:x><q:x> 2 </q:x><x/></r>', LIMITS);
    const root = document.documentElement!;
    assert.equal(childElements(root).length, 3);
    assert.equal(childElements(root, 'urn:q').length, 1);
    assert.equal(textOf(childElement(root, 'urn:q', 'x')), '2');
    assert.equal(textOf(childElement(root, ['urn:none', 'urn:p'], 'x')), '1');
    assert.equal(childElement(root, 'urn:none', 'x'), undefined);
  });
});
