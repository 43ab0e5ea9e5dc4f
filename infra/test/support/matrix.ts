/**
 * The named configurations every documented setting is tried in (docs/operations.md,
 * "Configurations checked"): each is `.env.example` plus its overrides, with the real dist/
 * or a copy grown by the routes a configuration needs.
 */
import { FunctionArchitecture } from '../../lib/config';

export interface MatrixConfiguration {
  readonly name: string;
  /** What the configuration stands for, as docs/operations.md's table says it. */
  readonly summary: string;
  readonly overrides: Readonly<Record<string, string>>;
  readonly architecture: FunctionArchitecture;
  /** Routes appended to routes.json, and their operations in openapi.json. */
  readonly extraRoutes?: object[];
  readonly openApiPaths?: Record<string, Record<string, object>>;
}

const ACCOUNT = '111111111111';
const STAGING_ACCOUNT = '222222222222';

const route = (method: string, path: string, auth: string, extra: object = {}) => ({
  method,
  path,
  handler: `${method.toLowerCase()}_${path.replace(/[^A-Za-z0-9]+/g, '_')}`,
  summary: `${method} ${path}`,
  auth,
  cacheTtlSeconds: 0,
  throttle: null,
  ...extra,
});

export const MATRIX: readonly MatrixConfiguration[] = [
  { name: 'default', summary: '`.env.example` as it is', overrides: {}, architecture: 'x86_64' },
  {
    name: 'other-application',
    summary: 'another APPLICATION and namespace, every tunable changed, deployed all at once',
    architecture: 'x86_64',
    overrides: {
      APPLICATION: 'orders-api',
      METRICS_NAMESPACE: 'Acme/Orders',
      GITHUB_OWNER: 'acme',
      GITHUB_REPO: 'orders',
      GITHUB_BRANCH: 'release/2026',
      GITHUB_TOKEN_VERSION_ID: '0123456789abcdef0123456789abcdef',
      LOG_LEVEL: 'DEBUG',
      LOG_RETENTION_DAYS: '90',
      FUNCTION_MEMORY_MB: '1024',
      FUNCTION_TIMEOUT_SECONDS: '20',
      DEPLOYMENT_STRATEGY: 'ALL_AT_ONCE',
      ALARM_LATENCY_P99_MS: '800',
      ALARM_4XX_RATE_PERCENT: '25',
      API_THROTTLE_RATE_LIMIT: '50',
      API_THROTTLE_BURST_LIMIT: '80',
      API_EXECUTION_LOG_LEVEL: 'INFO',
      SMOKE_TEST_PATH: '/v1/metadata',
    },
  },
  {
    name: 'arm64',
    summary: 'FUNCTION_ARCHITECTURE=arm64 (built on ARM), reserved concurrency',
    architecture: 'arm64',
    overrides: { FUNCTION_ARCHITECTURE: 'arm64', FUNCTION_RESERVED_CONCURRENCY: '50' },
  },
  {
    name: 'pipeline-eu-west-1',
    summary: 'an explicit account, the pipeline in eu-west-1, a CodeConnections connection, alarm mail',
    architecture: 'x86_64',
    overrides: {
      AWS_ACCOUNT_ID: ACCOUNT,
      AWS_REGION: 'eu-west-1',
      CODESTAR_CONNECTION_ARN: `arn:aws:codeconnections:eu-west-1:${ACCOUNT}:connection/0b1c2d3e-aaaa-bbbb-cccc-111122223333`,
      ALARM_EMAIL: 'ops@example.com',
    },
  },
  {
    name: 'two-regions',
    summary: 'production in eu-west-1 and us-east-1 (DEPLOY_REGIONS), the pipeline in eu-west-1',
    architecture: 'x86_64',
    overrides: { AWS_ACCOUNT_ID: ACCOUNT, AWS_REGION: 'eu-west-1', DEPLOY_REGIONS: 'eu-west-1,us-east-1' },
  },
  {
    name: 'staging-other-account',
    summary: 'staging in another account, then a notified manual approval, then production',
    architecture: 'x86_64',
    overrides: {
      AWS_ACCOUNT_ID: ACCOUNT,
      AWS_REGION: 'eu-central-1',
      STAGING_ENABLED: 'true',
      MANUAL_APPROVAL: 'true',
      STAGING_ACCOUNT_ID: STAGING_ACCOUNT,
      ALARM_EMAIL: 'ops@example.com',
    },
  },
  {
    name: 'allowlist-waf',
    summary: 'API_ALLOWED_SOURCE_IPS (IPv4 and IPv6) with WAF, staging in the same account without approval, too much reserved concurrency',
    architecture: 'x86_64',
    overrides: {
      API_ALLOWED_SOURCE_IPS: '203.0.113.0/24,2001:db8::/32',
      WAF_ENABLED: 'true',
      WAF_RATE_LIMIT: '500',
      STAGING_ENABLED: 'true',
      MANUAL_APPROVAL: 'false',
      // Staging, production and Dev-Api in one account and region: 1050 of the default 1000.
      FUNCTION_RESERVED_CONCURRENCY: '350',
    },
  },
  {
    name: 'auth-quota-cors',
    summary: 'routes of every auth mode (an existing Cognito pool and clients), an API key quota, CORS with credentials',
    architecture: 'x86_64',
    overrides: {
      AWS_REGION: 'eu-central-1',
      COGNITO_USER_POOL_ID: 'eu-central-1_AbCdEf123',
      COGNITO_APP_CLIENT_IDS: '1example23456789,2example23456789',
      API_QUOTA_LIMIT: '10000',
      API_QUOTA_PERIOD: 'DAY',
      CORS_ALLOW_ORIGINS: 'https://app.example.com,https://admin.example.com:8443',
      CORS_ALLOW_METHODS: 'GET,POST,DELETE',
      CORS_ALLOW_HEADERS: 'Content-Type,Authorization',
      CORS_ALLOW_CREDENTIALS: 'true',
      CORS_MAX_AGE_SECONDS: '300',
    },
    extraRoutes: [
      route('GET', '/v1/keyed', 'apiKey'),
      route('GET', '/v1/me', 'cognito', { authorizationScopes: ['orders/read'] }),
      route('GET', '/v1/signed', 'iam'),
      route('POST', '/v1/items', 'apiKey'),
    ],
  },
  {
    name: 'key-plans',
    summary: 'several usage plans and API keys of .env (quotas, per-key throttles, a key with a given value) on key routes',
    architecture: 'x86_64',
    overrides: {
      API_USAGE_PLANS: 'basic:quota=1000/MONTH:throttle=5/10,partner:quota=100000/DAY',
      API_KEYS: 'web:basic,mobile:basic,partner-a:partner:partnerkey0123456789ab',
    },
    extraRoutes: [
      route('GET', '/v1/keyed', 'apiKey'),
      route('POST', '/v1/orders', 'apiKey'),
    ],
  },
  {
    name: 'query-and-any',
    summary: 'a GET route with a required query parameter, an ANY route, a cached route (cache cluster)',
    architecture: 'x86_64',
    overrides: { API_CACHE_CLUSTER_SIZE: '1.6' },
    extraRoutes: [route('GET', '/v1/search', 'none', { cacheTtlSeconds: 60 }), route('ANY', '/v1/echo', 'none'), route('GET', '/v1/echo', 'none')],
    openApiPaths: {
      '/v1/search': { get: { operationId: 'get__v1_search', parameters: [{ name: 'q', in: 'query', required: true, schema: { type: 'string' } }] } },
    },
  },
];
