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

import { App, Stack, Stage, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';

import { enableNagChecks, wildcardAction } from '../lib/nag-suppressions';
import { readValidationReport, runCfnLint, unacknowledgedFindings, unusedAcknowledgements } from './support/checks';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cppstack-checks-'));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

interface NestedBucket {
  readonly app: App;
  readonly outdir: string;
  readonly bucket: s3.Bucket;
}

/** An app whose only stack, inside a nested stage, holds a bucket without logs or TLS policy. */
function nestedBucket(): NestedBucket {
  const outdir = fs.mkdtempSync(path.join(scratch, 'cdk-'));
  const app = new App({ outdir });
  enableNagChecks(app);
  const stage = new Stage(app, 'Nested');
  enableNagChecks(stage);
  const stack = new Stack(stage, 'Storage');
  return { app, outdir, bucket: new s3.Bucket(stack, 'Plain') };
}

function acknowledgeBucketFindings(bucket: s3.Bucket): void {
  Validations.of(bucket).acknowledge({ id: 'AwsSolutions-S1', reason: 'A test bucket without access logs.' });
  Validations.of(bucket).acknowledge({ id: 'AwsSolutions-S10', reason: 'A test bucket that allows plain HTTP.' });
}

describe('cdk-nag collection', () => {
  it('fails the synthesis on findings of a stack inside a nested stage, and reports them', () => {
    const { app, outdir } = nestedBucket();
    assert.throws(() => app.synth(), /Validation failed/);
    const rules = readValidationReport(outdir).pluginReports.flatMap((report) => report.violations.map((v) => v.ruleName));
    assert.ok(rules.includes('AwsSolutions-S1'), rules.join('\n'));
    assert.ok(rules.includes('AwsSolutions-S10'), rules.join('\n'));
  });

  it('does not report acknowledged findings, and writes them into the template metadata', () => {
    const { app, bucket } = nestedBucket();
    acknowledgeBucketFindings(bucket);
    const assembly = app.synth();
    assert.deepEqual(unacknowledgedFindings(app), []);
    const [stack] = assembly.stacksRecursively;
    const metadata = (stack.template as any).Resources[Stack.of(bucket).getLogicalId(bucket.node.defaultChild as s3.CfnBucket)].Metadata;
    assert.deepEqual(metadata.cdk_nag.rules_to_suppress.map((rule: { id: string }) => rule.id).sort(), ['AwsSolutions-S1', 'AwsSolutions-S10']);
  });

  it('names an acknowledgement that silences nothing, and none when each is used', () => {
    const used = nestedBucket();
    acknowledgeBucketFindings(used.bucket);
    used.app.synth();
    assert.deepEqual(unusedAcknowledgements(used.app), []);

    const stale = nestedBucket();
    acknowledgeBucketFindings(stale.bucket);
    Validations.of(stale.bucket).acknowledge({ id: wildcardAction('s3:GetObject*'), reason: 'A grant this bucket does not have.' });
    stale.app.synth();
    assert.deepEqual(
      unusedAcknowledgements(stale.app).map((a) => [a.path, a.id]),
      [['Nested/Storage/Plain', 'AwsSolutions-IAM5[Action::s3:GetObject*]']],
    );
  });

  it('acknowledges a granular finding by its exact id only, not by its rule', () => {
    const outdir = fs.mkdtempSync(path.join(scratch, 'cdk-'));
    const app = new App({ outdir });
    enableNagChecks(app);
    const stack = new Stack(app, 'Grants');
    const bucket = new s3.Bucket(stack, 'Data', { enforceSSL: true, serverAccessLogsPrefix: 'logs/' });
    Validations.of(bucket).acknowledge({ id: 'AwsSolutions-S1', reason: 'The access-log bucket of this test.' });
    const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    bucket.grantRead(role);
    Validations.of(role).acknowledge({ id: 'AwsSolutions-IAM5', reason: 'A rule-level acknowledgement, which cdk-nag 3 does not apply to findings.' });
    assert.throws(() => app.synth(), /Validation failed/);
    const rules = readValidationReport(outdir).pluginReports.flatMap((report) => report.violations.map((v) => v.ruleName));
    assert.ok(rules.includes(wildcardAction('s3:GetObject*')), rules.join('\n'));
  });

  it('refuses to call an assembly clean when cdk-nag did not run on it', () => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(scratch, 'cdk-')) });
    new s3.Bucket(new Stack(app, 'Unchecked'), 'Plain');
    app.synth();
    assert.throws(() => unacknowledgedFindings(app), /not registered/);
  });

  it('all acknowledgements live in lib/nag-suppressions.ts', () => {
    const sources = ['bin', 'lib'].flatMap((dir) =>
      fs.readdirSync(path.join(__dirname, '..', dir)).map((file) => path.join(__dirname, '..', dir, file)),
    );
    const offenders = sources.filter(
      (file) => path.basename(file) !== 'nag-suppressions.ts' && /acknowledge\(|NagSuppressions|rules_to_suppress|cdk_nag/.test(fs.readFileSync(file, 'utf8')),
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
