// CodeDeploy AfterAllowTraffic hook of the function's `live` alias: once CodeDeploy has moved
// all traffic to the new version, it checks every GET route a request without parameters
// satisfies, then reports Succeeded or Failed. Failed makes CodeDeploy roll the alias back to
// the previous version, and CloudFormation the stack update.
// https://docs.aws.amazon.com/codedeploy/latest/userguide/reference-appspec-file-structure-hooks.html#appspec-hooks-lambda
//
// Public and API key routes are run with API Gateway's TestInvokeMethod
// (https://docs.aws.amazon.com/apigateway/latest/api/API_TestInvokeMethod.html), a control-plane
// call: the hook, a Lambda function outside any VPC, is not among the addresses an IP allowlist
// lets through the stage, and needs no key. Cognito and IAM routes are requested through the
// stage without credentials and must be refused (401 or 403).
//
// Environment: REST_API_ID, API_BASE_URL (the stage URL, no trailing slash), SMOKE_TEST_ROUTES
// (JSON list of {path, auth, httpMethod, resourceId}).

/** Statuses that pass, by the route's auth: public and API key routes must answer 2XX. */
export function expectedStatus(auth) {
  if (auth === 'none' || auth === 'apiKey') return (status) => status >= 200 && status < 300;
  // Routes behind Cognito or IAM get no credentials here: the gateway must refuse them.
  return (status) => status === 401 || status === 403;
}

/**
 * Requests each route once (retrying network errors and 5XX answers up to `attempts` times) and
 * returns one result per route: {path, auth, status, ok, detail}.
 */
export async function checkRoutes(baseUrl, routes, { apiKey, attempts = 3, timeoutMs = 10000, retryDelayMs = 2000 } = {}) {
  const results = [];
  for (const route of routes) {
    const passes = expectedStatus(route.auth);
    const headers = apiKey && route.auth === 'apiKey' ? { 'x-api-key': apiKey } : {};
    let result;
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      try {
        const response = await fetch(`${baseUrl}${route.path}`, { headers, signal: AbortSignal.timeout(timeoutMs) });
        const body = await response.text();
        result = { path: route.path, auth: route.auth, status: response.status, ok: passes(response.status), detail: body.slice(0, 200) };
      } catch (error) {
        result = { path: route.path, auth: route.auth, status: 0, ok: false, detail: String(error?.cause ?? error) };
      }
      if (result.ok || (result.status >= 400 && result.status < 500)) break;
      if (attempt < attempts) await new Promise((resolve) => setTimeout(resolve, retryDelayMs));
    }
    results.push(result);
  }
  return results;
}

/** Routes anyone or any API key holder may call: the hook invokes them with TestInvokeMethod. */
export function invokedByTestInvoke(auth) {
  return auth === 'none' || auth === 'apiKey';
}

/** The TestInvokeMethod request of a route: the method itself, with no parameters, headers or body. */
export function testInvokeInput(restApiId, route) {
  return { restApiId, resourceId: route.resourceId, httpMethod: route.httpMethod, pathWithQueryString: route.path };
}

/**
 * Runs each route's method with `invoke` (TestInvokeMethod: API Gateway runs the method request,
 * its validator and its integration, the live alias, without the resource policy, WAF, the
 * authorizer or the API key check) and returns one result per route; 2XX passes. Throttling of
 * the control-plane call and 5XX answers are retried up to `attempts` times.
 */
export async function invokeRoutes(invoke, restApiId, routes, { attempts = 3, retryDelayMs = 2000 } = {}) {
  const results = [];
  for (const route of routes) {
    let result;
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      try {
        const answer = await invoke(testInvokeInput(restApiId, route));
        const status = Number(answer.status);
        result = { path: route.path, auth: route.auth, status, ok: status >= 200 && status < 300, detail: String(answer.body ?? '').slice(0, 200) };
      } catch (error) {
        result = { path: route.path, auth: route.auth, status: 0, ok: false, detail: String(error?.name ?? error) + ': ' + String(error?.message ?? '') };
      }
      if (result.ok || (result.status >= 400 && result.status < 500)) break;
      if (attempt < attempts) await new Promise((resolve) => setTimeout(resolve, retryDelayMs));
    }
    results.push(result);
  }
  return results;
}

/** Every route's result: TestInvokeMethod for public and API key routes, anonymous requests through the stage for the others. */
export async function smokeTest({ routes, restApiId, baseUrl, invoke, attempts, retryDelayMs }) {
  const invoked = routes.filter((route) => invokedByTestInvoke(route.auth));
  const refused = routes.filter((route) => !invokedByTestInvoke(route.auth));
  return [
    ...(await invokeRoutes(invoke, restApiId, invoked, { attempts, retryDelayMs })),
    ...(await checkRoutes(baseUrl, refused, { attempts, retryDelayMs })),
  ];
}

export async function handler(event) {
  let status = 'Failed';
  try {
    const { APIGatewayClient, TestInvokeMethodCommand } = await import('@aws-sdk/client-api-gateway');
    const client = new APIGatewayClient({});
    const results = await smokeTest({
      routes: JSON.parse(process.env.SMOKE_TEST_ROUTES),
      restApiId: process.env.REST_API_ID,
      baseUrl: process.env.API_BASE_URL,
      invoke: (input) => client.send(new TestInvokeMethodCommand(input)),
    });
    for (const result of results) console.log(JSON.stringify(result));
    status = results.length > 0 && results.every((result) => result.ok) ? 'Succeeded' : 'Failed';
  } catch (error) {
    console.error(`smoke test could not run: ${error?.stack ?? error}`);
  }
  console.log(JSON.stringify({ deploymentId: event.DeploymentId, status }));
  const { CodeDeployClient, PutLifecycleEventHookExecutionStatusCommand } = await import('@aws-sdk/client-codedeploy');
  await new CodeDeployClient({}).send(
    new PutLifecycleEventHookExecutionStatusCommand({
      deploymentId: event.DeploymentId,
      lifecycleEventHookExecutionId: event.LifecycleEventHookExecutionId,
      status,
    }),
  );
  return status;
}
