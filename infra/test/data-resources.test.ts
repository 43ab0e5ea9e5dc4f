/**
 * The tables and buckets a function declares beside its routes: read strictly from routes.json,
 * created by every API stack (production: protected and retained; staging and dev: deleted with
 * the stack), named in the function's environment and granted to its role and nothing more.
 * A route table that declares nothing adds nothing. Synthesized from a copy of the real dist/
 * whose routes.json declares two tables and a bucket, with staging and CORS on.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, describe, it } from 'node:test';

import { Match } from 'aws-cdk-lib/assertions';

import { BUCKET_ACTIONS, BUCKET_CORS_HEADERS, INDEX_ACTIONS, OBJECT_ACTIONS, TABLE_ACTIONS } from '../lib/data-resources';
import { bucketVariable, parseBuckets, parseTables, tableVariable } from '../lib/resource-declarations';
import { parseRouteTable } from '../lib/route-table';
import { apiFunction, resourcesOfType } from './support/api-template';
import { describeCfnLintMatch, runCfnLint, unacknowledgedFindings, unusedAcknowledgements } from './support/checks';
import { copyOfDist, synthesize } from './support/synth';

const NOTES = { name: 'notes', partitionKey: { name: 'id', type: 'S' }, sortKey: null, globalIndexes: [], localIndexes: [], timeToLiveAttribute: null };
const EVENTS = {
  name: 'events',
  partitionKey: { name: 'stream', type: 'S' },
  sortKey: { name: 'at', type: 'N' },
  globalIndexes: [{ name: 'by-kind', partitionKey: { name: 'kind', type: 'S' }, sortKey: { name: 'at', type: 'N' }, projection: 'KEYS_ONLY' }],
  localIndexes: [{ name: 'by-digest', sortKey: { name: 'digest', type: 'B' }, projection: 'ALL' }],
  timeToLiveAttribute: 'expires_at',
};
const ATTACHMENTS = { name: 'note-attachments' };
const ORIGIN = 'https://app.example.com';

const distDir = copyOfDist({ tables: [NOTES, EVENTS], buckets: [ATTACHMENTS] });
const app = synthesize({ distDir, overrides: { STAGING_ENABLED: 'true', CORS_ALLOW_ORIGINS: ORIGIN, CORS_MAX_AGE_SECONDS: '600' } });
const emptyDistDir = copyOfDist({ tables: [], buckets: [] });
after(() => {
  app.dispose();
  fs.rmSync(distDir, { recursive: true, force: true });
  fs.rmSync(emptyDistDir, { recursive: true, force: true });
});

const PRODUCTION = 'aws-cpp-stack-Api';
const OTHER_DEPLOYMENTS = ['aws-cpp-stack-Staging-Api', 'aws-cpp-stack-Dev-Api'];

/** The logical id of the only resource of `type` whose id starts with `prefix`. */
function logicalId(json: any, type: string, prefix: string): string {
  const found = resourcesOfType(json, type).filter(([id]) => id.startsWith(prefix));
  assert.equal(found.length, 1, `one ${type} named ${prefix}*`);
  return found[0][0];
}

/** Every statement of the policies attached to the function's role. */
function functionRoleStatements(json: any): any[] {
  const role = apiFunction(json).Role['Fn::GetAtt'][0];
  return resourcesOfType(json, 'AWS::IAM::Policy')
    .filter(([, policy]) => policy.Roles.some((reference: any) => reference.Ref === role))
    .flatMap(([, policy]) => policy.PolicyDocument.Statement);
}

function actionsOf(statement: any): string[] {
  return [statement.Action].flat();
}

function isDataStatement(statement: any): boolean {
  return actionsOf(statement).some((action) => action.startsWith('dynamodb:') || action.startsWith('s3:'));
}

describe('the declarations in routes.json', () => {
  const parse = (tables: unknown, buckets?: unknown) => () => parseRouteTable({ formatVersion: 1, routes: [{ method: 'GET', path: '/v1', handler: 'h', summary: '', auth: 'none', cacheTtlSeconds: 0, throttle: null }], tables, buckets }, 'routes.json');

  it('are read with every field, and absent lists are empty', () => {
    assert.deepEqual(parseTables([NOTES, EVENTS], 'routes.json'), [NOTES, EVENTS]);
    assert.deepEqual(parseBuckets([ATTACHMENTS], 'routes.json'), [ATTACHMENTS]);
    const table = parse(undefined)();
    assert.deepEqual([table.tables, table.buckets], [[], []]);
  });

  const refused: Array<[string, unknown, unknown, RegExp]> = [
    ['a name with an upper-case letter', [{ ...NOTES, name: 'Notes' }], undefined, /tables\[0\]: name must be 3 to 48 lowercase/],
    ['a bucket name with an underscore', undefined, [{ name: 'note_files' }], /buckets\[0\]: name must be/],
    ['a table declared twice', [NOTES, NOTES], undefined, /table notes is declared twice/],
    ['a bucket declared twice', undefined, [ATTACHMENTS, ATTACHMENTS], /bucket note-attachments is declared twice/],
    ['an unknown key', [{ ...NOTES, billing: 'PROVISIONED' }], undefined, /unknown key "billing"/],
    ['an unknown key type', [{ ...NOTES, partitionKey: { name: 'id', type: 'SS' } }], undefined, /type must be "S", "N" or "B"/],
    ['no partition key', [{ ...NOTES, partitionKey: null }], undefined, /partitionKey is required/],
    ['an attribute with two types', [{ ...EVENTS, globalIndexes: [{ ...EVENTS.globalIndexes[0], sortKey: { name: 'at', type: 'S' } }] }], undefined, /attribute "at" is declared as type N and S/],
    ['a local index without a table sort key', [{ ...EVENTS, sortKey: null }], undefined, /a local secondary index needs a table with a sort key/],
    ['an index name used twice', [{ ...EVENTS, localIndexes: [{ ...EVENTS.localIndexes[0], name: 'by-kind' }] }], undefined, /index by-kind is declared twice/],
    ['a string time-to-live key', [{ ...NOTES, timeToLiveAttribute: 'id' }], undefined, /time-to-live attribute "id" is a key of type S/],
    ['tables that are not a list', { notes: NOTES }, undefined, /tables must be an array/],
  ];
  for (const [what, tables, buckets, message] of refused) {
    it(`refuses ${what}`, () => assert.throws(parse(tables, buckets), message));
  }

  it('name the environment variables as the C++ side does (include/cppstack/http/resources.hpp)', () => {
    assert.equal(tableVariable('notes'), 'TABLE_NOTES');
    assert.equal(bucketVariable('note-attachments'), 'BUCKET_NOTE_ATTACHMENTS');
  });
});

describe(`production (${PRODUCTION})`, () => {
  const template = app.template(PRODUCTION);
  const json = app.templateJson(PRODUCTION);
  const notesId = logicalId(json, 'AWS::DynamoDB::Table', 'DataTableNotes');
  const eventsId = logicalId(json, 'AWS::DynamoDB::Table', 'DataTableEvents');
  const bucketId = logicalId(json, 'AWS::S3::Bucket', 'DataBucketNoteAttachments');

  it('creates each table on demand, encrypted, with point-in-time recovery, deletion protection, retained', () => {
    assert.equal(resourcesOfType(json, 'AWS::DynamoDB::Table').length, 2);
    for (const id of [notesId, eventsId]) {
      const table = json.Resources[id];
      assert.equal(table.DeletionPolicy, 'Retain');
      assert.equal(table.UpdateReplacePolicy, 'Retain');
      assert.equal(table.Properties.BillingMode, 'PAY_PER_REQUEST');
      assert.deepEqual(table.Properties.SSESpecification, { SSEEnabled: true });
      assert.deepEqual(table.Properties.PointInTimeRecoverySpecification, { PointInTimeRecoveryEnabled: true });
      assert.equal(table.Properties.DeletionProtectionEnabled, true);
      assert.equal(table.Properties.ProvisionedThroughput, undefined);
    }
  });

  it('gives each table its declared keys, indexes and time to live', () => {
    const notes = json.Resources[notesId].Properties;
    assert.deepEqual(notes.KeySchema, [{ AttributeName: 'id', KeyType: 'HASH' }]);
    assert.deepEqual(notes.AttributeDefinitions, [{ AttributeName: 'id', AttributeType: 'S' }]);
    assert.equal(notes.TimeToLiveSpecification, undefined);
    const events = json.Resources[eventsId].Properties;
    assert.deepEqual(events.KeySchema, [{ AttributeName: 'stream', KeyType: 'HASH' }, { AttributeName: 'at', KeyType: 'RANGE' }]);
    assert.deepEqual(
      [...events.AttributeDefinitions].sort((a: any, b: any) => a.AttributeName.localeCompare(b.AttributeName)),
      [{ AttributeName: 'at', AttributeType: 'N' }, { AttributeName: 'digest', AttributeType: 'B' }, { AttributeName: 'kind', AttributeType: 'S' }, { AttributeName: 'stream', AttributeType: 'S' }],
    );
    assert.deepEqual(events.GlobalSecondaryIndexes, [
      { IndexName: 'by-kind', KeySchema: [{ AttributeName: 'kind', KeyType: 'HASH' }, { AttributeName: 'at', KeyType: 'RANGE' }], Projection: { ProjectionType: 'KEYS_ONLY' } },
    ]);
    assert.deepEqual(events.LocalSecondaryIndexes, [
      { IndexName: 'by-digest', KeySchema: [{ AttributeName: 'stream', KeyType: 'HASH' }, { AttributeName: 'digest', KeyType: 'RANGE' }], Projection: { ProjectionType: 'ALL' } },
    ]);
    assert.deepEqual(events.TimeToLiveSpecification, { AttributeName: 'expires_at', Enabled: true });
  });

  it('creates the bucket encrypted, private, versioned, retained, with CORS for presigned browser uploads', () => {
    const bucket = json.Resources[bucketId];
    assert.equal(bucket.DeletionPolicy, 'Retain');
    assert.deepEqual(bucket.Properties.BucketEncryption, { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] });
    assert.deepEqual(bucket.Properties.PublicAccessBlockConfiguration, { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    assert.deepEqual(bucket.Properties.OwnershipControls, { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    assert.deepEqual(bucket.Properties.VersioningConfiguration, { Status: 'Enabled' });
    assert.deepEqual(bucket.Properties.CorsConfiguration, {
      CorsRules: [{ AllowedOrigins: [ORIGIN], AllowedMethods: ['GET', 'HEAD', 'PUT'], AllowedHeaders: BUCKET_CORS_HEADERS, ExposedHeaders: ['ETag'], MaxAge: 600 }],
    });
    const rules = bucket.Properties.LifecycleConfiguration.Rules;
    assert.deepEqual(rules.map((rule: any) => [rule.Id, rule.AbortIncompleteMultipartUpload?.DaysAfterInitiation ?? rule.NoncurrentVersionExpiration?.NoncurrentDays]), [
      ['AbortIncompleteUploads', 7],
      ['ExpirePreviousVersions', 30],
    ]);
    assert.equal(rules[1].ExpiredObjectDeleteMarker, true);
  });

  it('refuses requests to the bucket without TLS, or with TLS older than 1.2', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
        ]),
      },
    });
  });

  it('passes the physical names to the function as TABLE_<NAME> and BUCKET_<NAME>', () => {
    const variables = apiFunction(json).Environment.Variables;
    assert.deepEqual(variables.TABLE_NOTES, { Ref: notesId });
    assert.deepEqual(variables.TABLE_EVENTS, { Ref: eventsId });
    assert.deepEqual(variables.BUCKET_NOTE_ATTACHMENTS, { Ref: bucketId });
    assert.deepEqual(Object.keys(variables).filter((name) => /^(TABLE|BUCKET)_/.test(name)).sort(), ['BUCKET_NOTE_ATTACHMENTS', 'TABLE_EVENTS', 'TABLE_NOTES']);
  });

  it('grants the function exactly the client\'s actions on exactly the declared resources', () => {
    const tableArn = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });
    const bucketArn = { 'Fn::GetAtt': [bucketId, 'Arn'] };
    const indexArn = (index: string) => ({ 'Fn::Join': ['', [tableArn(eventsId), `/index/${index}`]] });
    const objectsArn = { 'Fn::Join': ['', [bucketArn, '/*']] };
    // Each granted (action, resource) pair: CDK merges statements, so the pairs are what counts.
    const pairs = (actions: readonly string[], resources: unknown[]) => actions.flatMap((action) => resources.map((resource) => `${action} ${JSON.stringify(resource)}`));
    const expected = [
      ...pairs(TABLE_ACTIONS, [tableArn(notesId), tableArn(eventsId)]),
      ...pairs(INDEX_ACTIONS, [indexArn('by-kind'), indexArn('by-digest')]),
      ...pairs(BUCKET_ACTIONS, [bucketArn]),
      ...pairs(OBJECT_ACTIONS, [objectsArn]),
    ];
    const granted = functionRoleStatements(json).filter(isDataStatement);
    for (const statement of granted) assert.equal(statement.Effect, 'Allow');
    assert.deepEqual(granted.flatMap((statement) => pairs(actionsOf(statement), [statement.Resource].flat())).sort(), expected.sort());
    for (const statement of granted) {
      for (const action of actionsOf(statement)) assert.ok(!action.includes('*'), `no wildcard action: ${action}`);
    }
  });
});

for (const stackName of OTHER_DEPLOYMENTS) {
  describe(stackName, () => {
    const json = app.templateJson(stackName);

    it('creates the same resources, deleted with the stack: no deletion protection, no retention, no versions', () => {
      const tables = resourcesOfType(json, 'AWS::DynamoDB::Table').map(([id]) => json.Resources[id]);
      assert.equal(tables.length, 2);
      for (const table of tables) {
        assert.equal(table.DeletionPolicy, 'Delete');
        assert.equal(table.Properties.DeletionProtectionEnabled, false);
        assert.equal(table.Properties.BillingMode, 'PAY_PER_REQUEST');
        assert.deepEqual(table.Properties.PointInTimeRecoverySpecification, { PointInTimeRecoveryEnabled: true });
      }
      const [bucket] = resourcesOfType(json, 'AWS::S3::Bucket').map(([id]) => json.Resources[id]);
      assert.equal(bucket.DeletionPolicy, 'Delete');
      assert.equal(bucket.Properties.VersioningConfiguration, undefined);
      assert.deepEqual(bucket.Properties.PublicAccessBlockConfiguration.BlockPublicAcls, true);
      assert.deepEqual(Object.keys(apiFunction(json).Environment.Variables).filter((name) => /^(TABLE|BUCKET)_/.test(name)).sort(), ['BUCKET_NOTE_ATTACHMENTS', 'TABLE_EVENTS', 'TABLE_NOTES']);
    });
  });
}

describe('static checks with declared resources', () => {
  it('cdk-nag AwsSolutions: no unacknowledged finding in any stack', () => {
    assert.deepEqual(unacknowledgedFindings(app.built.app), []);
  });

  it('every cdk-nag acknowledgement silences a finding of exactly its id', () => {
    assert.deepEqual(unusedAcknowledgements(app.built.app), []);
  });

  it('cfn-lint: no error in any synthesized template', (t) => {
    const matches = runCfnLint(app.templateFiles());
    for (const match of matches) t.diagnostic(describeCfnLintMatch(match));
    assert.deepEqual(matches.filter((m) => m.Level === 'Error').map(describeCfnLintMatch), []);
  });
});

describe('a route table that declares no table and no bucket', () => {
  const plain = synthesize({ overrides: { STAGING_ENABLED: 'true', CORS_ALLOW_ORIGINS: ORIGIN, CORS_MAX_AGE_SECONDS: '600' } });
  const empty = synthesize({ distDir: emptyDistDir, overrides: { STAGING_ENABLED: 'true', CORS_ALLOW_ORIGINS: ORIGIN, CORS_MAX_AGE_SECONDS: '600' } });
  after(() => {
    plain.dispose();
    empty.dispose();
  });

  for (const stackName of [PRODUCTION, ...OTHER_DEPLOYMENTS]) {
    it(`adds nothing to ${stackName}: no table, bucket, variable or grant, and empty lists change no byte`, () => {
      const json = plain.templateJson(stackName);
      assert.deepEqual(resourcesOfType(json, 'AWS::DynamoDB::Table'), []);
      assert.deepEqual(resourcesOfType(json, 'AWS::S3::Bucket'), []);
      assert.deepEqual(Object.keys(apiFunction(json).Environment.Variables).filter((name) => /^(TABLE|BUCKET)_/.test(name)), []);
      assert.deepEqual(functionRoleStatements(json).filter(isDataStatement), []);
      // `"tables": [], "buckets": []` is the same table as no keys at all.
      assert.deepEqual(stripAssetHashes(empty.templateJson(stackName)), stripAssetHashes(json));
    });
  }
});

/** The template without the asset locations, which name the (copied) dist directory's files by hash. */
function stripAssetHashes(template: any): string {
  return JSON.stringify(template).replace(/[0-9a-f]{64}/g, '<hash>');
}
