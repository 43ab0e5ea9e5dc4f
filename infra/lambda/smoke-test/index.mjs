// CodeDeploy AfterAllowTraffic hook of the function's `live` alias: once CodeDeploy has moved
// all traffic to the new version, it requests every parameter-free GET route of the route
// table through the API stage, then reports Succeeded or Failed. Failed makes CodeDeploy roll
// the alias back to the previous version, and CloudFormation the stack update.
// https://docs.aws.amazon.com/codedeploy/latest/userguide/reference-appspec-file-structure-hooks.html#appspec-hooks-lambda
//
// Environment: API_BASE_URL (the stage URL, no trailing slash), SMOKE_TEST_ROUTES (JSON list of
// {path, auth}), API_KEY_ID (when a route needs an API key).

/** Statuses that pass, by the route's auth: public and API key routes must answer 2XX. */
export function expectedStatus(auth) {
  if (auth === 'none' || auth === 'apiKey' || auth === 'api_key') return (status) => status >= 200 && status < 300;
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
    const headers = apiKey && (route.auth === 'apiKey' || route.auth === 'api_key') ? { 'x-api-key': apiKey } : {};
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

async function apiKeyValue(keyId) {
  if (!keyId) return undefined;
  const { APIGatewayClient, GetApiKeyCommand } = await import('@aws-sdk/client-api-gateway');
  const key = await new APIGatewayClient({}).send(new GetApiKeyCommand({ apiKey: keyId, includeValue: true }));
  return key.value;
}

export async function handler(event) {
  let status = 'Failed';
  try {
    const routes = JSON.parse(process.env.SMOKE_TEST_ROUTES);
    const results = await checkRoutes(process.env.API_BASE_URL, routes, { apiKey: await apiKeyValue(process.env.API_KEY_ID) });
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
