// Types of index.mjs, for the TypeScript tests that import it.
export interface SmokeTestRoute {
  readonly path: string;
  readonly auth: string;
}
export interface SmokeTestResult {
  readonly path: string;
  readonly auth: string;
  readonly status: number;
  readonly ok: boolean;
  readonly detail: string;
}
export function expectedStatus(auth: string): (status: number) => boolean;
export function checkRoutes(
  baseUrl: string,
  routes: readonly SmokeTestRoute[],
  options?: { apiKey?: string; attempts?: number; timeoutMs?: number; retryDelayMs?: number },
): Promise<SmokeTestResult[]>;
export interface TestInvokeRoute extends SmokeTestRoute {
  readonly httpMethod: string;
  readonly resourceId: string;
}
export interface TestInvokeInput {
  readonly restApiId: string;
  readonly resourceId: string;
  readonly httpMethod: string;
  readonly pathWithQueryString: string;
}
export type TestInvoke = (input: TestInvokeInput) => Promise<{ status?: number; body?: string }>;
export function invokedByTestInvoke(auth: string): boolean;
export function testInvokeInput(restApiId: string, route: TestInvokeRoute): TestInvokeInput;
export function invokeRoutes(
  invoke: TestInvoke,
  restApiId: string,
  routes: readonly TestInvokeRoute[],
  options?: { attempts?: number; retryDelayMs?: number },
): Promise<SmokeTestResult[]>;
export function smokeTest(options: {
  routes: readonly TestInvokeRoute[];
  restApiId: string;
  baseUrl: string;
  invoke: TestInvoke;
  attempts?: number;
  retryDelayMs?: number;
}): Promise<SmokeTestResult[]>;
export function handler(event: { DeploymentId: string; LifecycleEventHookExecutionId: string }): Promise<string>;
