import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { faultClasses, InvalidRequestError, StsError } from '../../../src/errors/index.js';

const FAULTS_DOC = readFileSync(new URL('../../../docs/faults.md', import.meta.url), 'utf8');

/** Returns the code of a fault class as docs/faults.md and the log write it. */
function codeOf(error: StsError): string {
  return `${error.family === 'soap' ? 'env' : error.family}:${error.localName}`;
}

const instances = faultClasses.map((FaultClass) => new FaultClass('detail for the log'));

describe('fault table', () => {
  test('every class is an StsError', () => {
    for (const instance of instances) assert.ok(instance instanceof StsError, instance.name);
  });

  test('every class has its own code', () => {
    const codes = instances.map(codeOf);
    assert.equal(new Set(codes).size, codes.length, `duplicate codes in ${codes.join(', ')}`);
  });

  test('every code has a docs row', () => {
    for (const instance of instances) {
      const row = FAULTS_DOC.split('\n').find((line) => line.startsWith(`| \`${codeOf(instance)}\` |`));
      assert.ok(row, `docs/faults.md has a table row for ${codeOf(instance)}`);
      assert.ok(row.includes(`\`${instance.reason}\``), `the ${codeOf(instance)} row gives the reason "${instance.reason}"`);
    }
  });

  test('every code has a docs section', () => {
    for (const instance of instances) {
      const names = (line: string) => line.slice(4).split(/[ ,()]+/);
      const heading = FAULTS_DOC.split('\n').find((line) => line.startsWith('### ') && names(line).includes(codeOf(instance)));
      assert.ok(heading, `docs/faults.md explains when ${codeOf(instance)} happens`);
    }
  });

  test('detail stays out of the reason', () => {
    for (const instance of instances) {
      assert.equal(instance.detail, 'detail for the log');
      assert.ok(!instance.publicReason().includes('detail'), codeOf(instance));
    }
  });

  test('element is appended to the reason', () => {
    const error = new InvalidRequestError('RequestType is missing', { element: 'RequestType' });
    assert.equal(error.publicReason(), 'The request was invalid or malformed: RequestType');
  });

  test('sides match the SOAP 1.2 codes', () => {
    const receivers = instances.filter((instance) => instance.side === 'receiver').map(codeOf);
    assert.deepEqual(receivers, ['wst:RequestFailed']);
  });
});
