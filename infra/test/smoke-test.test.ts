/**
 * The post-deployment checks against the real API: `cppstack-local` serving the real bootstrap
 * and route table, as API Gateway serves the stage. Both checks request every parameter-free
 * GET route of the table: CodeDeploy's post-traffic hook (lambda/smoke-test, whose failure rolls
 * the alias back) and the pipeline's SmokeTest step (a shell command run by CodeBuild).
 */
import assert from 'node:assert/strict';
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { checkRoutes, invokeRoutes, smokeTest, testInvokeInput, TestInvokeInput } from '../lambda/smoke-test/index.mjs';
import { smokeTestRoutes } from '../lib/api-stack';
import { pipelineSmokeTestPaths, smokeTestCommand } from '../lib/pipeline-stack';
import { loadOpenApiDocument, OPENAPI_FILE } from '../lib/request-validation';
import { loadRouteTable, resolveDistDir, Route, ROUTES_FILE } from '../lib/route-table';
import { LocalApi, startLocalApi } from './support/local-api';

const routesFile = path.join(resolveDistDir(), ROUTES_FILE);
const routes = loadRouteTable(routesFile).routes;
const openApi = loadOpenApiDocument(path.join(resolveDistDir(), OPENAPI_FILE));
const checked = smokeTestRoutes(routes, openApi);
/** A path the table does not have: the gateway answers 403 Missing Authentication Token. */
const MISSING = { path: '/v1/no-such-route', auth: 'none' };

let api: LocalApi;
before(async () => {
  api = await startLocalApi({ routesFile });
});
after(async () => {
  await api?.stop();
});

describe('the routes the smoke tests request', () => {
  it('are every GET route without path parameters', () => {
    const expected = routes.filter((r) => (r.method === 'GET' || r.method === 'ANY') && !r.path.includes('{')).map((r) => r.path);
    assert.deepEqual(
      checked.map((r) => r.path),
      expected,
    );
    assert.ok(expected.includes('/v1/health') && expected.length >= 3, `more than /v1/health: ${expected.join(', ')}`);
  });

  it('leave out a route whose request validator requires a query parameter (it would answer 400)', () => {
    const search: Route = { method: 'GET', path: '/v1/search', handler: 'search', summary: '', auth: 'none', cacheTtlSeconds: 0, throttle: null };
    const document = { paths: { '/v1/search': { get: { parameters: [{ name: 'q', in: 'query', required: true }] } } } };
    assert.deepEqual(smokeTestRoutes([search], document), []);
    assert.deepEqual(pipelineSmokeTestPaths({ formatVersion: 1, routes: [...routes, search] }, { ...openApi, paths: { ...openApi?.paths, ...document.paths } }), checked.filter((r) => r.auth === 'none').map((r) => r.path));
    const optional = { paths: { '/v1/search': { get: { parameters: [{ name: 'q', in: 'query', required: false }] } } } };
    assert.deepEqual(smokeTestRoutes([search], optional), [search]);
  });
});

/**
 * TestInvokeMethod as the hook calls it, played by the local stage: the request reaches the
 * method's integration with no resource policy, WAF, authorizer or key check in the way
 * (https://docs.aws.amazon.com/apigateway/latest/api/API_TestInvokeMethod.html: the answer's
 * `status` and `body` are the integration's).
 */
function localTestInvoke(calls: TestInvokeInput[]) {
  return async (input: TestInvokeInput) => {
    calls.push(input);
    const response = await fetch(`${api.stageUrl}${input.pathWithQueryString}`);
    return { status: response.status, body: await response.text() };
  };
}

describe('CodeDeploy post-traffic hook by TestInvokeMethod', () => {
  const hookRoutes = () => checked.map((r) => ({ path: r.path, auth: r.auth, httpMethod: r.method, resourceId: `id-${r.path}` }));

  it('runs each public route with TestInvokeMethod on its own resource and method, and passes on 2XX', async () => {
    const calls: TestInvokeInput[] = [];
    const results = await invokeRoutes(localTestInvoke(calls), 'abc123', hookRoutes(), { attempts: 1 });
    assert.deepEqual(
      results.map((r) => [r.path, r.status, r.ok]),
      checked.map((r) => [r.path, 200, true]),
    );
    assert.deepEqual(calls, hookRoutes().map((route) => testInvokeInput('abc123', route)));
    assert.deepEqual(calls[0], { restApiId: 'abc123', resourceId: `id-${checked[0].path}`, httpMethod: 'GET', pathWithQueryString: checked[0].path });
  });

  it('fails a route whose method answers 4XX or 5XX, and a TestInvokeMethod call that is refused', async () => {
    const [missing] = await invokeRoutes(localTestInvoke([]), 'abc123', [{ ...MISSING, httpMethod: 'GET', resourceId: 'x' }], { attempts: 1 });
    assert.deepEqual([missing.ok, missing.status], [false, 403]);
    const denied = async () => {
      throw Object.assign(new Error('not authorized to perform: apigateway:POST'), { name: 'AccessDeniedException' });
    };
    const [refused] = await invokeRoutes(denied, 'abc123', [{ path: '/v1/health', auth: 'none', httpMethod: 'GET', resourceId: 'x' }], { attempts: 2, retryDelayMs: 1 });
    assert.deepEqual([refused.ok, refused.status], [false, 0]);
    assert.match(refused.detail, /AccessDeniedException/);
  });

  it('requests Cognito and IAM routes through the stage, where they must be refused', async () => {
    const calls: TestInvokeInput[] = [];
    const results = await smokeTest({
      routes: [
        { path: '/v1/health', auth: 'none', httpMethod: 'GET', resourceId: 'h' },
        { path: '/v1/no-such-route', auth: 'iam', httpMethod: 'GET', resourceId: 'm' },
      ],
      restApiId: 'abc123',
      baseUrl: api.stageUrl,
      invoke: localTestInvoke(calls),
      attempts: 1,
    });
    assert.deepEqual(calls.map((call) => call.pathWithQueryString), ['/v1/health']);
    assert.deepEqual(results.map((r) => [r.path, r.status, r.ok]), [['/v1/health', 200, true], ['/v1/no-such-route', 403, true]]);
  });
});

describe('CodeDeploy post-traffic hook', () => {
  it('passes when every route answers 2XX', async () => {
    const results = await checkRoutes(api.stageUrl, checked.map((r) => ({ path: r.path, auth: r.auth })), { attempts: 1 });
    assert.deepEqual(
      results.map((r) => [r.path, r.ok]),
      checked.map((r) => [r.path, true]),
      JSON.stringify(results),
    );
    assert.ok(results.every((r) => r.status === 200));
  });

  it('fails a route the deployed API does not answer with 2XX, and reports its status', async () => {
    const [result] = await checkRoutes(api.stageUrl, [MISSING], { attempts: 1 });
    assert.equal(result.ok, false);
    assert.equal(result.status, 403);
    assert.match(result.detail, /Missing Authentication Token/);
  });

  it('fails when the API cannot be reached', async () => {
    const [result] = await checkRoutes('http://127.0.0.1:9/prod', [{ path: '/v1/health', auth: 'none' }], { attempts: 2, retryDelayMs: 10 });
    assert.equal(result.ok, false);
    assert.equal(result.status, 0);
  });
});

describe('pipeline SmokeTest step command', () => {
  const run = (paths: string[], options: { sourceIpAllowlist?: boolean; url?: string } = {}) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cppstack-smoke-'));
    try {
      return spawnSync('sh', ['-c', smokeTestCommand(paths, options)], {
        cwd: dir,
        encoding: 'utf8',
        env: { PATH: process.env.PATH, API_URL: `${options.url ?? api.stageUrl}/` },
        timeout: 60000,
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };

  it('succeeds and prints each route when all answer 2XX', () => {
    const result = run(checked.map((r) => r.path));
    assert.equal(result.status, 0, result.stdout + result.stderr);
    for (const route of checked) assert.match(result.stdout, new RegExp(`GET ${api.stageUrl}${route.path} -> HTTP 200`));
  });

  it('fails when one route does not answer 2XX, after checking the others', () => {
    const result = run([MISSING.path, '/v1/health']);
    assert.notEqual(result.status, 0);
    assert.match(result.stdout, /no-such-route -> HTTP 403/);
    assert.match(result.stdout, /v1\/health -> HTTP 200/);
  });

  describe('with API_ALLOWED_SOURCE_IPS', () => {
    // API Gateway's answer to a caller a resource policy denies: 403 and the message naming the
    // explicit deny (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-resource-policies-examples.html).
    const DENIED = '{"Message":"User: anonymous is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:eu-west-1:********1111:abc123/prod/GET/v1/health with an explicit deny"}';
    // Its own process: the smoke command runs synchronously and would block a server in this one.
    let server: ChildProcess;
    let url = '';
    before(async () => {
      const script = `
        const server = require('node:http').createServer((request, response) => {
          const other = request.url.endsWith('/other-403');
          response.writeHead(403, { 'content-type': 'application/json' }).end(other ? '{"message":"Forbidden"}' : ${JSON.stringify(DENIED)});
        });
        server.listen(0, '127.0.0.1', () => console.log(server.address().port));`;
      server = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      const port = await new Promise<string>((resolve) => server.stdout!.once('data', (data) => resolve(String(data).trim())));
      url = `http://127.0.0.1:${port}/prod`;
    });
    after(() => {
      server.kill();
    });

    it("passes when the resource policy refuses the build's address, and says so", () => {
      const result = run(['/v1/health'], { sourceIpAllowlist: true, url });
      assert.equal(result.status, 0, result.stdout + result.stderr);
      assert.match(result.stdout, /refused by the resource policy/);
    });

    it('fails on any other 403, and on the policy refusal when no allowlist is configured', () => {
      assert.notEqual(run(['/other-403'], { sourceIpAllowlist: true, url }).status, 0);
      assert.notEqual(run(['/v1/health'], { url }).status, 0);
    });
  });
});
