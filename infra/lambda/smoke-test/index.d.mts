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
export function handler(event: { DeploymentId: string; LifecycleEventHookExecutionId: string }): Promise<string>;
