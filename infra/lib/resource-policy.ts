/**
 * The optional source-IP allowlist of the API (API_ALLOWED_SOURCE_IPS) as its resource policy:
 * requests from any other address get API Gateway's 403 before authentication or the function.
 *
 * @example
 *   restrictSourceIps(api, ['203.0.113.0/24', '2001:db8::/32']);
 */
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';

/** Every method of every stage, in the resource-policy shorthand API Gateway documents. */
export const ALL_METHODS_RESOURCE = 'execute-api:/*';

/**
 * Adds the two statements of the allowlist. Once an API has a resource policy, API Gateway lets
 * a call through only when a statement allows it, so:
 * - Allow anonymous callers (the routes with auth none, apiKey or cognito, and CORS preflights).
 *   The condition keeps the statement off signed callers: an "Allow *" would otherwise let any
 *   SigV4-signing principal of any account call the iam routes. Signed callers of this account
 *   stay governed by their own IAM policies, other accounts stay refused, as without a policy.
 * - Deny every caller whose source address is not in the list (an explicit deny wins).
 * The policy is not part of what CDK hashes into the deployment, so it is added to it: a changed
 * list redeploys the stage (API Gateway applies a policy only with a new deployment).
 */
export function restrictSourceIps(api: apigateway.RestApi, allowedCidrs: readonly string[]): void {
  if (allowedCidrs.length === 0) return;
  api.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowAnonymousCallers',
      effect: iam.Effect.ALLOW,
      principals: [new iam.AnyPrincipal()],
      actions: ['execute-api:Invoke'],
      resources: [ALL_METHODS_RESOURCE],
      conditions: { Null: { 'aws:PrincipalAccount': 'true' } },
    }),
  );
  api.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'DenyOtherSourceAddresses',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['execute-api:Invoke'],
      resources: [ALL_METHODS_RESOURCE],
      conditions: { NotIpAddress: { 'aws:SourceIp': [...allowedCidrs] } },
    }),
  );
  api.latestDeployment?.addToLogicalId({ sourceIpAllowlist: allowedCidrs });
}
