/**
 * Deployment configuration read from the repository's `.env` (a copy of `.env.example`).
 *
 * Every key has its default in `.env.example`, so a fresh clone without `.env` still
 * synthesizes. Values are layered like dotenv: `.env.example` < `.env` < process environment.
 * Each value is validated, and a bad one fails with an error naming its key.
 *
 * @example
 *   const config = loadConfig();                       // <repo>/.env over <repo>/.env.example
 *   const custom = loadConfig({ overrides: { FUNCTION_ARCHITECTURE: 'arm64' } });
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

import { Duration } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';

import { parseUserPool } from './user-pool';

export const REPOSITORY_ROOT = path.resolve(__dirname, '..', '..');

export type FunctionArchitecture = 'x86_64' | 'arm64';
export type ExecutionLogLevel = 'ERROR' | 'INFO';

/** How CodeDeploy shifts the `live` alias to a new version: the names of Lambda's predefined configurations. */
export const DEPLOYMENT_STRATEGIES = [
  'ALL_AT_ONCE',
  'CANARY_10PERCENT_5MINUTES',
  'CANARY_10PERCENT_10MINUTES',
  'CANARY_10PERCENT_15MINUTES',
  'CANARY_10PERCENT_30MINUTES',
  'LINEAR_10PERCENT_EVERY_1MINUTE',
  'LINEAR_10PERCENT_EVERY_2MINUTES',
  'LINEAR_10PERCENT_EVERY_3MINUTES',
  'LINEAR_10PERCENT_EVERY_10MINUTES',
] as const;
export type DeploymentStrategy = (typeof DEPLOYMENT_STRATEGIES)[number];

export interface GitHubSource {
  readonly owner: string;
  readonly repo: string;
  readonly branch: string;
}

export interface AppConfig {
  /** Prefix of every stack name. */
  readonly application: string;
  /** Explicit target account, or undefined for an environment-agnostic template. */
  readonly account?: string;
  /** Explicit target region, or undefined for an environment-agnostic template. */
  readonly region?: string;
  readonly github: GitHubSource;
  readonly codeStarConnectionArn?: string;
  /** Version of the `github-token` secret to use; undefined for its current version. */
  readonly githubTokenVersionId?: string;
  readonly stagingEnabled: boolean;
  readonly manualApproval: boolean;
  readonly alarmEmail?: string;
  readonly alarmLatencyP99: Duration;
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
  readonly cacheClusterSize: string;
  readonly executionLogLevel: ExecutionLogLevel;
  /** Browser cross-origin access; undefined when CORS_ALLOW_ORIGINS is empty (no CORS at all). */
  readonly cors?: CorsConfig;
  /** Authentication settings of the routes whose auth is cognito, and the API-wide controls. */
  readonly auth: AuthConfig;
  /** A WAFv2 web ACL on the stage; undefined when WAF_ENABLED is false. */
  readonly waf?: WafConfig;
  /** Regions the pipeline deploys production to; empty: the pipeline's own region. */
  readonly deployRegions: readonly string[];
  /** Account of the staging stage when it is not the pipeline's. */
  readonly stagingAccount?: string;
  /** CloudWatch namespace of the function's Embedded Metric Format metrics. */
  readonly metricsNamespace: string;
  readonly functionMemoryMb: number;
  readonly functionTimeout: Duration;
  readonly functionArchitecture: FunctionArchitecture;
  readonly reservedConcurrency?: number;
  readonly logLevel: string;
  readonly logRetention: logs.RetentionDays;
  readonly smokeTestPath: string;
  /** CodeDeploy's traffic shifting of each deployment (DEPLOYMENT_STRATEGY). */
  readonly deploymentStrategy: DeploymentStrategy;
  /** Share of 4XX answers (0 to 1) that raises the client error alarm (ALARM_4XX_RATE_PERCENT). */
  readonly alarmClientErrorRate: number;
  /** The validated key/value pairs this configuration was built from (account and region resolved). */
  readonly variables: Readonly<Record<string, string>>;
}

export interface CorsConfig {
  /** `['*']`, or one or more origins such as `https://app.example.com`. */
  readonly allowOrigins: readonly string[];
  readonly allowMethods: readonly string[];
  readonly allowHeaders: readonly string[];
  readonly allowCredentials: boolean;
  /** 0: no Access-Control-Max-Age header. */
  readonly maxAgeSeconds: number;
}

export type QuotaPeriod = 'DAY' | 'WEEK' | 'MONTH';

export interface AuthConfig {
  /** An existing user pool (id, or ARN for another account) for the cognito routes; undefined: the stack creates one when a route needs it. */
  readonly cognitoUserPoolId?: string;
  /** App clients of that pool whose tokens the API is meant for (documented, checked by the emulator). */
  readonly cognitoAppClientIds: readonly string[];
  /** Source addresses allowed to call the API (CIDR blocks); empty: any address. */
  readonly allowedSourceIps: readonly string[];
  /** Requests per period and API key of the default usage plan; undefined: no quota (or API_USAGE_PLANS is set). */
  readonly quota?: { readonly limit: number; readonly period: QuotaPeriod };
  /** The usage plans of API_USAGE_PLANS, or the one `default` plan (API_QUOTA_*, the stage throttle). */
  readonly usagePlans: readonly UsagePlanConfig[];
  /** The API keys of API_KEYS, or the one `default` key of the first plan. */
  readonly apiKeys: readonly ApiKeyConfig[];
}

/** A usage plan: each key's quota and throttle. The emulator reads the same (src/local/api_keys.cpp). */
export interface UsagePlanConfig {
  readonly name: string;
  readonly quota?: { readonly limit: number; readonly period: QuotaPeriod };
  /** Per key: requests per second and burst. */
  readonly throttle?: { readonly rateLimit: number; readonly burstLimit: number };
}

export interface ApiKeyConfig {
  readonly name: string;
  readonly plan: string;
  /** undefined: API Gateway generates the value. */
  readonly value?: string;
}

/** The plan and key of an empty API_USAGE_PLANS / API_KEYS. */
export const DEFAULT_USAGE_PLAN = 'default';
export const DEFAULT_API_KEY = 'default';

export interface WafConfig {
  /** Requests one IP address may send in any 5 minutes before the web ACL blocks it. */
  readonly rateLimit: number;
}

export class ConfigError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(`${key}: ${message}`);
    this.name = 'ConfigError';
  }
}

export interface LoadConfigOptions {
  /** The user's file; default `<repo>/.env`. It may be absent. */
  readonly envFile?: string;
  /** The documented defaults; default `<repo>/.env.example`. It must exist. */
  readonly exampleFile?: string;
  /** Process environment: wins over both files for the keys they define; default `process.env`. */
  readonly environment?: NodeJS.ProcessEnv;
  /** Highest-priority values, for tests and tools. */
  readonly overrides?: Readonly<Record<string, string>>;
}

/**
 * Parses `.env` text in the project's one syntax, shared with the local emulator
 * (src/local/env_file.cpp) and pinned by tests/fixtures/env/cases.json: `KEY=value` a line,
 * `#` comment lines, an optional `export `, quotes taken literally up to the closing quote,
 * and an inline comment after an unquoted value where whitespace is followed by `#`.
 */
export function parseEnvText(text: string, source: string): Map<string, string> {
  const values = new Map<string, string>();
  text.split(/\r?\n/).forEach((rawLine, index) => {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) return;
    const where = `${source}:${index + 1}`;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!match) {
      throw new ConfigError(where, `expected KEY=value, got '${line}'`);
    }
    const [, key, rawValue] = match;
    values.set(key, parseValue(rawValue, where));
  });
  return values;
}

function parseValue(rawValue: string, where: string): string {
  const quote = rawValue[0];
  if (quote === '"' || quote === "'") {
    const end = rawValue.indexOf(quote, 1);
    if (end < 0) throw new ConfigError(where, `the value has no closing ${quote}`);
    const rest = rawValue.slice(end + 1).trim();
    if (rest !== '' && !rest.startsWith('#')) {
      throw new ConfigError(where, `unexpected text after the closing ${quote}: '${rest}'`);
    }
    return rawValue.slice(1, end);
  }
  // Unquoted: a comment starts at '#' at the beginning or after whitespace, as in sh.
  const comment = /(^|\s)#/.exec(rawValue);
  return (comment ? rawValue.slice(0, comment.index) : rawValue).trim();
}

type Values = ReadonlyMap<string, string>;

function text(values: Values, key: string): string {
  return values.get(key) ?? '';
}

function required(values: Values, key: string): string {
  const value = text(values, key);
  if (value === '') throw new ConfigError(key, 'must not be empty');
  return value;
}

function optional(values: Values, key: string): string | undefined {
  const value = text(values, key);
  return value === '' ? undefined : value;
}

function integer(values: Values, key: string, min: number, max: number): number {
  const value = required(values, key);
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new ConfigError(key, `must be a whole number from ${min} to ${max}, got '${value}'`);
  }
  return Number(value);
}

function positiveNumber(values: Values, key: string): number {
  const value = required(values, key);
  if (!/^\d+(\.\d+)?$/.test(value) || Number(value) <= 0) {
    throw new ConfigError(key, `must be a positive number, got '${value}'`);
  }
  return Number(value);
}

function boolean(values: Values, key: string): boolean {
  const value = required(values, key).toLowerCase();
  if (['true', '1', 'yes'].includes(value)) return true;
  if (['false', '0', 'no'].includes(value)) return false;
  throw new ConfigError(key, `must be true or false, got '${text(values, key)}'`);
}

function oneOf<T extends string>(values: Values, key: string, allowed: readonly T[], normalise = (v: string) => v): T {
  const value = normalise(required(values, key));
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(key, `must be one of ${allowed.join(', ')}, got '${text(values, key)}'`);
  }
  return value as T;
}

function matching(values: Values, key: string, pattern: RegExp, description: string): string {
  const value = required(values, key);
  if (!pattern.test(value)) throw new ConfigError(key, `${description}, got '${value}'`);
  return value;
}

function optionalMatching(values: Values, key: string, pattern: RegExp, description: string): string | undefined {
  return optional(values, key) === undefined ? undefined : matching(values, key, pattern, description);
}

/** A comma-separated list without empty entries or surrounding spaces; [] for an empty value. */
function list(values: Values, key: string): string[] {
  const value = text(values, key).trim();
  if (value === '') return [];
  const items = value.split(',').map((item) => item.trim());
  if (items.some((item) => item === '')) throw new ConfigError(key, `must be a comma-separated list without empty entries, got '${value}'`);
  const duplicate = items.find((item, index) => items.indexOf(item) !== index);
  if (duplicate !== undefined) throw new ConfigError(key, `lists '${duplicate}' twice`);
  return items;
}

function listMatching(values: Values, key: string, pattern: RegExp, description: string): string[] {
  const items = list(values, key);
  const bad = items.find((item) => !pattern.test(item));
  if (bad !== undefined) throw new ConfigError(key, `${description}, got '${bad}'`);
  return items;
}

const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d$/;
const ACCOUNT_PATTERN = /^\d{12}$/;

/** Keys that were renamed: a .env that still uses the old name gets told the new one. */
export const RENAMED_KEYS: Readonly<Record<string, string>> = {
  CORS_ALLOW_ORIGIN: 'CORS_ALLOW_ORIGINS (a comma-separated list of origins)',
};

const RETENTION_DAYS = Object.values(logs.RetentionDays).filter((days): days is number => typeof days === 'number' && days > 0);
const CACHE_CLUSTER_SIZES = ['0.5', '1.6', '6.1', '13.5', '28.4', '58.2', '118', '237'] as const;

/** Builds and validates the configuration from raw key/value pairs. */
export function parseConfig(values: Values): AppConfig {
  const application = matching(
    values,
    'APPLICATION',
    /^[A-Za-z][A-Za-z0-9-]{0,63}$/,
    'must start with a letter and contain only letters, digits and hyphens (at most 64 characters), as CloudFormation stack names do',
  );
  const account = optionalMatching(values, 'AWS_ACCOUNT_ID', ACCOUNT_PATTERN, 'must be a 12-digit AWS account id');
  const region = optionalMatching(values, 'AWS_REGION', REGION_PATTERN, 'must be an AWS region name such as us-east-1');
  const github: GitHubSource = {
    owner: matching(values, 'GITHUB_OWNER', /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, 'must be a GitHub user or organisation name'),
    repo: matching(values, 'GITHUB_REPO', /^[A-Za-z0-9._-]{1,100}$/, 'must be a GitHub repository name'),
    branch: matching(values, 'GITHUB_BRANCH', /^[^\s~^:?*[\\]+$/, 'must be a git branch name'),
  };
  const codeStarConnectionArn = optionalMatching(
    values,
    'CODESTAR_CONNECTION_ARN',
    /^arn:aws[a-z-]*:(codestar-connections|codeconnections):[a-z0-9-]+:\d{12}:connection\/[A-Za-z0-9-]+$/,
    'must be the ARN of a CodeConnections (or CodeStar Connections) connection',
  );
  const githubTokenVersionId = optionalMatching(
    values,
    'GITHUB_TOKEN_VERSION_ID',
    /^[A-Za-z0-9-]{32,64}$/,
    'must be a Secrets Manager version id (as printed by put-secret-value)',
  );
  const alarmEmail = optionalMatching(values, 'ALARM_EMAIL', /^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'must be an e-mail address');
  const rateLimit = positiveNumber(values, 'API_THROTTLE_RATE_LIMIT');
  const burstLimit = integer(values, 'API_THROTTLE_BURST_LIMIT', 1, 5000);
  const reservedConcurrencyText = optional(values, 'FUNCTION_RESERVED_CONCURRENCY');
  const smokeTestPath = matching(values, 'SMOKE_TEST_PATH', /^\/[A-Za-z0-9._~\-/]*$/, 'must be an absolute path without parameters, such as /v1/health');

  const config: AppConfig = {
    application,
    account,
    region,
    github,
    codeStarConnectionArn,
    githubTokenVersionId,
    stagingEnabled: boolean(values, 'STAGING_ENABLED'),
    manualApproval: boolean(values, 'MANUAL_APPROVAL'),
    alarmEmail,
    alarmLatencyP99: Duration.millis(integer(values, 'ALARM_LATENCY_P99_MS', 1, 29000)),
    throttle: { rateLimit, burstLimit },
    cacheClusterSize: oneOf(values, 'API_CACHE_CLUSTER_SIZE', CACHE_CLUSTER_SIZES),
    executionLogLevel: oneOf(values, 'API_EXECUTION_LOG_LEVEL', ['ERROR', 'INFO'] as const, (v) => v.toUpperCase()),
    cors: corsConfig(values),
    auth: authConfig(values),
    waf: boolean(values, 'WAF_ENABLED') ? { rateLimit: integer(values, 'WAF_RATE_LIMIT', 10, 2_000_000_000) } : undefined,
    ...deploymentTargets(values, account, region),
    metricsNamespace: metricsNamespace(values, application),
    functionMemoryMb: integer(values, 'FUNCTION_MEMORY_MB', 128, 10240),
    functionTimeout: Duration.seconds(integer(values, 'FUNCTION_TIMEOUT_SECONDS', 1, 900)),
    functionArchitecture: oneOf(values, 'FUNCTION_ARCHITECTURE', ['x86_64', 'arm64'] as const),
    reservedConcurrency: reservedConcurrencyText === undefined ? undefined : reservedConcurrency(values),
    logLevel: oneOf(values, 'LOG_LEVEL', ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const, (v) => v.toUpperCase()),
    logRetention: retention(values),
    smokeTestPath: smokeTestPath.length > 1 ? smokeTestPath.replace(/\/+$/, '') : smokeTestPath,
    deploymentStrategy: oneOf(values, 'DEPLOYMENT_STRATEGY', DEPLOYMENT_STRATEGIES, (v) => v.toUpperCase()),
    alarmClientErrorRate: integer(values, 'ALARM_4XX_RATE_PERCENT', 1, 100) / 100,
    variables: Object.fromEntries(values),
  };
  return config;
}

const ORIGIN_PATTERN = /^https?:\/\/[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:\d{1,5})?$/;
const CORS_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** CORS_ALLOW_*: nothing when no origin is allowed; the values end up in quoted header values and VTL, so they are strict. */
function corsConfig(values: Values): CorsConfig | undefined {
  const allowOrigins = list(values, 'CORS_ALLOW_ORIGINS');
  if (allowOrigins.length === 0) return undefined;
  if (allowOrigins.includes('*') && allowOrigins.length > 1) {
    throw new ConfigError('CORS_ALLOW_ORIGINS', `'*' (any origin) cannot be combined with other origins, got '${allowOrigins.join(',')}'`);
  }
  const badOrigin = allowOrigins.find((origin) => origin !== '*' && !ORIGIN_PATTERN.test(origin));
  if (badOrigin !== undefined) {
    throw new ConfigError(
      'CORS_ALLOW_ORIGINS',
      `each entry must be '*' or an origin: scheme, host and optional port, without path or trailing slash (https://app.example.com), got '${badOrigin}'`,
    );
  }
  const allowMethods = list(values, 'CORS_ALLOW_METHODS').map((method) => method.toUpperCase());
  if (allowMethods.length === 0) throw new ConfigError('CORS_ALLOW_METHODS', 'must list at least one method when CORS_ALLOW_ORIGINS is set');
  const badMethod = allowMethods.find((method) => !CORS_METHODS.includes(method));
  if (badMethod !== undefined) throw new ConfigError('CORS_ALLOW_METHODS', `each entry must be one of ${CORS_METHODS.join(', ')}, got '${badMethod}'`);
  const allowHeaders = listMatching(values, 'CORS_ALLOW_HEADERS', /^[A-Za-z0-9_-]+$/, 'each entry must be a header name (letters, digits, - and _)');
  if (allowHeaders.length === 0) throw new ConfigError('CORS_ALLOW_HEADERS', 'must list at least one header (such as Content-Type) when CORS_ALLOW_ORIGINS is set');
  const allowCredentials = boolean(values, 'CORS_ALLOW_CREDENTIALS');
  if (allowCredentials && allowOrigins[0] === '*') {
    throw new ConfigError('CORS_ALLOW_CREDENTIALS', "must be false when CORS_ALLOW_ORIGINS is '*': browsers refuse credentials with any origin");
  }
  return { allowOrigins, allowMethods, allowHeaders, allowCredentials, maxAgeSeconds: integer(values, 'CORS_MAX_AGE_SECONDS', 0, 86400) };
}

function authConfig(values: Values): AuthConfig {
  const cognitoUserPoolId = optional(values, 'COGNITO_USER_POOL_ID');
  if (cognitoUserPoolId !== undefined) {
    try {
      parseUserPool(cognitoUserPoolId);
    } catch (error) {
      throw new ConfigError('COGNITO_USER_POOL_ID', (error as Error).message);
    }
  }
  const cognitoAppClientIds = listMatching(values, 'COGNITO_APP_CLIENT_IDS', /^[\w+]{1,128}$/, 'each entry must be a Cognito app client id');
  if (cognitoAppClientIds.length > 0 && cognitoUserPoolId === undefined) {
    throw new ConfigError('COGNITO_APP_CLIENT_IDS', 'names clients of an existing pool: set COGNITO_USER_POOL_ID too (the stack creates its own client with its own pool)');
  }
  const allowedSourceIps = list(values, 'API_ALLOWED_SOURCE_IPS');
  const badCidr = allowedSourceIps.find((cidr) => !isCidr(cidr));
  if (badCidr !== undefined) {
    throw new ConfigError('API_ALLOWED_SOURCE_IPS', `each entry must be an IPv4 or IPv6 CIDR block such as 203.0.113.0/24 or 203.0.113.7/32, got '${badCidr}'`);
  }
  const quotaLimit = optional(values, 'API_QUOTA_LIMIT');
  const quota =
    quotaLimit === undefined
      ? undefined
      : { limit: integer(values, 'API_QUOTA_LIMIT', 1, 2_000_000_000), period: oneOf(values, 'API_QUOTA_PERIOD', ['DAY', 'WEEK', 'MONTH'] as const, (v) => v.toUpperCase()) };
  const usagePlans = usagePlansConfig(values, quota);
  return { cognitoUserPoolId, cognitoAppClientIds, allowedSourceIps, quota: text(values, 'API_USAGE_PLANS').trim() === '' ? quota : undefined, usagePlans, apiKeys: apiKeysConfig(values, usagePlans) };
}

const PLAN_OR_KEY_NAME = /^[A-Za-z0-9_-]{1,64}$/;
// "an alphanumeric string between 20 and 128 characters" (api-gateway-api-usage-plans.html).
const API_KEY_VALUE = /^[A-Za-z0-9]{20,128}$/;

/** API_USAGE_PLANS (NAME[:quota=LIMIT/PERIOD][:throttle=RATE/BURST], comma-separated), or the default plan. */
function usagePlansConfig(values: Values, defaultQuota: UsagePlanConfig['quota']): UsagePlanConfig[] {
  const plans = list(values, 'API_USAGE_PLANS').map((entry): UsagePlanConfig => {
    const [name, ...parts] = entry.split(':');
    if (!PLAN_OR_KEY_NAME.test(name)) throw new ConfigError('API_USAGE_PLANS', `each plan name must be 1 to 64 letters, digits, '-' or '_', got '${name}'`);
    let quota: UsagePlanConfig['quota'];
    let throttle: UsagePlanConfig['throttle'];
    for (const part of parts) {
      if (part.startsWith('quota=') && quota === undefined) {
        const [limit, period = ''] = part.slice('quota='.length).split('/', 2);
        const upper = period.toUpperCase();
        if (!/^\d+$/.test(limit) || Number(limit) < 1 || Number(limit) > 2_000_000_000 || !['DAY', 'WEEK', 'MONTH'].includes(upper)) {
          throw new ConfigError(
            'API_USAGE_PLANS',
            `plan '${name}': quota must be LIMIT/PERIOD, a whole number from 1 to 2000000000 and DAY, WEEK or MONTH, got '${part.slice('quota='.length)}'`,
          );
        }
        quota = { limit: Number(limit), period: upper as QuotaPeriod };
      } else if (part.startsWith('throttle=') && throttle === undefined) {
        const [rate, burst = ''] = part.slice('throttle='.length).split('/', 2);
        if (!/^\d+(\.\d+)?$/.test(rate) || Number(rate) <= 0 || !/^\d+$/.test(burst) || Number(burst) < 1 || Number(burst) > 5000) {
          throw new ConfigError(
            'API_USAGE_PLANS',
            `plan '${name}': throttle must be RATE/BURST, a positive number of requests per second and a whole number from 1 to 5000, got '${part.slice('throttle='.length)}'`,
          );
        }
        throttle = { rateLimit: Number(rate), burstLimit: Number(burst) };
      } else {
        throw new ConfigError('API_USAGE_PLANS', `plan '${name}': expected quota=LIMIT/PERIOD or throttle=RATE/BURST, got '${part}'`);
      }
    }
    return { name, ...(quota ? { quota } : {}), ...(throttle ? { throttle } : {}) };
  });
  if (plans.length === 0) {
    // As the stack has always deployed it: API_QUOTA_* and the stage's throttle for each key.
    const throttle = { rateLimit: positiveNumber(values, 'API_THROTTLE_RATE_LIMIT'), burstLimit: integer(values, 'API_THROTTLE_BURST_LIMIT', 1, 5000) };
    return [{ name: DEFAULT_USAGE_PLAN, ...(defaultQuota ? { quota: defaultQuota } : {}), throttle }];
  }
  if (defaultQuota !== undefined) {
    throw new ConfigError('API_QUOTA_LIMIT', 'is the quota of the default plan only: with API_USAGE_PLANS give each plan its own quota=LIMIT/PERIOD');
  }
  const duplicate = plans.find((plan, index) => plans.findIndex((other) => other.name === plan.name) !== index);
  if (duplicate !== undefined) throw new ConfigError('API_USAGE_PLANS', `lists plan '${duplicate.name}' twice`);
  return plans;
}

/** API_KEYS (NAME:PLAN or NAME:PLAN:VALUE, comma-separated), or the default key of the first plan. */
function apiKeysConfig(values: Values, plans: readonly UsagePlanConfig[]): ApiKeyConfig[] {
  const keys = list(values, 'API_KEYS').map((entry): ApiKeyConfig => {
    const parts = entry.split(':');
    if (parts.length < 2 || parts.length > 3) throw new ConfigError('API_KEYS', `each entry must be NAME:PLAN or NAME:PLAN:VALUE, got '${entry}'`);
    const [name, plan, value] = parts;
    if (!PLAN_OR_KEY_NAME.test(name)) throw new ConfigError('API_KEYS', `each key name must be 1 to 64 letters, digits, '-' or '_', got '${name}'`);
    if (value !== undefined && !API_KEY_VALUE.test(value)) {
      throw new ConfigError('API_KEYS', `the value of key '${name}' must be 20 to 128 letters or digits (API Gateway's alphanumeric key values)`);
    }
    return { name, plan, ...(value !== undefined ? { value } : {}) };
  });
  if (keys.length === 0) keys.push({ name: DEFAULT_API_KEY, plan: plans[0].name });
  const defaultPlans = text(values, 'API_USAGE_PLANS').trim() === '';
  keys.forEach((key, index) => {
    if (keys.findIndex((other) => other.name === key.name) !== index) throw new ConfigError('API_KEYS', `lists key '${key.name}' twice`);
    if (key.value !== undefined && keys.findIndex((other) => other.value === key.value) !== index) {
      throw new ConfigError('API_KEYS', `key '${key.name}' has the value of another key`);
    }
    if (!plans.some((plan) => plan.name === key.plan)) {
      throw new ConfigError('API_KEYS', `plan '${key.plan}' of key '${key.name}' is not in ${defaultPlans ? "the default plans (only 'default')" : 'API_USAGE_PLANS'}`);
    }
  });
  return keys;
}

export function isCidr(cidr: string): boolean {
  const match = /^([^/]+)\/(\d{1,3})$/.exec(cidr);
  if (!match) return false;
  const version = net.isIP(match[1]);
  const prefix = Number(match[2]);
  return (version === 4 && prefix <= 32) || (version === 6 && prefix <= 128);
}

/** DEPLOY_REGIONS and STAGING_ACCOUNT_ID: both need the pipeline's own account and region spelled out. */
function deploymentTargets(values: Values, account: string | undefined, region: string | undefined): Pick<AppConfig, 'deployRegions' | 'stagingAccount'> {
  const deployRegions = listMatching(values, 'DEPLOY_REGIONS', REGION_PATTERN, 'each entry must be an AWS region name such as eu-west-1');
  if (deployRegions.length > 0 && (account === undefined || region === undefined)) {
    throw new ConfigError('DEPLOY_REGIONS', "needs AWS_ACCOUNT_ID and AWS_REGION (the pipeline's account and region): cross-region deployment needs an explicit environment");
  }
  const stagingAccount = optionalMatching(values, 'STAGING_ACCOUNT_ID', ACCOUNT_PATTERN, 'must be a 12-digit AWS account id');
  if (stagingAccount !== undefined) {
    if (!boolean(values, 'STAGING_ENABLED')) throw new ConfigError('STAGING_ACCOUNT_ID', 'has no effect unless STAGING_ENABLED=true');
    if (account === undefined || region === undefined) {
      throw new ConfigError('STAGING_ACCOUNT_ID', "needs AWS_ACCOUNT_ID and AWS_REGION (the pipeline's account and region): cross-account deployment needs an explicit environment");
    }
  }
  return { deployRegions, stagingAccount };
}

/**
 * Lambda keeps 100 of an account's concurrent executions (per region) unreserved; with the
 * default quota of 1000 at most 900 can be reserved, summed over every function there.
 */
export const LAMBDA_DEFAULT_CONCURRENCY_QUOTA = 1000;
export const LAMBDA_UNRESERVED_MINIMUM = 100;

/** FUNCTION_RESERVED_CONCURRENCY: 0 would throttle every invocation (it disables the function). */
function reservedConcurrency(values: Values): number {
  const value = integer(values, 'FUNCTION_RESERVED_CONCURRENCY', 0, 100000);
  if (value === 0) {
    throw new ConfigError('FUNCTION_RESERVED_CONCURRENCY', 'must be at least 1: 0 reserves nothing and throttles every invocation (leave it empty to reserve none)');
  }
  return value;
}

/** The namespace's room for the stage suffix the stacks add (`/staging`, see stageMetricsNamespace). */
const METRICS_NAMESPACE_MAX = 255 - '/staging'.length;

/** METRICS_NAMESPACE, or the application's name; AWS/ is reserved for AWS's own metrics. */
function metricsNamespace(values: Values, application: string): string {
  const namespace = optionalMatching(
    values,
    'METRICS_NAMESPACE',
    new RegExp(`^[A-Za-z0-9.\\-_/#:]{1,${METRICS_NAMESPACE_MAX}}$`),
    `must be a CloudWatch namespace: letters, digits and . - _ / # : (at most ${METRICS_NAMESPACE_MAX}, the stacks add /prod, /staging or /dev)`,
  );
  if (namespace?.startsWith('AWS/')) throw new ConfigError('METRICS_NAMESPACE', `must not start with AWS/ (reserved for AWS services), got '${namespace}'`);
  return namespace ?? application;
}

function retention(values: Values): logs.RetentionDays {
  const days = integer(values, 'LOG_RETENTION_DAYS', 1, Number.MAX_SAFE_INTEGER);
  if (!RETENTION_DAYS.includes(days)) {
    throw new ConfigError('LOG_RETENTION_DAYS', `must be one of CloudWatch Logs' retention periods (${RETENTION_DAYS.join(', ')}), got '${days}'`);
  }
  return days as logs.RetentionDays;
}

/**
 * Reads `.env.example`, `.env` (if present), the process environment and the overrides, in
 * rising priority, and validates the result. Keys the files do not know are rejected (a typo
 * would otherwise be ignored silently); the process environment only supplies known keys.
 */
export function loadConfig(options: LoadConfigOptions = {}): AppConfig {
  const exampleFile = options.exampleFile ?? path.join(REPOSITORY_ROOT, '.env.example');
  const envFile = options.envFile ?? path.join(REPOSITORY_ROOT, '.env');
  const environment = options.environment ?? process.env;

  if (!fs.existsSync(exampleFile)) {
    throw new ConfigError(exampleFile, 'the documented defaults file is missing');
  }
  const merged = parseEnvText(fs.readFileSync(exampleFile, 'utf8'), exampleFile);
  const knownKeys = new Set(merged.keys());

  if (fs.existsSync(envFile)) {
    for (const [key, value] of parseEnvText(fs.readFileSync(envFile, 'utf8'), envFile)) {
      if (!knownKeys.has(key) && RENAMED_KEYS[key] !== undefined) {
        throw new ConfigError(key, `was renamed: use ${RENAMED_KEYS[key]} in ${envFile}`);
      }
      if (!knownKeys.has(key)) {
        throw new ConfigError(key, `unknown key in ${envFile} (known keys are those of ${path.basename(exampleFile)})`);
      }
      merged.set(key, value);
    }
  }
  for (const key of knownKeys) {
    const value = environment[key];
    if (value !== undefined) merged.set(key, value);
  }
  for (const [key, value] of Object.entries(options.overrides ?? {})) {
    if (!knownKeys.has(key)) throw new ConfigError(key, 'unknown key');
    merged.set(key, value);
  }
  // With no explicit target, use the CLI's profile (set by `cdk` when credentials exist).
  if ((merged.get('AWS_ACCOUNT_ID') ?? '') === '' && environment.CDK_DEFAULT_ACCOUNT) {
    merged.set('AWS_ACCOUNT_ID', environment.CDK_DEFAULT_ACCOUNT);
  }
  if ((merged.get('AWS_REGION') ?? '') === '' && environment.CDK_DEFAULT_REGION) {
    merged.set('AWS_REGION', environment.CDK_DEFAULT_REGION);
  }
  return parseConfig(merged);
}

/** The CDK environment of the stacks: explicit only for what is known. */
export function stackEnvironment(config: AppConfig): { account?: string; region?: string } | undefined {
  if (config.account === undefined && config.region === undefined) return undefined;
  return { account: config.account, region: config.region };
}
