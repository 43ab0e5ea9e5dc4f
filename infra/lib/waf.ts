/**
 * The optional AWS WAF web ACL of the API stage (WAF_ENABLED): a rate-based rule per client IP,
 * AWS's managed core rule set and known-bad-inputs rule set, CloudWatch metrics for each rule and
 * a log group of blocked and counted requests (credentials redacted).
 *
 * @example
 *   const waf = new ApiWebAcl(this, 'Waf', { stage: api.deploymentStage, rateLimit: 1000, logRetention, namePrefix });
 */
import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

export interface ApiWebAclProps {
  readonly stage: apigateway.Stage;
  /** Requests one IP address may send in any 5 minutes. */
  readonly rateLimit: number;
  readonly logRetention: logs.RetentionDays;
  /** Prefix of the web ACL's name and metric names (the stack name). */
  readonly namePrefix: string;
}

/** AWS managed rule groups, in evaluation order after the rate limit. */
export const MANAGED_RULE_GROUPS = ['AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet'] as const;

/** Request headers that carry credentials: redacted from the WAF log. */
export const REDACTED_HEADERS = ['authorization', 'x-api-key', 'x-amz-security-token'] as const;

export class ApiWebAcl extends Construct {
  readonly webAcl: wafv2.CfnWebACL;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ApiWebAclProps) {
    super(scope, id);
    const metric = (name: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      metricName: `${props.namePrefix}-${name}`,
      sampledRequestsEnabled: true,
    });

    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name: `${props.namePrefix}-waf`,
      description: `Rate limit and AWS managed rules in front of ${props.namePrefix}`,
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: metric('waf'),
      rules: [
        {
          name: 'RateLimitPerIp',
          priority: 0,
          action: { block: {} },
          statement: { rateBasedStatement: { limit: props.rateLimit, aggregateKeyType: 'IP', evaluationWindowSec: 300 } },
          visibilityConfig: metric('rate-limit'),
        },
        ...MANAGED_RULE_GROUPS.map((name, index) => ({
          name,
          priority: index + 1,
          // The group's own actions (block), not overridden.
          overrideAction: { none: {} },
          statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
          visibilityConfig: metric(name),
        })),
      ],
    });

    new wafv2.CfnWebACLAssociation(this, 'StageAssociation', {
      resourceArn: props.stage.stageArn,
      webAclArn: this.webAcl.attrArn,
    });

    // WAF writes only to log groups whose name starts with aws-waf-logs-.
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `aws-waf-logs-${props.namePrefix}`,
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    new wafv2.CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: this.webAcl.attrArn,
      // The log group's ARN without the ':*' suffix of LogGroup.logGroupArn, as WAF expects it.
      logDestinationConfigs: [
        Stack.of(this).formatArn({ service: 'logs', resource: 'log-group', resourceName: this.logGroup.logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
      ],
      redactedFields: REDACTED_HEADERS.map((name) => ({ singleHeader: { Name: name } })),
      // Only what the rules blocked or counted: allowed traffic is in the API's access log.
      loggingFilter: {
        DefaultBehavior: 'DROP',
        Filters: [
          {
            Behavior: 'KEEP',
            Requirement: 'MEETS_ANY',
            Conditions: [{ ActionCondition: { Action: 'BLOCK' } }, { ActionCondition: { Action: 'COUNT' } }],
          },
        ],
      },
    });
  }
}
