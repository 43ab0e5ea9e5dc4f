/**
 * Whole-deployment checks over a synthesized app: each reads several resources, of several
 * stacks where it matters, and reasons about them the way AWS evaluates them at deploy or run
 * time (names unique where AWS requires it, alarms on series that exist, callers allowed).
 * Each returns the problems it found as sentences; an empty list is a pass.
 */
import * as cxapi from 'aws-cdk-lib/cx-api';

import { emittedRouteDimensions, FUNCTION_METRICS } from '../../lib/metrics';
import { MAX_DEPLOYMENT_GROUP_ALARMS } from '../../lib/monitoring';
import { Route } from '../../lib/route-table';

type Template = { Resources: Record<string, { Type: string; Properties?: any; Metadata?: any }> };

export interface DeployedStack {
  readonly stackName: string;
  readonly account: string;
  readonly region: string;
  readonly template: Template;
}

/** Every stack of the assembly with the account and region it deploys to (agnostic stacks share the CLI's). */
export function deployedStacks(stacks: readonly cxapi.CloudFormationStackArtifact[]): DeployedStack[] {
  return stacks.map((stack) => ({
    stackName: stack.stackName,
    account: stack.environment.account,
    region: stack.environment.region,
    template: stack.template as Template,
  }));
}

/**
 * A CloudFormation value as a string: pseudo parameters become the stack's account and region,
 * a reference to a resource `<stack:LogicalId>` (or `<stack:LogicalId.Attribute>`), which is
 * unique by construction. Two values that render alike are the same at deploy time.
 */
export function render(stack: DeployedStack, value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  const node = value as Record<string, any>;
  if (node?.Ref !== undefined) {
    const pseudo: Record<string, string> = {
      'AWS::Region': stack.region,
      'AWS::AccountId': stack.account,
      'AWS::Partition': 'aws',
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::StackName': stack.stackName,
      'AWS::StackId': `<stack-id:${stack.stackName}>`,
    };
    const target = stack.template.Resources?.[node.Ref];
    // Ref of a stage is its name.
    if (target?.Type === 'AWS::ApiGateway::Stage' && typeof target.Properties?.StageName === 'string') return target.Properties.StageName;
    return pseudo[node.Ref] ?? `<${stack.stackName}:${node.Ref}>`;
  }
  if (node?.['Fn::GetAtt'] !== undefined) return `<${stack.stackName}:${[node['Fn::GetAtt']].flat().join('.')}>`;
  if (node?.['Fn::Join'] !== undefined) return (node['Fn::Join'][1] as unknown[]).map((part) => render(stack, part)).join(node['Fn::Join'][0]);
  if (node?.['Fn::Sub'] !== undefined) {
    const [text, variables] = Array.isArray(node['Fn::Sub']) ? node['Fn::Sub'] : [node['Fn::Sub'], {}];
    return (text as string).replace(/\$\{([^}!]+)\}/g, (_, name: string) =>
      name in variables ? render(stack, variables[name]) : render(stack, name.includes('.') ? { 'Fn::GetAtt': name.split('.') } : { Ref: name }),
    );
  }
  if (node?.['Fn::Select'] !== undefined) return `<${stack.stackName}:select:${JSON.stringify(node['Fn::Select'])}>`;
  if (node?.['Fn::ImportValue'] !== undefined) return `<import:${JSON.stringify(node['Fn::ImportValue'])}>`;
  throw new Error(`cannot render ${JSON.stringify(value)}`);
}

function resources(stack: DeployedStack, type: string): Array<[string, any]> {
  return Object.entries(stack.template.Resources ?? {})
    .filter(([, resource]) => resource.Type === type)
    .map(([id, resource]) => [id, resource.Properties ?? {}]);
}

/** Resource types whose name AWS requires to be unique, the property holding it, and where. */
const NAMED_TYPES: ReadonlyArray<readonly [type: string, property: string, scope: 'account' | 'region' | 'global']> = [
  ['AWS::CloudWatch::Dashboard', 'DashboardName', 'account'],
  ['AWS::IAM::Role', 'RoleName', 'account'],
  ['AWS::IAM::ManagedPolicy', 'ManagedPolicyName', 'account'],
  ['AWS::S3::Bucket', 'BucketName', 'global'],
  ['AWS::CloudWatch::Alarm', 'AlarmName', 'region'],
  ['AWS::Logs::LogGroup', 'LogGroupName', 'region'],
  ['AWS::WAFv2::WebACL', 'Name', 'region'],
  ['AWS::CodePipeline::Pipeline', 'Name', 'region'],
  ['AWS::CodeBuild::Project', 'Name', 'region'],
  ['AWS::Lambda::Function', 'FunctionName', 'region'],
  ['AWS::SNS::Topic', 'TopicName', 'region'],
  ['AWS::SQS::Queue', 'QueueName', 'region'],
  ['AWS::Events::Rule', 'Name', 'region'],
  ['AWS::CodeDeploy::Application', 'ApplicationName', 'region'],
  ['AWS::Cognito::UserPoolDomain', 'Domain', 'region'],
  ['AWS::ApiGateway::ApiKey', 'Name', 'region'],
];

/** Names that two resources (or stacks) of one account, region or partition would both claim. */
export function duplicateNames(stacks: readonly DeployedStack[]): string[] {
  const claimed = new Map<string, string>();
  const problems: string[] = [];
  const claim = (key: string, owner: string) => {
    const previous = claimed.get(key);
    if (previous !== undefined) problems.push(`${key} is claimed by ${previous} and ${owner}`);
    else claimed.set(key, owner);
  };
  for (const stack of stacks) {
    claim(`stack ${stack.stackName} in ${stack.account}/${stack.region}`, stack.stackName);
    for (const [type, property, scope] of NAMED_TYPES) {
      for (const [id, properties] of resources(stack, type)) {
        if (properties[property] === undefined) continue;
        const where = scope === 'global' ? 'everywhere' : scope === 'account' ? stack.account : `${stack.account}/${stack.region}`;
        claim(`${type} ${render(stack, properties[property])} in ${where}`, `${stack.stackName}/${id}`);
      }
    }
  }
  return problems;
}

/**
 * Resources a deleted stack leaves behind (DeletionPolicy Retain) under a name fixed by the
 * template: after the Recover step deletes a stack in ROLLBACK_COMPLETE, the new creation would
 * fail on them ("already exists"). A name made from another resource or the stack id is new
 * with each creation.
 */
export function retainedFixedNames(stack: DeployedStack): string[] {
  const problems: string[] = [];
  for (const [type, property] of NAMED_TYPES) {
    for (const [id, resource] of Object.entries(stack.template.Resources ?? {})) {
      const name = resource.Properties?.[property];
      if (resource.Type !== type || name === undefined || (resource as any).DeletionPolicy !== 'Retain') continue;
      const rendered = render(stack, name);
      if (!rendered.includes('<')) problems.push(`${stack.stackName}/${id}: ${type} ${rendered} is retained under a fixed name`);
    }
  }
  return problems;
}

/** The API stack's function (the C++ bootstrap) and its environment, rendered. */
function apiFunction(stack: DeployedStack): { id: string; environment: Record<string, string> } | undefined {
  const found = resources(stack, 'AWS::Lambda::Function').find(([, fn]) => fn.Runtime === 'provided.al2023');
  if (!found) return undefined;
  const variables = found[1].Environment?.Variables ?? {};
  return { id: found[0], environment: Object.fromEntries(Object.entries(variables).map(([key, value]) => [key, render(stack, value)])) };
}

export function isApiStack(stack: DeployedStack): boolean {
  return apiFunction(stack) !== undefined;
}

interface MetricUse {
  readonly alarm: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Record<string, string>;
}

/** Every metric an alarm reads: its own, or each MetricStat of its math expression. */
function alarmMetrics(stack: DeployedStack, id: string, alarm: any): MetricUse[] {
  const dimensionsOf = (list: Array<{ Name: string; Value: unknown }> | undefined) =>
    Object.fromEntries((list ?? []).map((dimension) => [dimension.Name, render(stack, dimension.Value)]));
  if (alarm.MetricName !== undefined) {
    return [{ alarm: id, namespace: alarm.Namespace, metricName: alarm.MetricName, dimensions: dimensionsOf(alarm.Dimensions) }];
  }
  return (alarm.Metrics ?? [])
    .filter((query: any) => query.MetricStat)
    .map((query: any) => ({
      alarm: id,
      namespace: query.MetricStat.Metric.Namespace,
      metricName: query.MetricStat.Metric.MetricName,
      dimensions: dimensionsOf(query.MetricStat.Metric.Dimensions),
    }));
}

const SERVICE_METRICS: Readonly<Record<string, readonly string[]>> = {
  'AWS/ApiGateway': ['4XXError', '5XXError', 'Count', 'Latency', 'IntegrationLatency', 'CacheHitCount', 'CacheMissCount'],
  'AWS/Lambda': ['Errors', 'Duration', 'Throttles', 'Invocations', 'ConcurrentExecutions'],
  'AWS/SQS': ['ApproximateNumberOfMessagesVisible'],
};

/** Every alarm metric of an API stack that no resource of the stack (or the function) writes. */
export function alarmsOnMissingSeries(stack: DeployedStack, routes: readonly Route[]): string[] {
  const fn = apiFunction(stack)!;
  const [apiId, api] = resources(stack, 'AWS::ApiGateway::RestApi')[0];
  const stageNames = resources(stack, 'AWS::ApiGateway::Stage').map(([, stage]) => stage.StageName);
  const queueNames = resources(stack, 'AWS::SQS::Queue').map(([id]) => `<${stack.stackName}:${id}.QueueName>`);
  const aliases = resources(stack, 'AWS::Lambda::Alias').map(([, alias]) => `${render(stack, alias.FunctionName)}:${alias.Name}`);
  const functionName = `<${stack.stackName}:${fn.id}>`;
  const emitted = new Set(routes.flatMap((route) => emittedRouteDimensions(route, routes)));
  const { dimensions: d, names } = FUNCTION_METRICS;
  const functionDimensionSets = [
    [d.service, d.route].sort().join(','),
    [d.service, d.route, d.statusClass].sort().join(','),
    [d.service, d.functionName].sort().join(','),
  ];
  const problems: string[] = [];
  for (const [id, alarm] of resources(stack, 'AWS::CloudWatch::Alarm')) {
    for (const use of alarmMetrics(stack, id, alarm)) {
      const say = (why: string) => problems.push(`${stack.stackName}/${id}: ${use.namespace} ${use.metricName} ${JSON.stringify(use.dimensions)}: ${why}`);
      const known = SERVICE_METRICS[use.namespace];
      if (known !== undefined) {
        if (!known.includes(use.metricName)) say('the service writes no such metric');
        if (use.namespace === 'AWS/ApiGateway' && (use.dimensions.ApiName !== render(stack, api.Name) || !stageNames.includes(use.dimensions.Stage))) {
          say(`API Gateway writes ApiName ${render(stack, api.Name)} (${apiId}) and Stage ${stageNames.join('/')}`);
        }
        if (use.namespace === 'AWS/Lambda' && use.dimensions.FunctionName !== functionName) say(`the function is ${functionName}`);
        if (use.namespace === 'AWS/Lambda' && use.dimensions.Resource !== undefined && !aliases.includes(use.dimensions.Resource)) say(`no alias ${use.dimensions.Resource}`);
        if (use.namespace === 'AWS/SQS' && !queueNames.includes(use.dimensions.QueueName)) say('no such queue');
        continue;
      }
      if (use.namespace !== fn.environment[FUNCTION_METRICS.namespaceVariable]) {
        say(`the function writes namespace ${fn.environment[FUNCTION_METRICS.namespaceVariable]}`);
        continue;
      }
      if (!Object.values(names).includes(use.metricName as never)) say('the function writes no such metric');
      if (!functionDimensionSets.includes(Object.keys(use.dimensions).sort().join(','))) say('the function writes no such dimension set');
      if (use.dimensions[d.service] !== fn.environment.APPLICATION) say(`the function's service is ${fn.environment.APPLICATION}`);
      if (use.dimensions[d.route] !== undefined && !emitted.has(use.dimensions[d.route])) say(`the function never writes route ${use.dimensions[d.route]}`);
    }
  }
  return problems;
}

/** Stacks of one account and region whose functions write the same namespace (their series would mix). */
export function sharedMetricNamespaces(stacks: readonly DeployedStack[]): string[] {
  const seen = new Map<string, string>();
  const problems: string[] = [];
  for (const stack of stacks.filter(isApiStack)) {
    const key = `${stack.account}/${stack.region} ${apiFunction(stack)!.environment[FUNCTION_METRICS.namespaceVariable]}`;
    if (seen.has(key)) problems.push(`${seen.get(key)} and ${stack.stackName} write the same series: ${key}`);
    else seen.set(key, stack.stackName);
  }
  return problems;
}

/**
 * The alarms CodeDeploy watches must see what a user calls failure: the API's 5XX answers, and
 * each route value the function writes in its Errors metric; at most 10 alarms.
 */
export function canaryBlindSpots(stack: DeployedStack, routes: readonly Route[]): string[] {
  const [groupId, group] = resources(stack, 'AWS::CodeDeploy::DeploymentGroup')[0];
  const alarmNames = (group.AlarmConfiguration?.Alarms ?? []).map((alarm: any) => render(stack, alarm.Name));
  const problems: string[] = [];
  if (group.AlarmConfiguration?.Enabled !== true) problems.push(`${groupId}: alarms are not enabled`);
  if (alarmNames.length > MAX_DEPLOYMENT_GROUP_ALARMS) problems.push(`${groupId}: ${alarmNames.length} alarms, CodeDeploy accepts ${MAX_DEPLOYMENT_GROUP_ALARMS}`);
  const watched = resources(stack, 'AWS::CloudWatch::Alarm')
    .filter(([id]) => alarmNames.includes(`<${stack.stackName}:${id}>`))
    .flatMap(([id, alarm]) => alarmMetrics(stack, id, alarm));
  if (!watched.some((use) => use.namespace === 'AWS/ApiGateway' && use.metricName === '5XXError')) problems.push(`${groupId}: no alarm on the API's 5XXError`);
  const namespace = apiFunction(stack)!.environment[FUNCTION_METRICS.namespaceVariable];
  const watchedRoutes = new Set(
    watched.filter((use) => use.namespace === namespace && use.metricName === FUNCTION_METRICS.names.errors).map((use) => use.dimensions[FUNCTION_METRICS.dimensions.route]),
  );
  for (const dimension of routes.flatMap((route) => emittedRouteDimensions(route, routes))) {
    if (!watchedRoutes.has(dimension)) problems.push(`${groupId}: no alarm watches the function's Errors of ${dimension}`);
  }
  return problems;
}

/** Whether an IAM statement's Action (string or list, `*` wildcards) includes an action. */
function allowsAction(statement: any, action: string): boolean {
  return [statement.Action].flat().some((pattern: string) => new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i').test(action));
}

function allowsResource(stack: DeployedStack, statement: any, resource: string): boolean {
  return [statement.Resource]
    .flat()
    .map((value) => render(stack, value))
    .some((pattern) => new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(resource));
}

/** Allow statements of every inline policy attached to a role (by logical id). */
function roleStatements(stack: DeployedStack, roleId: string): any[] {
  return resources(stack, 'AWS::IAM::Policy')
    .filter(([, policy]) => (policy.Roles ?? []).some((role: any) => role.Ref === roleId))
    .flatMap(([, policy]) => policy.PolicyDocument.Statement)
    .filter((statement: any) => statement.Effect === 'Allow');
}

function roleMay(stack: DeployedStack, roleId: string, action: string, resource: string): boolean {
  return roleStatements(stack, roleId).some((statement) => allowsAction(statement, action) && allowsResource(stack, statement, resource));
}

interface HookRoute {
  readonly path: string;
  readonly auth: string;
  readonly httpMethod: string;
  readonly resourceId: string;
}

/**
 * The post-traffic hook must pass against a healthy deployment: each route it invokes with
 * TestInvokeMethod is a method of this API that a request without parameters satisfies (no path
 * or required query parameter), its role may call TestInvokeMethod on it, and the function's
 * permission lets API Gateway's test invocations in; each route it requests through the stage
 * must be one that refuses anonymous callers anyway.
 */
export function hookProblems(stack: DeployedStack): string[] {
  const [hookId, hook] = resources(stack, 'AWS::Lambda::Function').find(([, fn]) => fn.Runtime?.startsWith('nodejs') && fn.Environment?.Variables?.SMOKE_TEST_ROUTES)!;
  const variables = hook.Environment.Variables;
  const routes = JSON.parse(render(stack, variables.SMOKE_TEST_ROUTES)) as HookRoute[];
  const restApiId = render(stack, variables.REST_API_ID);
  const roleId = hook.Role['Fn::GetAtt'][0];
  const methods = resources(stack, 'AWS::ApiGateway::Method').map(([, method]) => ({
    resourceId: render(stack, method.ResourceId),
    httpMethod: method.HttpMethod,
    authorizationType: method.AuthorizationType ?? 'NONE',
    apiKeyRequired: method.ApiKeyRequired === true,
    required: Object.entries(method.RequestParameters ?? {}).filter(([, isRequired]) => isRequired === true).map(([name]) => name),
  }));
  const problems: string[] = [];
  if (routes.length === 0) problems.push(`${hookId}: checks no route (it would report Failed)`);
  for (const route of routes) {
    const method = methods.find((candidate) => candidate.resourceId === route.resourceId && candidate.httpMethod === route.httpMethod);
    const say = (why: string) => problems.push(`${hookId}: ${route.httpMethod} ${route.path}: ${why}`);
    if (!method) {
      say('no such method in the API');
      continue;
    }
    const byTestInvoke = route.auth === 'none' || route.auth === 'apiKey';
    if (byTestInvoke) {
      if (method.required.length > 0) say(`the request validator requires ${method.required.join(', ')}`);
      const arn = `arn:aws:apigateway:${stack.region}::/restapis/${restApiId}/resources/${route.resourceId}/methods/${route.httpMethod}`;
      if (!roleMay(stack, roleId, 'apigateway:POST', arn)) say(`its role may not call TestInvokeMethod (${arn})`);
    } else if (method.authorizationType === 'NONE' && !method.apiKeyRequired) {
      say('requested anonymously through the stage, but the method lets anonymous callers in');
    }
  }
  const testInvokeSource = `arn:aws:execute-api:${stack.region}:${stack.account}:${restApiId}/test-invoke-stage/GET/v1/health`;
  const permitted = resources(stack, 'AWS::Lambda::Permission').some(
    ([, permission]) =>
      permission.Principal === 'apigateway.amazonaws.com' &&
      new RegExp(`^${render(stack, permission.SourceArn).replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(testInvokeSource),
  );
  if (!permitted) problems.push(`no permission lets API Gateway's test invocations (${testInvokeSource}) invoke the function`);
  return problems;
}

/** Whether the API's resource policy denies callers by source address (API_ALLOWED_SOURCE_IPS): the build and the hook are outside. */
export function anonymousOutsiderDenied(stack: DeployedStack): boolean {
  const [, api] = resources(stack, 'AWS::ApiGateway::RestApi')[0];
  return (api.Policy?.Statement ?? []).some((statement: any) => statement.Effect === 'Deny' && statement.Condition?.NotIpAddress?.['aws:SourceIp'] !== undefined);
}

/** The paths of the pipeline's smoke test command of a project buildspec, and whether it accepts a resource-policy deny. */
export function pipelineSmokeTests(pipelineStack: DeployedStack): Array<{ id: string; paths: string[]; acceptsExplicitDeny: boolean }> {
  return resources(pipelineStack, 'AWS::CodeBuild::Project')
    .filter(([, project]) => typeof project.Source?.BuildSpec === 'string' && project.Source.BuildSpec.includes('for path in'))
    .map(([id, project]) => {
      const command: string = JSON.parse(project.Source.BuildSpec).phases.build.commands.join('\n');
      const list = /for path in ([^;]*); do/.exec(command)![1];
      return { id, paths: [...list.matchAll(/'([^']*)'/g)].map((match) => match[1]), acceptsExplicitDeny: command.includes('with an explicit deny') };
    });
}

/**
 * The pipeline's smoke test, run from CodeBuild (an address outside any allowlist, no
 * credentials), must pass against a healthy API: each path a public method without required
 * parameters, and a resource-policy deny accepted where the policy denies outsiders.
 */
export function pipelineSmokeTestProblems(pipelineStack: DeployedStack, apiStacks: readonly DeployedStack[]): string[] {
  const problems: string[] = [];
  const tests = pipelineSmokeTests(pipelineStack);
  if (tests.length === 0) problems.push('the pipeline has no smoke test');
  for (const test of tests) {
    for (const stack of apiStacks) {
      const methods = resources(stack, 'AWS::ApiGateway::Method');
      const resourcePath = (id: string): string => {
        const [, resource] = resources(stack, 'AWS::ApiGateway::Resource').find(([candidate]) => candidate === id) ?? [];
        if (!resource) return '';
        return `${resourcePath(resource.ParentId.Ref ?? '')}/${resource.PathPart}`;
      };
      for (const testPath of test.paths) {
        const method = methods.find(
          ([, candidate]) => (candidate.HttpMethod === 'GET' || candidate.HttpMethod === 'ANY') && (candidate.ResourceId.Ref ? resourcePath(candidate.ResourceId.Ref) : '/') === testPath,
        );
        const say = (why: string) => problems.push(`${test.id} GET ${testPath} on ${stack.stackName}: ${why}`);
        if (!method) {
          say('no such method');
          continue;
        }
        const properties = method[1];
        if ((properties.AuthorizationType ?? 'NONE') !== 'NONE' || properties.ApiKeyRequired === true) say('needs credentials the smoke test does not send');
        const required = Object.entries(properties.RequestParameters ?? {}).filter(([, isRequired]) => isRequired === true);
        if (required.length > 0) say(`the request validator requires ${required.map(([name]) => name).join(', ')}`);
      }
      if (anonymousOutsiderDenied(stack) && !test.acceptsExplicitDeny) {
        problems.push(`${test.id}: ${stack.stackName}'s resource policy denies the build's address, and the smoke test does not accept that answer`);
      }
    }
  }
  return problems;
}

/** Steps of a pipeline stage, by action name, with their run order. */
export function pipelineStages(pipelineStack: DeployedStack): Array<{ name: string; actions: Array<{ name: string; runOrder: number; category: string; configuration: any; roleArn?: unknown }> }> {
  const [, pipeline] = resources(pipelineStack, 'AWS::CodePipeline::Pipeline')[0];
  return pipeline.Stages.map((stage: any) => ({
    name: stage.Name,
    actions: stage.Actions.map((action: any) => ({
      name: action.Name,
      runOrder: action.RunOrder ?? 1,
      category: action.ActionTypeId.Category,
      configuration: action.Configuration ?? {},
      roleArn: action.RoleArn,
    })),
  }));
}

/** A CodeBuild step of the pipeline: may its project's role assume the role its DEPLOY_ROLE_ARN names? */
export function deployRoleStepProblems(pipelineStack: DeployedStack): string[] {
  const problems: string[] = [];
  for (const [id, project] of resources(pipelineStack, 'AWS::CodeBuild::Project')) {
    const variable = (project.Environment?.EnvironmentVariables ?? []).find((entry: any) => entry.Name === 'DEPLOY_ROLE_ARN');
    if (!variable) continue;
    const roleId = project.ServiceRole['Fn::GetAtt'][0];
    const roleArn = render(pipelineStack, variable.Value);
    if (!/^arn:aws:iam::\d{12}:role\/cdk-hnb659fds-deploy-role-\d{12}-[a-z0-9-]+$/.test(roleArn) && !roleArn.includes('unknown-account')) {
      problems.push(`${id}: DEPLOY_ROLE_ARN ${roleArn} is not a CDK deploy role`);
    }
    if (!roleMay(pipelineStack, roleId, 'sts:AssumeRole', roleArn)) problems.push(`${id}: its role may not assume ${roleArn}`);
  }
  return problems;
}

/** Manual approvals must notify: a topic, which the pipeline's role may publish to, with its key. */
export function approvalProblems(pipelineStack: DeployedStack): string[] {
  const problems: string[] = [];
  const [, pipeline] = resources(pipelineStack, 'AWS::CodePipeline::Pipeline')[0];
  const pipelineRoleId = pipeline.RoleArn['Fn::GetAtt'][0];
  for (const stage of pipelineStages(pipelineStack)) {
    for (const action of stage.actions.filter((candidate) => candidate.category === 'Approval')) {
      const topic = action.configuration.NotificationArn;
      if (topic === undefined) {
        problems.push(`${action.name}: notifies nobody`);
        continue;
      }
      const topicArn = render(pipelineStack, topic);
      const roleId = action.roleArn ? (action.roleArn as any)['Fn::GetAtt'][0] : pipelineRoleId;
      if (!roleMay(pipelineStack, roleId, 'sns:Publish', topicArn)) problems.push(`${action.name}: its role may not publish to ${topicArn}`);
      const [, topicProperties] = resources(pipelineStack, 'AWS::SNS::Topic').find(([id]) => `<${pipelineStack.stackName}:${id}>` === topicArn) ?? [];
      const key = topicProperties?.KmsMasterKeyId;
      if (key !== undefined && !roleMay(pipelineStack, roleId, 'kms:GenerateDataKey', render(pipelineStack, key))) {
        problems.push(`${action.name}: its role may not use the topic's key ${render(pipelineStack, key)}`);
      }
    }
  }
  return problems;
}
