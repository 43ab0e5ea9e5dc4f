/**
 * The checking machinery itself: the nag collector sees findings inside nested stages (where
 * the pipeline's API stacks live), suppressions silence them, and the cfn-lint runner reports
 * errors and a missing cfn-lint. Without these, "no findings" could mean "nothing looked".
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';

import { App, Stack, Stage } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { NagSuppressions } from 'cdk-nag';

import { enableNagChecks } from '../lib/nag-suppressions';
import { runCfnLint, unacknowledgedFindings } from './support/checks';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cppstack-checks-'));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

function synthNestedBucket(suppress: boolean) {
  const app = new App({ outdir: fs.mkdtempSync(path.join(scratch, 'cdk-')) });
  const stage = new Stage(app, 'Nested');
  enableNagChecks(stage);
  const stack = new Stack(stage, 'Storage');
  const bucket = new s3.Bucket(stack, 'Plain');
  if (suppress) {
    NagSuppressions.addResourceSuppressions(bucket, [
      { id: 'AwsSolutions-S1', reason: 'A test bucket without access logs.' },
      { id: 'AwsSolutions-S10', reason: 'A test bucket that allows plain HTTP.' },
    ]);
  }
  return app.synth().stacksRecursively;
}

describe('cdk-nag collection', () => {
  it('reports findings of a stack inside a nested stage', () => {
    const messages = unacknowledgedFindings(synthNestedBucket(false)).map((f) => f.message);
    assert.ok(messages.some((m) => m.startsWith('AwsSolutions-S1:')), messages.join('\n'));
    assert.ok(messages.some((m) => m.startsWith('AwsSolutions-S10:')), messages.join('\n'));
  });

  it('does not report acknowledged findings', () => {
    assert.deepEqual(unacknowledgedFindings(synthNestedBucket(true)), []);
  });

  it('all acknowledgements live in lib/nag-suppressions.ts', () => {
    const sources = ['bin', 'lib'].flatMap((dir) =>
      fs.readdirSync(path.join(__dirname, '..', dir)).map((file) => path.join(__dirname, '..', dir, file)),
    );
    const offenders = sources.filter(
      (file) => path.basename(file) !== 'nag-suppressions.ts' && /NagSuppressions|rules_to_suppress|cdk_nag/.test(fs.readFileSync(file, 'utf8')),
    );
    assert.deepEqual(offenders, []);
  });
});

describe('cfn-lint runner', () => {
  it('reports an error in a broken template', () => {
    const template = path.join(scratch, 'broken.template.json');
    fs.writeFileSync(
      template,
      JSON.stringify({ Resources: { Queue: { Type: 'AWS::SQS::Queue', Properties: { MessageRetentionPeriod: 'a week' } } } }),
    );
    const errors = runCfnLint([template]).filter((m) => m.Level === 'Error');
    assert.ok(errors.length > 0, 'cfn-lint flags a non-integer retention period');
  });

  it('finds nothing in a valid template', () => {
    const template = path.join(scratch, 'valid.template.json');
    fs.writeFileSync(template, JSON.stringify({ Resources: { Queue: { Type: 'AWS::SQS::Queue', Properties: { MessageRetentionPeriod: 600 } } } }));
    assert.deepEqual(runCfnLint([template]), []);
  });

  it('fails, with the install command, when cfn-lint is missing', () => {
    assert.throws(() => runCfnLint([path.join(scratch, 'valid.template.json')], 'cfn-lint-not-installed'), /not on PATH.*pip install cfn-lint/);
  });
});
