/**
 * Pieces of the pipeline stack checked without the whole app: the token version pin used when
 * rotating the GitHub token, and the Fn::Join to Fn::Sub rewrite of deploy role ARNs.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';

import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

import { loadConfig } from '../lib/config';
import { joinAsSub, PipelineStack } from '../lib/pipeline-stack';
import { functionZipPath, loadRouteTable, resolveDistDir, ROUTES_FILE } from '../lib/route-table';

describe('GitHub token version', () => {
  it('pins the secret version in the source action and the webhook when GITHUB_TOKEN_VERSION_ID is set', () => {
    const versionId = 'EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE';
    const config = loadConfig({ envFile: path.join(__dirname, 'no-such.env'), environment: {}, overrides: { GITHUB_TOKEN_VERSION_ID: versionId } });
    const distDir = resolveDistDir();
    const stack = new PipelineStack(new App(), 'Pipeline', {
      config,
      routeTable: loadRouteTable(path.join(distDir, ROUTES_FILE)),
      functionZip: functionZipPath(distDir),
    });
    const template = Template.fromStack(stack);
    // json-key and version-stage empty, then the version id
    const reference = `{{resolve:secretsmanager:github-token:SecretString:::${versionId}}}`;
    const pipeline = Object.values<any>(template.findResources('AWS::CodePipeline::Pipeline'))[0];
    assert.equal(pipeline.Properties.Stages[0].Actions[0].Configuration.OAuthToken, reference);
    template.hasResourceProperties('AWS::CodePipeline::Webhook', { AuthenticationConfiguration: { SecretToken: reference } });
  });
});

describe('Fn::Join to Fn::Sub', () => {
  it('rewrites a join of strings and Refs, escaping literal ${', () => {
    const join = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':role/x-${literal}']] };
    assert.equal(joinAsSub(join), 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/x-${!literal}');
  });

  it('leaves anything else alone', () => {
    assert.equal(joinAsSub('arn:aws:iam::123456789012:role/x'), undefined);
    assert.equal(joinAsSub({ 'Fn::Join': [',', ['a', 'b']] }), undefined);
    assert.equal(joinAsSub({ 'Fn::Join': ['', ['a', { 'Fn::GetAtt': ['Role', 'Arn'] }]] }), undefined);
  });
});
