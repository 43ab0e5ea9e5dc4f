import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';

import * as logs from 'aws-cdk-lib/aws-logs';

import { ConfigError, loadConfig, parseEnvText, REPOSITORY_ROOT, stackEnvironment } from '../lib/config';

const EXAMPLE = path.join(REPOSITORY_ROOT, '.env.example');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cppstack-config-'));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

function envFile(name: string, text: string): string {
  const file = path.join(scratch, name);
  fs.writeFileSync(file, text);
  return file;
}

const MISSING_ENV = path.join(scratch, 'absent.env');

/** Loads with only .env.example and the given values: no developer .env, no shell variables. */
function configWith(overrides: Record<string, string>) {
  return loadConfig({ envFile: MISSING_ENV, environment: {}, overrides });
}

describe('configuration from .env', () => {
  it('falls back to .env.example when there is no .env, so a fresh clone synthesizes', () => {
    const config = loadConfig({ envFile: MISSING_ENV, environment: {} });
    assert.equal(config.application, 'aws-cpp-stack');
    assert.equal(config.functionArchitecture, 'x86_64');
    assert.equal(config.functionMemoryMb, 256);
    assert.equal(config.functionTimeout.toSeconds(), 10);
    assert.equal(config.logRetention, logs.RetentionDays.ONE_MONTH);
    assert.deepEqual(config.throttle, { rateLimit: 100, burstLimit: 200 });
    assert.equal(config.stagingEnabled, false);
    assert.equal(config.codeStarConnectionArn, undefined);
    assert.equal(config.alarmEmail, undefined);
    assert.equal(config.reservedConcurrency, undefined);
    assert.equal(config.smokeTestPath, '/v1/health');
    assert.equal(stackEnvironment(config), undefined, 'no account or region: environment-agnostic');
  });

  it('layers .env over .env.example and the process environment over .env', () => {
    const file = envFile('layered.env', 'APPLICATION=orders\nFUNCTION_MEMORY_MB=512\nexport LOG_LEVEL="debug"  \n# comment\n');
    const config = loadConfig({ envFile: file, environment: { FUNCTION_MEMORY_MB: '1024', UNRELATED: 'x' } });
    assert.equal(config.application, 'orders');
    assert.equal(config.functionMemoryMb, 1024);
    assert.equal(config.logLevel, 'DEBUG');
    assert.equal(config.github.branch, 'main', 'keys absent from .env keep the documented default');
  });

  it('uses an explicit environment only for what is known (CDK_DEFAULT_ACCOUNT / CDK_DEFAULT_REGION)', () => {
    const fromCli = loadConfig({ envFile: MISSING_ENV, environment: { CDK_DEFAULT_ACCOUNT: '123456789012', CDK_DEFAULT_REGION: 'eu-west-1' } });
    assert.deepEqual(stackEnvironment(fromCli), { account: '123456789012', region: 'eu-west-1' });
    const regionOnly = loadConfig({ envFile: MISSING_ENV, environment: { CDK_DEFAULT_REGION: 'ap-southeast-2' } });
    assert.deepEqual(stackEnvironment(regionOnly), { account: undefined, region: 'ap-southeast-2' });
    const explicit = loadConfig({
      envFile: envFile('explicit.env', 'AWS_ACCOUNT_ID=210987654321\nAWS_REGION=us-west-2\n'),
      environment: { CDK_DEFAULT_ACCOUNT: '123456789012', CDK_DEFAULT_REGION: 'eu-west-1' },
    });
    assert.deepEqual(stackEnvironment(explicit), { account: '210987654321', region: 'us-west-2' }, '.env wins over the CLI profile');
  });

  it('rejects a key .env.example does not know, naming it', () => {
    const file = envFile('typo.env', 'ALARM_EMIAL=ops@example.com\n');
    assert.throws(() => loadConfig({ envFile: file, environment: {} }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.key, 'ALARM_EMIAL');
      return true;
    });
  });

  it('rejects a line that is not KEY=value, naming the file and line', () => {
    const file = envFile('broken.env', 'APPLICATION=ok\nthis is not an assignment\n');
    assert.throws(() => loadConfig({ envFile: file, environment: {} }), new RegExp(`${file.replace(/[.]/g, '\\.')}:2`));
  });

  const invalidValues: Array<[string, string]> = [
    ['APPLICATION', '1-starts-with-digit'],
    ['APPLICATION', 'has_underscore'],
    ['APPLICATION', 'a'.repeat(65)],
    ['APPLICATION', ''],
    ['AWS_ACCOUNT_ID', '1234'],
    ['AWS_REGION', 'Frankfurt'],
    ['GITHUB_OWNER', ''],
    ['GITHUB_REPO', 'has space'],
    ['GITHUB_BRANCH', 'bad..branch~1'],
    ['CODESTAR_CONNECTION_ARN', 'arn:aws:s3:::bucket'],
    ['GITHUB_TOKEN_VERSION_ID', 'v2'],
    ['STAGING_ENABLED', 'maybe'],
    ['MANUAL_APPROVAL', ''],
    ['ALARM_EMAIL', 'not-an-address'],
    ['ALARM_LATENCY_P99_MS', '0'],
    ['API_THROTTLE_RATE_LIMIT', '-5'],
    ['API_THROTTLE_BURST_LIMIT', '1.5'],
    ['API_CACHE_CLUSTER_SIZE', '2'],
    ['API_EXECUTION_LOG_LEVEL', 'DEBUG'],
    ['FUNCTION_MEMORY_MB', '64'],
    ['FUNCTION_TIMEOUT_SECONDS', '901'],
    ['FUNCTION_ARCHITECTURE', 'arm'],
    ['FUNCTION_RESERVED_CONCURRENCY', 'lots'],
    // 0 reserves nothing and throttles every invocation: it disables the function.
    ['FUNCTION_RESERVED_CONCURRENCY', '0'],
    ['LOG_LEVEL', 'TRACE'],
    ['LOG_RETENTION_DAYS', '31'],
    ['SMOKE_TEST_PATH', 'v1/health'],
    ['CORS_ALLOW_ORIGINS', 'https://app.example.com/'],
    ['CORS_ALLOW_ORIGINS', 'app.example.com'],
    ['CORS_ALLOW_ORIGINS', "https://a.example.com'"],
    ['CORS_ALLOW_ORIGINS', '*,https://app.example.com'],
    ['CORS_ALLOW_ORIGINS', 'https://a.example.com,,https://b.example.com'],
    ['CORS_ALLOW_ORIGINS', 'https://a.example.com,https://a.example.com'],
    ['COGNITO_USER_POOL_ID', 'AbCdEf123'],
    ['COGNITO_USER_POOL_ID', 'arn:aws:s3:::eu-west-1_AbCdEf123'],
    ['COGNITO_APP_CLIENT_IDS', 'client-with-dash'],
    ['API_ALLOWED_SOURCE_IPS', '203.0.113.7'],
    ['API_ALLOWED_SOURCE_IPS', '203.0.113.0/33'],
    ['API_ALLOWED_SOURCE_IPS', '2001:db8::/129'],
    ['API_ALLOWED_SOURCE_IPS', '203.0.113.300/24'],
    ['API_QUOTA_LIMIT', '0'],
    ['API_QUOTA_LIMIT', 'lots'],
    ['WAF_ENABLED', 'on'],
    ['DEPLOY_REGIONS', 'Frankfurt'],
    ['DEPLOY_REGIONS', 'eu-west-1,eu-west-1'],
    ['STAGING_ACCOUNT_ID', '12345'],
    ['METRICS_NAMESPACE', 'AWS/Lambda'],
    ['METRICS_NAMESPACE', 'has space'],
    // The stacks add /staging: 248 + 8 would pass CloudWatch's 255.
    ['METRICS_NAMESPACE', 'n'.repeat(248)],
  ];
  for (const [key, value] of invalidValues) {
    it(`rejects ${key}=${JSON.stringify(value.length > 20 ? value.slice(0, 20) + '...' : value)} with an error naming ${key}`, () => {
      assert.throws(() => configWith({ [key]: value }), (error: unknown) => {
        assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${error}`);
        assert.equal(error.key, key);
        assert.match(error.message, new RegExp(`^${key}: `));
        return true;
      });
    });
  }

  it('accepts the documented alternatives', () => {
    const config = configWith({
      FUNCTION_ARCHITECTURE: 'arm64',
      FUNCTION_RESERVED_CONCURRENCY: '10',
      CODESTAR_CONNECTION_ARN: 'arn:aws:codeconnections:eu-west-1:123456789012:connection/0a1b2c3d-4e5f-6789-abcd-ef0123456789',
      ALARM_EMAIL: 'ops@example.com',
      STAGING_ENABLED: 'true',
      API_EXECUTION_LOG_LEVEL: 'info',
      LOG_RETENTION_DAYS: '365',
    });
    assert.equal(config.functionArchitecture, 'arm64');
    assert.equal(config.reservedConcurrency, 10);
    assert.match(config.codeStarConnectionArn ?? '', /^arn:aws:codeconnections:/);
    assert.equal(config.alarmEmail, 'ops@example.com');
    assert.equal(config.stagingEnabled, true);
    assert.equal(config.executionLogLevel, 'INFO');
    assert.equal(config.logRetention, logs.RetentionDays.ONE_YEAR);
  });

  it('parses dotenv text: quotes, export, inline comments', () => {
    const values = parseEnvText('A=1\nexport B="two words"\nC=\'#not a comment\'\nD=value # comment\nE=\n', 'inline');
    assert.deepEqual(Object.fromEntries(values), { A: '1', B: 'two words', C: '#not a comment', D: 'value', E: '' });
  });

  it('.env.example is valid sh, as `make deploy` sources it, and sh reads the same values', () => {
    const shell = execFileSync('sh', ['-c', `set -a; . "$1"; env`, 'sh', EXAMPLE], { encoding: 'utf8', env: {} });
    const fromShell = new Map(shell.split('\n').filter(Boolean).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
    for (const [key, value] of parseEnvText(fs.readFileSync(EXAMPLE, 'utf8'), EXAMPLE)) {
      assert.equal(fromShell.get(key), value, key);
    }
  });

  it('has no CORS, authentication extras, WAF or extra regions by default', () => {
    const config = configWith({});
    assert.equal(config.cors, undefined);
    assert.deepEqual(config.auth, {
      cognitoUserPoolId: undefined,
      cognitoAppClientIds: [],
      allowedSourceIps: [],
      quota: undefined,
      usagePlans: [{ name: 'default', throttle: { rateLimit: 100, burstLimit: 200 } }],
      apiKeys: [{ name: 'default', plan: 'default' }],
    });
    assert.equal(config.waf, undefined);
    assert.deepEqual(config.deployRegions, []);
    assert.equal(config.stagingAccount, undefined);
    assert.equal(config.metricsNamespace, 'aws-cpp-stack', 'the namespace defaults to APPLICATION');
  });

  it('reads CORS, authentication, WAF, regions, staging account and metrics namespace', () => {
    const config = configWith({
      AWS_ACCOUNT_ID: '123456789012',
      AWS_REGION: 'eu-west-1',
      CORS_ALLOW_ORIGINS: ' https://app.example.com , http://localhost:5173',
      CORS_ALLOW_METHODS: 'get,post',
      CORS_ALLOW_HEADERS: 'Content-Type,X-Requested-With',
      CORS_ALLOW_CREDENTIALS: 'true',
      CORS_MAX_AGE_SECONDS: '0',
      COGNITO_USER_POOL_ID: 'eu-west-1_AbCdEf123',
      COGNITO_APP_CLIENT_IDS: '1h57kf5cpq17m0eml12EXAMPLE',
      API_ALLOWED_SOURCE_IPS: '203.0.113.0/24,2001:db8::/32',
      API_QUOTA_LIMIT: '5000',
      API_QUOTA_PERIOD: 'day',
      WAF_ENABLED: 'true',
      WAF_RATE_LIMIT: '2000',
      DEPLOY_REGIONS: 'eu-west-1,us-east-1',
      STAGING_ENABLED: 'true',
      STAGING_ACCOUNT_ID: '210987654321',
      METRICS_NAMESPACE: 'Shop/Api',
    });
    assert.deepEqual(config.cors, {
      allowOrigins: ['https://app.example.com', 'http://localhost:5173'],
      allowMethods: ['GET', 'POST'],
      allowHeaders: ['Content-Type', 'X-Requested-With'],
      allowCredentials: true,
      maxAgeSeconds: 0,
    });
    assert.deepEqual(config.auth, {
      cognitoUserPoolId: 'eu-west-1_AbCdEf123',
      cognitoAppClientIds: ['1h57kf5cpq17m0eml12EXAMPLE'],
      allowedSourceIps: ['203.0.113.0/24', '2001:db8::/32'],
      quota: { limit: 5000, period: 'DAY' },
      usagePlans: [{ name: 'default', quota: { limit: 5000, period: 'DAY' }, throttle: { rateLimit: 100, burstLimit: 200 } }],
      apiKeys: [{ name: 'default', plan: 'default' }],
    });
    assert.deepEqual(config.waf, { rateLimit: 2000 });
    assert.deepEqual(config.deployRegions, ['eu-west-1', 'us-east-1']);
    assert.equal(config.stagingAccount, '210987654321');
    assert.equal(config.metricsNamespace, 'Shop/Api');
  });

  it("accepts a pool of another account by ARN, and '*' as the only origin", () => {
    const arn = 'arn:aws:cognito-idp:us-east-1:210987654321:userpool/us-east-1_AbCdEf123';
    assert.equal(configWith({ COGNITO_USER_POOL_ID: arn }).auth.cognitoUserPoolId, arn);
    assert.deepEqual(configWith({ CORS_ALLOW_ORIGINS: '*' }).cors?.allowOrigins, ['*']);
  });

  const invalidCombinations: Array<[string, Record<string, string>, RegExp]> = [
    ['CORS_ALLOW_CREDENTIALS', { CORS_ALLOW_ORIGINS: '*', CORS_ALLOW_CREDENTIALS: 'true' }, /browsers refuse credentials with any origin/],
    ['CORS_ALLOW_METHODS', { CORS_ALLOW_ORIGINS: 'https://a.example.com', CORS_ALLOW_METHODS: 'GET,FETCH' }, /one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, got 'FETCH'/],
    ['CORS_ALLOW_METHODS', { CORS_ALLOW_ORIGINS: 'https://a.example.com', CORS_ALLOW_METHODS: '' }, /at least one method/],
    ['CORS_ALLOW_HEADERS', { CORS_ALLOW_ORIGINS: 'https://a.example.com', CORS_ALLOW_HEADERS: "X-It's" }, /header name/],
    ['CORS_ALLOW_HEADERS', { CORS_ALLOW_ORIGINS: 'https://a.example.com', CORS_ALLOW_HEADERS: '' }, /at least one header/],
    ['CORS_MAX_AGE_SECONDS', { CORS_ALLOW_ORIGINS: 'https://a.example.com', CORS_MAX_AGE_SECONDS: '86401' }, /from 0 to 86400/],
    ['COGNITO_APP_CLIENT_IDS', { COGNITO_APP_CLIENT_IDS: 'abc123' }, /set COGNITO_USER_POOL_ID too/],
    ['API_QUOTA_PERIOD', { API_QUOTA_LIMIT: '10', API_QUOTA_PERIOD: 'YEAR' }, /one of DAY, WEEK, MONTH/],
    ['WAF_RATE_LIMIT', { WAF_ENABLED: 'true', WAF_RATE_LIMIT: '9' }, /from 10 to 2000000000/],
    ['DEPLOY_REGIONS', { DEPLOY_REGIONS: 'eu-west-1,us-east-1' }, /needs AWS_ACCOUNT_ID and AWS_REGION/],
    ['STAGING_ACCOUNT_ID', { STAGING_ACCOUNT_ID: '210987654321' }, /unless STAGING_ENABLED=true/],
    ['STAGING_ACCOUNT_ID', { STAGING_ACCOUNT_ID: '210987654321', STAGING_ENABLED: 'true' }, /needs AWS_ACCOUNT_ID and AWS_REGION/],
  ];
  for (const [key, values, expected] of invalidCombinations) {
    it(`rejects ${JSON.stringify(values)} with an error naming ${key}`, () => {
      assert.throws(() => configWith(values), (error: unknown) => {
        assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${error}`);
        assert.equal(error.key, key);
        assert.match(error.message, expected);
        return true;
      });
    });
  }

  it('tells a .env that still sets CORS_ALLOW_ORIGIN the new key', () => {
    const file = envFile('renamed.env', 'CORS_ALLOW_ORIGIN=https://app.example.com\n');
    assert.throws(() => loadConfig({ envFile: file, environment: {} }), /^ConfigError: CORS_ALLOW_ORIGIN: was renamed: use CORS_ALLOW_ORIGINS/);
  });
});

/** The cases the emulator's tests (tests/local/env_file_test.cpp) read too: one syntax, one set of refusals. */
const SHARED_CASES = JSON.parse(fs.readFileSync(path.join(REPOSITORY_ROOT, 'tests', 'fixtures', 'env', 'cases.json'), 'utf8'));

describe('the .env syntax and refusals shared with the emulator (tests/fixtures/env/cases.json)', () => {
  for (const { name, text, values } of SHARED_CASES.parse) {
    it(`parses: ${name}`, () => {
      assert.deepEqual(Object.fromEntries(parseEnvText(text, 'fixture')), values);
    });
  }
  for (const { name, text, line } of SHARED_CASES.invalid) {
    it(`refuses, naming line ${line}: ${name}`, () => {
      assert.throws(() => parseEnvText(text, 'fixture'), (error: unknown) => error instanceof ConfigError && error.message.startsWith(`fixture:${line}: `));
    });
  }
  for (const { key, value, message } of SHARED_CASES.refused) {
    it(`refuses ${key}=${value} with the message the emulator gives`, () => {
      assert.throws(() => configWith({ [key]: value }), (error: unknown) => error instanceof ConfigError && error.message === message);
    });
    it(`refuses ${key}=${value} written in a .env file`, () => {
      const file = envFile(`refused-${key}.env`, `${key}='${value}'\n`);
      assert.throws(() => loadConfig({ envFile: file, environment: {} }), (error: unknown) => error instanceof ConfigError && error.message === message);
    });
  }
});
